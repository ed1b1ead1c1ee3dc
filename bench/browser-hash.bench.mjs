// `npm run bench browser-hash`: SHA-512 of one file in the browser example
// page, as its users get it — Debian's Chromium (playwright-core), the page
// built by scripts/build-browser-example.mjs and served with its shipped
// Content-Security-Policy — streaming (the page's worker: hashStream over
// File.stream(), WebAssembly backend) next to a one-shot
// crypto.subtle.digest of the SAME file in the SAME page (file.arrayBuffer()
// then digest; both timings shown). Target: streaming ≥ 0.8× the one-shot
// digest alone. Also shown, not judged: the JS backend under a policy
// without 'wasm-unsafe-eval'.
// BROWSER_HASH_MIB sizes the file (default 256); BENCH_RUNS (3) runs,
// best kept; CHROMIUM_PATH overrides the browser. Exits 1 when the target
// is missed or the digests disagree.
import { createHash, randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { buildBrowserExample } from '../scripts/build-browser-example.mjs';
import { NO_WASM_CSP, startServer, STRICT_CSP } from '../examples/browser/serve.mjs';

const MIB = Number(process.env.BROWSER_HASH_MIB ?? 256);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MiB = 1 << 20;
const fmt = (x) => x.toFixed(0).padStart(5);

const work = mkdtempSync(join(tmpdir(), 'vmilist-browser-hash-'));
const file = join(work, 'image.raw');
const expected = (() => {
  // random content, so nothing can take a shortcut on repeated blocks
  const block = Buffer.allocUnsafe(4 * MiB);
  const hash = createHash('sha512');
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < MIB / 4; i++) {
      randomFillSync(block);
      writeSync(fd, block);
      hash.update(block);
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
})();

const { outDir } = await buildBrowserExample({ outDir: join(work, 'site') });
const shipped = await startServer({ root: outDir, csp: STRICT_CSP });
const noWasm = await startServer({ root: outDir, csp: NO_WASM_CSP });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});

/** The page hashes the picked file in its worker; its own timing (h.millis) is read from the page. */
async function streaming(page) {
  await page.setInputFiles('#image-file', []);
  await page.setInputFiles('#image-file', file);
  await page.waitForFunction(() => document.querySelector('#hash-backend')?.dataset.backend, null, { timeout: 600_000 });
  const status = (await page.textContent('#hash-status')) ?? '';
  const backend = await page.getAttribute('#hash-backend', 'data-backend');
  const millis = Number(/in (\d+) ms/.exec((await page.textContent('#hash-backend')) ?? '')?.[1]);
  return { digest: /SHA-512 ([0-9a-f]{128})/.exec(status)?.[1], backend, seconds: millis / 1000 };
}

/** One-shot WebCrypto on the same File, in the same page. */
function oneShot(page) {
  return page.evaluate(async () => {
    const f = document.querySelector('#image-file').files[0];
    const t0 = performance.now();
    const buf = await f.arrayBuffer();
    const t1 = performance.now();
    const d = new Uint8Array(await crypto.subtle.digest('SHA-512', buf));
    const t2 = performance.now();
    return { digest: Array.from(d, (b) => b.toString(16).padStart(2, '0')).join(''), readSeconds: (t1 - t0) / 1000, digestSeconds: (t2 - t1) / 1000 };
  });
}

async function openPage(server) {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready="true"]');
  return page;
}

const rows = [];
let failed = false;
try {
  const page = await openPage(shipped);
  const best = { stream: Infinity, digest: Infinity, readDigest: Infinity };
  for (let run = 0; run < RUNS; run++) {
    const s = await streaming(page);
    const o = await oneShot(page);
    if (s.digest !== expected || o.digest !== expected) throw new Error(`digests differ: page ${s.digest}, subtle ${o.digest}, node ${expected}`);
    if (s.backend !== 'wasm') throw new Error(`the page hashed with ${s.backend}, not WebAssembly, under its shipped CSP`);
    best.stream = Math.min(best.stream, s.seconds);
    best.digest = Math.min(best.digest, o.digestSeconds);
    best.readDigest = Math.min(best.readDigest, o.readSeconds + o.digestSeconds);
    const mbps = (sec) => (MIB * MiB) / 1e6 / sec;
    console.log(`  run ${run + 1}: page streaming ${fmt(mbps(s.seconds))} MB/s, subtle.digest one-shot ${fmt(mbps(o.digestSeconds))} MB/s (${fmt(mbps(o.readSeconds + o.digestSeconds))} MB/s with arrayBuffer())`);
  }
  await page.close();
  const js = await openPage(noWasm);
  const j = await streaming(js);
  await js.close();
  if (j.digest !== expected || j.backend !== 'js') throw new Error(`no-wasm page: backend ${j.backend}, digest ${j.digest}`);

  const mbps = (sec) => (MIB * MiB) / 1e6 / sec;
  console.log(`\nChromium, ${MIB} MiB file, best of ${RUNS}, same page (shipped CSP: ${STRICT_CSP}):`);
  console.log(`  page streaming hash (worker, WebAssembly)   ${fmt(mbps(best.stream))} MB/s`);
  console.log(`  crypto.subtle.digest one-shot                ${fmt(mbps(best.digest))} MB/s`);
  console.log(`  file.arrayBuffer() + subtle.digest           ${fmt(mbps(best.readDigest))} MB/s`);
  console.log(`  page streaming hash, JS backend (no 'wasm-unsafe-eval', 1 run) ${fmt(mbps(j.seconds))} MB/s`);
  const ratio = best.digest / best.stream;
  rows.push([`page streaming / subtle.digest one-shot (${fmt(mbps(best.stream)).trim()} vs ${fmt(mbps(best.digest)).trim()} MB/s)`, ratio, '≥ 0.8×', ratio >= 0.8]);
  rows.push([`JS backend / subtle.digest one-shot (info)`, best.digest / j.seconds, '—', true]);
} catch (e) {
  console.error(`browser-hash bench failed: ${e instanceof Error ? e.message : String(e)}`);
  failed = true;
} finally {
  await browser.close();
  await shipped.close();
  await noWasm.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`\n${'measure'.padEnd(72)}${'value'.padEnd(10)}${'target'.padEnd(11)}verdict`);
for (const [name, value, target, ok] of rows) {
  console.log(`${name.padEnd(72)}${value.toFixed(2).padEnd(10)}${target.padEnd(11)}${ok ? 'ok' : 'MISSED'}`);
  if (!ok) failed = true;
}
process.exit(failed ? 1 : 0);
