import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

// Two projects: `node` runs every test; `chromium` runs the isomorphic ones
// (test/unit, test/property, test/scenarios — files named *.node.test.ts are
// Node-only) in Debian's headless Chromium, never a downloaded browser.
// `npm run test:fast` picks the quick tier (see FAST below).
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
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.browser-only.test.ts'],
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
