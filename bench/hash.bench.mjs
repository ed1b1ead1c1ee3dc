// `npm run bench hash`: SHA-512 throughput and memory, measured in one run.
//   1. Node: the same 1 GiB file (page-cached) hashed by vmilist/node
//      `hashFile` (in process), `openssl dgst -sha512` and `sha512sum`,
//      interleaved, median of BENCH_RUNS (3); each reference run checked for exit
//      status 0 and the same digest. Targets: ≥ 1.0× openssl, ≥ 1.3× sha512sum.
//   2. Chromium (Debian /usr/bin/chromium via playwright-core, page served
//      from http://localhost): the bundled browser hasher streaming 256 MiB
//      in 64 KiB chunks (`hashStream` over a ReadableStream) against one-shot
//      `crypto.subtle.digest` on the same bytes. Target ≥ 0.8×.
//   3. Memory: a child process hashes a generated 4 GiB stream of fresh
//      64 KiB chunks with `hashStream` (vmilist/node hasher); peak RSS growth
//      over the baseline must stay < 64 MiB.
// Prints a summary table; exits 1 when a target is missed.
// VMILIST_DIST points at another build (default ../dist); HASH_BENCH_MIB
// sizes the file (default 1024); HASH_BENCH_PARTS=file,chromium,rss picks
// parts; CHROMIUM_PATH overrides the browser.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import { randomFillSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserBundle, withChromiumPage } from './browser-page.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'bench', process.env.VMILIST_DIST ?? '../dist');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const FILE_MIB = Number(process.env.HASH_BENCH_MIB ?? 1024);
const BROWSER_MIB = 256;
const STREAM_GIB = 4;
const MiB = 1 << 20;

const nodeEntry = pathToFileURL(join(dist, 'node/index.js')).href;
const coreEntry = join(dist, 'index.js');

// ---------------------------------------------------------------- child: RSS
if (process.argv[2] === '--rss-child') {
  const { createHasher, hashStream } = await import(nodeEntry);
  const hasher = await createHasher('sha512');
  const CHUNK = Number(process.env.HASH_BENCH_CHUNK ?? 64 * 1024);
  const total = (STREAM_GIB * 1024 * MiB) / CHUNK;
  async function* generate() {
    for (let i = 0; i < total; i++) {
      // a fresh 64 KiB buffer per chunk, as a file or socket stream delivers them
      const chunk = Buffer.allocUnsafe(CHUNK);
      chunk.fill(i & 0xff);
      yield chunk;
    }
  }
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 20);
  const t0 = performance.now();
  const r = await hashStream(generate(), { hasher, onProgress: (n) => n % (64 * MiB) === 0 && sample() });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  sample();
  process.stdout.write(JSON.stringify({ base, peak, size: r.size, seconds, hasher: hasher.constructor.name }));
  process.exit(0);
}

// ---------------------------------------------------------------- helpers
const fmt = (x, d = 0) => x.toFixed(d);
const results = []; // { name, value, unit, target, ok }

function record(name, value, target, ok, note = '') {
  results.push({ name, value, target, ok, note });
}

function timeProcess(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.error}`);
  const digest = /([0-9a-f]{128})/.exec(r.stdout)?.[1];
  return { seconds, digest };
}

function makeFile(path, mib) {
  const block = Buffer.allocUnsafe(4 * MiB);
  randomFillSync(block);
  const fd = openSync(path, 'w');
  try {
    for (let i = 0; i < mib / 4; i++) {
      block[0] = i & 0xff; // no two blocks alike
      block[1] = i >> 8;
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------- 1. Node file
async function benchFile() {
  const { hashFile } = await import(nodeEntry);
  const path = join(tmpdir(), `vmilist-hash-bench-${process.pid}.bin`);
  console.log(`creating ${FILE_MIB} MiB file ${path} …`);
  makeFile(path, FILE_MIB);
  try {
    const bytes = FILE_MIB * MiB;
    timeProcess('sha512sum', [path]); // warm the page cache
    const times = { vmilist: [], openssl: [], sha512sum: [] };
    for (let run = 0; run < RUNS; run++) {
      const t0 = process.hrtime.bigint();
      const r = await hashFile(path);
      const v = Number(process.hrtime.bigint() - t0) / 1e9;
      times.vmilist.push(v);
      // each reference run is checked: exit status 0 (timeProcess) and the same digest
      const o = timeProcess('openssl', ['dgst', '-sha512', path]);
      if (o.digest !== r.sha512) throw new Error(`openssl dgst -sha512 printed ${o.digest ?? 'no digest'}, hashFile ${r.sha512}`);
      times.openssl.push(o.seconds);
      const s = timeProcess('sha512sum', [path]);
      if (s.digest !== r.sha512) throw new Error(`sha512sum printed ${s.digest ?? 'no digest'}, hashFile ${r.sha512}`);
      times.sha512sum.push(s.seconds);
      console.log(`  run ${run + 1}: vmilist ${fmt(bytes / 1e6 / v)} openssl ${fmt(bytes / 1e6 / o.seconds)} sha512sum ${fmt(bytes / 1e6 / s.seconds)} MB/s`);
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const mbps = Object.fromEntries(Object.entries(times).map(([k, ts]) => [k, bytes / 1e6 / median(ts)]));
    console.log(`  median of ${RUNS}: vmilist hashFile ${fmt(mbps.vmilist)} MB/s, openssl dgst ${fmt(mbps.openssl)} MB/s, sha512sum ${fmt(mbps.sha512sum)} MB/s`);
    const vsOpenssl = mbps.vmilist / mbps.openssl;
    const vsCoreutils = mbps.vmilist / mbps.sha512sum;
    record(`node hashFile / openssl dgst (${fmt(mbps.vmilist)} vs ${fmt(mbps.openssl)} MB/s)`, vsOpenssl, '≥ 1.0×', vsOpenssl >= 1.0);
    record(`node hashFile / sha512sum (${fmt(mbps.vmilist)} vs ${fmt(mbps.sha512sum)} MB/s)`, vsCoreutils, '≥ 1.3×', vsCoreutils >= 1.3);
  } finally {
    rmSync(path, { force: true });
  }
}

// ---------------------------------------------------------------- 2. Chromium
const PAGE_SCRIPT = `
import { hashStream } from '/hasher.js';
const MiB = 1 << 20;
window.bench = async (mib, runs) => {
  const data = new Uint8Array(mib * MiB);
  for (let i = 0; i < data.length; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const chunks = () => {
    let i = 0;
    return new ReadableStream({
      pull(c) {
        if (i >= data.length) return c.close();
        c.enqueue(data.subarray(i, i + 65536));
        i += 65536;
      },
    });
  };
  let oneShot = Infinity, streaming = Infinity, a, b;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    a = hex(await crypto.subtle.digest('SHA-512', data));
    oneShot = Math.min(oneShot, performance.now() - t);
    t = performance.now();
    b = (await hashStream(chunks())).digest;
    streaming = Math.min(streaming, performance.now() - t);
  }
  return { bytes: data.length, oneShotMs: oneShot, streamingMs: streaming, same: a === b };
};
`;

async function benchChromium() {
  const hasherJs = await browserBundle(coreEntry, ['hashStream'], root);
  const r = await withChromiumPage({ '/hasher.js': ['text/javascript', hasherJs] }, PAGE_SCRIPT, (page) =>
    page.evaluate(([mib, runs]) => window.bench(mib, runs), [BROWSER_MIB, RUNS]),
  );
  if (!r.same) throw new Error('Chromium: streaming digest differs from crypto.subtle.digest');
  const one = r.bytes / 1e6 / (r.oneShotMs / 1000);
  const str = r.bytes / 1e6 / (r.streamingMs / 1000);
  console.log(`  Chromium ${BROWSER_MIB} MiB, best of ${RUNS}: hashStream (64 KiB chunks) ${fmt(str)} MB/s, crypto.subtle.digest one-shot ${fmt(one)} MB/s`);
  record(`chromium hashStream / subtle.digest (${fmt(str)} vs ${fmt(one)} MB/s)`, str / one, '≥ 0.8×', str / one >= 0.8);
}

// ---------------------------------------------------------------- 3. RSS
async function benchRss() {
  const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--rss-child'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((r) => child.on('close', r));
  if (code !== 0) throw new Error(`RSS child exited with ${code}`);
  const r = JSON.parse(out);
  const growth = (r.peak - r.base) / MiB;
  console.log(
    `  ${STREAM_GIB} GiB stream (${r.hasher}): ${fmt(r.size / 1e6 / r.seconds)} MB/s, RSS ${fmt(r.base / MiB)} → peak ${fmt(r.peak / MiB)} MiB (growth ${fmt(growth, 1)} MiB)`,
  );
  if (r.size !== STREAM_GIB * 1024 * MiB) throw new Error(`RSS child hashed ${r.size} bytes`);
  record(`peak RSS growth hashing ${STREAM_GIB} GiB (MiB)`, growth, '< 64 MiB', growth < 64);
}

// ---------------------------------------------------------------- main
if (!existsSync(coreEntry)) {
  console.error(`hash bench: ${coreEntry} not found; run \`npm run build\` first`);
  process.exit(2);
}
const parts = (process.env.HASH_BENCH_PARTS ?? 'file,chromium,rss').split(',');
for (const [part, label, fn] of [
  ['file', 'Node file hashing', benchFile],
  ['chromium', 'Chromium streaming', benchChromium],
  ['rss', 'Memory', benchRss],
]) {
  if (!parts.includes(part)) continue;
  console.log(`\n${label}`);
  try {
    await fn();
  } catch (e) {
    console.error(`  FAILED: ${e instanceof Error ? e.message : String(e)}`);
    record(label, NaN, 'runs', false);
  }
}
console.log('\nmeasure'.padEnd(66) + 'value'.padEnd(10) + 'target'.padEnd(12) + 'verdict');
for (const r of results) {
  console.log(`${r.name.padEnd(65)}${(Number.isNaN(r.value) ? '-' : r.value.toFixed(2)).padEnd(10)}${r.target.padEnd(12)}${r.ok ? 'ok' : 'MISSED'}`);
}
process.exit(results.every((r) => r.ok) ? 0 : 1);
