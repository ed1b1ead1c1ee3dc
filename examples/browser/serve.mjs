#!/usr/bin/env node
// A tiny static server for the browser example: serves the built page (and,
// for the demo, the project's test vectors under /vectors/) on localhost with
// a strict Content-Security-Policy, the one the issue asks the page to work
// under. WebCrypto needs a secure context, and http://localhost is one.
//
//   node scripts/build-browser-example.mjs && node examples/browser/serve.mjs [--port 8080] [--no-csp | --no-wasm]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The policy the page is built for: no inline code, no eval, scripts and
 * workers from this origin only. 'wasm-unsafe-eval' lets the SHA-512 hasher
 * compile its WebAssembly module (≈ one-shot crypto.subtle.digest speed;
 * the JS fallback runs at ~0.7×); it allows compiling WebAssembly only,
 * never eval or new Function for JavaScript.
 */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

/** The same policy without 'wasm-unsafe-eval' (a site that forbids WebAssembly): the JS hasher runs. */
export const NO_WASM_CSP = "default-src 'self'; script-src 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Maps a URL path to a file below one of the mounts, or null. Decoded
 * segments `..` and absolute tricks cannot leave a mount's directory.
 * @param {string} urlPath
 * @param {Record<string, string>} mounts URL prefix (ending in `/`) → directory
 */
export function resolveMounted(urlPath, mounts) {
  let path;
  try {
    path = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  // longest prefix first, so /vectors/ wins over /
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) {
    if (!path.startsWith(prefix)) continue;
    const dir = resolve(/** @type {string} */ (mounts[prefix]));
    const rest = path.slice(prefix.length) || 'index.html';
    const file = resolve(dir, `.${sep}${rest}`);
    if (file !== dir && !file.startsWith(dir + sep)) return null;
    return file;
  }
  return null;
}

/**
 * Starts the server. Resolves once it listens.
 * @param {{ root: string, mounts?: Record<string, string>, port?: number, host?: string, csp?: string | null, onCspReport?: (body: string) => void }} options
 *   `root` is served at `/`; `csp: null` sends no policy (for a control run);
 *   with `onCspReport`, the policy gets `report-uri /csp-report` and each
 *   violation report the browser POSTs there is passed on (tests count them).
 */
export async function startServer(options) {
  const mounts = { ...(options.mounts ?? {}), '/': options.root };
  const policy = options.csp === undefined ? STRICT_CSP : options.csp;
  const csp = policy && options.onCspReport ? `${policy}; report-uri /csp-report` : policy;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (csp) headers['Content-Security-Policy'] = csp;
    if (req.method === 'POST' && url.pathname === '/csp-report' && options.onCspReport) {
      const parts = [];
      for await (const part of req) parts.push(part);
      options.onCspReport(Buffer.concat(parts).toString('utf8'));
      res.writeHead(204, headers).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveMounted(url.pathname, mounts);
    try {
      if (!file || !(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok(undefined));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    // "localhost", not 127.0.0.1: the name is what browsers treat as a secure context everywhere
    url: `http://localhost:${port}/`,
    port,
    close: () => new Promise((ok) => server.close(() => ok(undefined))),
  };
}

async function main() {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const args = process.argv.slice(2);
  const portArg = args.indexOf('--port');
  const rootArg = args.indexOf('--root');
  const port = portArg >= 0 ? Number(args[portArg + 1]) : 8080;
  const root = rootArg >= 0 ? resolve(String(args[rootArg + 1])) : resolve(here, 'dist');
  const s = await startServer({
    root,
    mounts: { '/vectors/': resolve(here, '../../vectors') },
    port,
    csp: args.includes('--no-csp') ? null : args.includes('--no-wasm') ? NO_WASM_CSP : STRICT_CSP,
  });
  console.log(`serving ${root} at ${s.url} (vectors at ${s.url}vectors/)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
