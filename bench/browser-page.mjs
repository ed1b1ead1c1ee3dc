// Helpers for the benches that measure in Chromium: a browser bundle of some
// exports of dist/index.js, and a page served from http://localhost with
// Debian's /usr/bin/chromium (never a downloaded browser) driven by playwright-core.
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';

/** A minified browser bundle (ESM text) exporting `names` from the file `entry`. */
export async function browserBundle(entry, names, resolveDir) {
  const { build } = await import('esbuild');
  const bundle = await build({
    stdin: { contents: `export { ${names.join(', ')} } from ${JSON.stringify(entry)};`, resolveDir, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
  });
  return bundle.outputFiles[0].text;
}

/**
 * Serves `routes` ({ '/x.js': ['text/javascript', body], … }) and `pageScript`
 * as /page.js of an empty page at /, opens it in Chromium and returns what
 * `run(page)` returns once `window.bench` exists.
 */
export async function withChromiumPage(routes, pageScript, run) {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no browser at ${executablePath} (set CHROMIUM_PATH)`);
  const server = createServer((req, res) => {
    const send = (type, body) => res.writeHead(200, { 'content-type': type }).end(body);
    const route = routes[req.url ?? ''];
    if (route) send(route[0], route[1]);
    else if (req.url === '/page.js') send('text/javascript', pageScript);
    else send('text/html', '<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise((r) => server.listen(0, 'localhost', r));
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${server.address().port}/`);
    await page.waitForFunction(() => typeof window.bench === 'function');
    return await run(page);
  } finally {
    await browser.close();
    server.close();
  }
}
