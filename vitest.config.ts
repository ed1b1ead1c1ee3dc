import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Two projects: `node` runs every test; `chromium` runs the isomorphic ones
// (test/unit, test/property, test/scenarios — files named *.node.test.ts are
// Node-only) in Debian's headless Chromium, never a downloaded browser.
// `npm run test:fast` picks the quick tier (see FAST below).
// The fast tier (`npm run test:fast`, VMILIST_TEST_TIER=fast): unit and
// property tests in Node, without the 10,000-mutation fuzz run, the bundle
// builds and the tests that make PKIs with openssl. The full `npm test` runs all.
const FAST = process.env['VMILIST_TEST_TIER'] === 'fast';
const FAST_EXCLUDE = [
  'test/property/smime-fuzz.test.ts',
  'test/unit/bundle.node.test.ts',
  'test/unit/bundle-size.node.test.ts',
  'test/unit/path-dos.node.test.ts',
  'test/unit/hash-csp.node.test.ts',
];
const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'];

export default defineConfig({
  server: {
    fs: {
      // fixtures live beside the project in ../shared; .pem is denied by default
      allow: ['..'],
      deny: ['.env', '.env.*'],
    },
  },
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: FAST ? ['test/{unit,property}/**/*.test.ts'] : ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser-only.test.ts', ...(FAST ? FAST_EXCLUDE : [])],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['test/{unit,property,scenarios}/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts'],
          testTimeout: 60_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: chromiumArgs },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
