// A real Content-Security-Policy without 'wasm-unsafe-eval' in headless
// Chromium: createHasher's automatic choice must fall back to JS and still
// give the right digest, and an explicit 'wasm' must fail with ERR_INPUT.
// With 'wasm-unsafe-eval' allowed, the wasm backend is used.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let server: Server;
let browser: Browser;
let base: string;

const PAGE = `
import { createHasher, hashStream } from '/hash.js';
window.run = async () => {
  const data = new Uint8Array(300000).map((_, i) => (i * 7) & 255);
  const auto = await createHasher('sha512');
  const viaStream = (await hashStream([data.subarray(0, 1000), data.subarray(1000)])).digest;
  const expected = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-512', data)), (b) => b.toString(16).padStart(2, '0')).join('');
  let wasm;
  try { wasm = (await createHasher('sha512', { backend: 'wasm' })).constructor.name; } catch (e) { wasm = e.code; }
  return { auto: auto.constructor.name, digestOk: auto.update(data).digest() === expected && viaStream === expected, wasm };
};
`;

beforeAll(async () => {
  const bundle = await build({
    stdin: { contents: `export { createHasher, hashStream } from './src/index.ts';`, resolveDir: root, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    keepNames: true, // the test reads the hasher class names
    write: false,
  });
  const hashJs = bundle.outputFiles[0]?.text ?? '';
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const policy = url.searchParams.get('wasm') === 'allowed' ? "script-src 'self' 'wasm-unsafe-eval'" : "script-src 'self'";
    if (url.pathname === '/hash.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(hashJs);
    else if (url.pathname === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(PAGE);
    else res.writeHead(200, { 'content-type': 'text/html', 'content-security-policy': policy }).end('<!doctype html><script type="module" src="/page.js"></script>');
  });
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  base = `http://localhost:${(server.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
  });
});

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function run(query: string): Promise<{ auto: string; digestOk: boolean; wasm: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(base + query);
    await page.waitForFunction(() => typeof (window as unknown as { run?: unknown }).run === 'function');
    return await page.evaluate(() => (window as unknown as { run: () => Promise<{ auto: string; digestOk: boolean; wasm: string }> }).run());
  } finally {
    await page.close();
  }
}

it("falls back to the JS backend under script-src 'self' (no 'wasm-unsafe-eval')", async () => {
  expect(await run('?wasm=blocked')).toEqual({ auto: 'JsHasher', digestOk: true, wasm: 'ERR_INPUT' });
});

it("uses WebAssembly when the policy allows 'wasm-unsafe-eval'", async () => {
  expect(await run('?wasm=allowed')).toEqual({ auto: 'WasmSha512', digestOk: true, wasm: 'WasmSha512' });
});
