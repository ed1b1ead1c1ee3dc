// `npm run bench verify`: verifying signed image lists of 1k, 10k, 50k and
// 100k images, paired in the same run with a reference that works:
//
//   openssl smime -verify -crl_check -CApath DIR -attime T -in FILE -out OUT
//
// DIR is a hashed CA directory (the test PKI's CAs and CRLs from vectors/,
// linked by `openssl rehash`). Every reference run is checked: exit status 0,
// "Verification successful" on stderr and OUT equal to the signed content; a
// failing reference fails the bench. Every `vmilist verify --json` run is
// checked for exit status 0 and `{"ok":true,…}` with every image.
//
// Runs are interleaved (openssl, vmilist, then vmilist, openssl, …) and the
// table shows medians of wall time, CPU (user+sys) and peak RSS, all three
// from /usr/bin/time (GNU time; `apt-get install time`), plus the in-process
// `verifySignedList` (Node: first call in a fresh process, and the median of
// 9 warm calls after 3 unmeasured ones; Chromium for the 10k list).
//
// Env: BENCH_RUNS (default 5), VERIFY_BENCH_SIZES (default 1000,10000,50000,100000),
// VERIFY_BENCH_CHROMIUM=0 to skip the browser, CHROMIUM_PATH, VERIFY_BENCH_KEEP=1
// keeps the signed lists (for profiling), VMILIST_COMPILE_CACHE (the CLI's code
// cache; default a directory in the work dir, "0" for none), VMILIST_DIST
// (another build; default ../dist). Exits 1 when a reference fails or a target
// is missed.
import { spawnSync, execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { browserBundle, withChromiumPage } from './browser-page.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'bench', process.env.VMILIST_DIST ?? '../dist');
const trustDir = join(root, 'vectors/trust');
const pki = join(root, 'vectors/pki');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
// in-process verifySignedList: unmeasured calls first, then measured ones (cheap: ≈ 0.1 s each at 10k)
const WARMUP = 3;
const WARM_RUNS = Math.max(RUNS, 9);
const SIZES = (process.env.VERIFY_BENCH_SIZES ?? '1000,10000,50000,100000').split(',').map(Number);
const CHROMIUM = process.env.VERIFY_BENCH_CHROMIUM !== '0';
const GNU_TIME = '/usr/bin/time';
// the vectors' evaluation instant: every certificate and CRL of the test PKI is valid then
const AT = new Date('2026-06-01T00:00:00Z');
const MiB = 1 << 20;

// ------------------------------------------------------------------ the lists

// Deterministic pseudo-random hex, so the lists are the same every run.
function hex(seed, n) {
  let out = '';
  let i = 0;
  while (out.length < n) out += createHash('sha512').update(`${seed}/${i++}`).digest('hex');
  return out.slice(0, n);
}

function uuid(seed) {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function oneLine(certPath, what) {
  const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', `-${what}`, '-nameopt', 'compat']).toString().trim();
  return out.replace(/^(subject|issuer)=\s*/, '');
}

function makeList(count, dn, ca) {
  const images = [];
  for (let i = 0; i < count; i++) {
    const id = uuid(`img${i}`);
    images.push({
      'hv:image': {
        'dc:description': `Benchmark image number ${i}, a minimal cloud image with contextualisation`,
        'dc:identifier': id,
        'dc:title': `bench-image-${i}`,
        'hv:hypervisor': 'QEMU',
        'hv:format': 'qcow2',
        'hv:size': 2147483648 + i,
        'hv:uri': `https://images.example.org/bench/${id}.qcow2`,
        'hv:version': `1.${i}`,
        'sl:arch': 'x86_64',
        'sl:checksum:sha512': hex(`sum${i}`, 128),
        'sl:comments': '',
        'sl:os': 'Linux',
        'sl:osversion': 'AlmaLinux 9',
      },
    });
  }
  const date = (ms) => new Date(AT.getTime() + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'hv:imagelist': {
      'dc:date:created': date(-3600_000),
      'dc:date:expires': date(20 * 86400_000),
      'dc:description': `A ${count}-image list for benchmarks`,
      'dc:identifier': uuid(`list${count}`),
      'dc:source': 'https://images.example.org/',
      'dc:title': 'vmilist benchmark list',
      'hv:endorser': { 'hv:x509': { 'dc:creator': 'Alice', 'hv:ca': ca, 'hv:dn': dn, 'hv:email': 'alice@example.org' } },
      'hv:images': images,
      'hv:uri': 'https://images.example.org/bench.list',
      'hv:version': '1',
    },
  };
}

/** Writes and signs an N-image list; returns the signed file and the content a verifier must hand back. */
function signedList(work, count, dn, ca) {
  const listFile = join(work, `list-${count}.json`);
  // header fields indented, one image per line: a 100k-image list stays under the 64 MiB cap
  const doc = makeList(count, dn, ca);
  const { 'hv:images': images, ...fields } = doc['hv:imagelist'];
  const head = JSON.stringify(fields, null, 2).slice(0, -2).replace(/\n/g, '\n  ');
  const text = `{\n  "hv:imagelist": ${head},\n    "hv:images": [\n${images.map((i) => `      ${JSON.stringify(i)}`).join(',\n')}\n    ]\n  }\n}\n`;
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify({ 'hv:imagelist': { ...fields, 'hv:images': images } })) throw new Error('bench list text is wrong');
  writeFileSync(listFile, text);
  const signed = join(work, `list-${count}.smime`);
  execFileSync('openssl', ['smime', '-sign', '-in', listFile, '-signer', join(pki, 'alice.pem'), '-inkey', join(pki, 'alice.key.pem'), '-md', 'sha512', '-out', signed]);
  // openssl signs (and hands back) the text in its CRLF canonical form, as it sits in the message
  const content = Buffer.from(readFileSync(listFile, 'utf8').replace(/\n/g, '\r\n'));
  return { signed, content, bytes: statSync(signed).size };
}

/** A hashed CA directory for `openssl -CApath`: the CAs and CRLs of vectors/trust under plain names, linked by `openssl rehash`. */
function hashedCaDir(work) {
  const dir = join(work, 'capath');
  mkdirSync(dir);
  for (const name of readdirSync(trustDir)) {
    const m = /^([0-9a-f]{8})\.(r?)(\d+)$/.exec(name);
    if (m) copyFileSync(join(trustDir, name), join(dir, `${m[1]}-${m[3]}.${m[2] ? 'crl' : 'pem'}`));
  }
  const r = spawnSync('openssl', ['rehash', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl rehash ${dir} failed (${r.status}): ${r.stderr}`);
  const links = readdirSync(dir);
  if (!links.some((n) => /\.0$/.test(n)) || !links.some((n) => /\.r0$/.test(n))) throw new Error(`openssl rehash made no <hash>.0/.r0 links in ${dir}: ${links.join(' ')}`);
  return dir;
}

// ------------------------------------------------------------------ measuring

function checkGnuTime() {
  const r = existsSync(GNU_TIME) ? spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }) : undefined;
  if (!r || r.status !== 0 || !/^\d+\s*$/.test(r.stderr)) {
    throw new Error(`${GNU_TIME} (GNU time) is needed for CPU and peak RSS of child processes: apt-get install -y time`);
  }
}

/**
 * Runs one process under GNU time with stdout into `outFile`; returns wall
 * (ms, measured here), CPU user+sys (ms) and peak RSS (KiB), and its stderr.
 */
function measure(work, cmd, args, outFile) {
  const timeFile = join(work, 'time.txt');
  const out = openSync(outFile, 'w');
  let r;
  const t0 = process.hrtime.bigint();
  try {
    r = spawnSync(GNU_TIME, ['-o', timeFile, '-f', '%U %S %M', cmd, ...args], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8', maxBuffer: 16 * MiB });
  } finally {
    closeSync(out);
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const m = /^(\d+\.\d+) (\d+\.\d+) (\d+)\s*$/m.exec(readFileSync(timeFile, 'utf8'));
  if (!m) throw new Error(`${cmd}: no timing from ${GNU_TIME}: ${readFileSync(timeFile, 'utf8')}`);
  return { status: r.status, stderr: r.stderr ?? '', wall, cpu: (Number(m[1]) + Number(m[2])) * 1000, rss: Number(m[3]) };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function medians(runs) {
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)), rss: median(runs.map((r) => r.rss)) };
}

/** The reference, checked: exit 0, "Verification successful", content handed back unchanged. */
function runOpenssl(work, list, caPath) {
  const outFile = join(work, 'openssl.out');
  const args = ['smime', '-verify', '-crl_check', '-CApath', caPath, '-attime', String(Math.floor(AT.getTime() / 1000)), '-in', list.signed, '-out', outFile];
  const r = measure(work, 'openssl', args, '/dev/null');
  if (r.status !== 0) throw new Error(`reference failed: openssl ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  if (!r.stderr.includes('Verification successful')) throw new Error(`reference failed: openssl ${args.join(' ')} did not say "Verification successful":\n${r.stderr}`);
  if (!readFileSync(outFile).equals(list.content)) throw new Error(`reference failed: openssl ${args.join(' ')} handed back content different from the signed list`);
  return r;
}

/** The CLI of a build: dist/cli.cjs (the launcher), or dist/cli.js in builds before it. */
function cliOf(dir) {
  const cjs = join(dir, 'cli.cjs');
  return existsSync(cjs) ? cjs : join(dir, 'cli.js');
}

/** vmilist verify --json, checked: exit 0 and {"ok":true} with every image (parsed once per list, size-compared after). */
function runVmilist(work, list, count, expect) {
  const outFile = join(work, 'vmilist.out');
  const args = [cliOf(dist), 'verify', list.signed, '--ca-dir', trustDir, '--at', AT.toISOString(), '--json'];
  const r = measure(work, process.execPath, args, outFile);
  if (r.status !== 0) throw new Error(`vmilist verify exited ${r.status}:\n${r.stderr}${readFileSync(outFile, 'utf8').slice(0, 2000)}`);
  const out = readFileSync(outFile);
  if (expect.size === undefined) {
    const v = JSON.parse(out.toString('utf8'));
    if (v.ok !== true || v.list['hv:images'].length !== count) throw new Error(`vmilist verify printed no verified ${count}-image list`);
    expect.size = out.length;
  } else if (out.length !== expect.size || out.subarray(0, 11).toString() !== '{"ok":true,') {
    throw new Error('vmilist verify printed a different result than in its first run');
  }
  return r;
}

/**
 * `verifySignedList` on its first call in a fresh Node process (what a
 * program that verifies one list sees: cold code, empty heap), after the
 * library is imported and the trust store loaded; the bench's own repeated
 * calls are warm.
 */
const FIRST_CALL = `
const [dist, file, trustDir, at] = process.argv.slice(1);
const { verifySignedList } = await import(dist + '/index.js');
const { loadTrustStore } = await import(dist + '/node/index.js');
const { readFileSync } = await import('node:fs');
const store = await loadTrustStore(trustDir);
const bytes = new Uint8Array(readFileSync(file));
const t0 = process.hrtime.bigint();
const v = await verifySignedList(bytes, { ...store, at: new Date(at) });
process.stdout.write(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, count: v.list['hv:images'].length }));
`;

function firstCallInProcess(list, count) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', FIRST_CALL, pathToFileURL(dist).href, list.signed, trustDir, AT.toISOString()], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`first-call verifySignedList exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  if (out.count !== count) throw new Error(`first-call verifySignedList verified ${out.count} images, not ${count}`);
  return out.ms;
}

// ------------------------------------------------------------------ Chromium

const PAGE_SCRIPT = `
import { verifySignedList } from '/vmilist.js';
window.bench = async (runs) => {
  const bytes = new Uint8Array(await (await fetch('/list.smime')).arrayBuffer());
  const trust = await (await fetch('/trust.json')).json();
  const times = [];
  let count = 0;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const v = await verifySignedList(bytes, { ...trust, at: trust.at });
    times.push(performance.now() - t);
    count = v.list['hv:images'].length;
  }
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], count };
};
`;

async function chromiumInProcess(list, runs) {
  const vmilistJs = await browserBundle(join(dist, 'index.js'), ['verifySignedList'], root);
  const names = readdirSync(trustDir).sort();
  const read = (re) => names.filter((n) => re.test(n)).map((n) => readFileSync(join(trustDir, n), 'utf8'));
  const namespaces = names.filter((n) => /\.(namespaces|signing_policy)$/.test(n)).map((n) => ({ name: n, format: n.endsWith('.namespaces') ? 'eacl' : 'signing_policy', text: readFileSync(join(trustDir, n), 'utf8') }));
  const trust = JSON.stringify({ trustAnchors: read(/\.\d+$/), crls: read(/\.r\d+$/), namespaces, at: AT.toISOString() });
  const routes = {
    '/vmilist.js': ['text/javascript', vmilistJs],
    '/list.smime': ['application/octet-stream', readFileSync(list.signed)],
    '/trust.json': ['application/json', trust],
  };
  return withChromiumPage(routes, PAGE_SCRIPT, (page) => page.evaluate((n) => window.bench(n), runs));
}

// ------------------------------------------------------------------ main

async function main() {
  if (!existsSync(cliOf(dist))) throw new Error(`no build at ${dist} (npm run build)`);
  if (!existsSync(trustDir)) throw new Error('vectors/trust is missing (bash vectors/build.sh)');
  checkGnuTime();
  const work = mkdtempSync(join(tmpdir(), 'vmilist-verify-bench-'));
  try {
    const cert = join(pki, 'alice.pem');
    const dn = oneLine(cert, 'subject');
    const ca = oneLine(cert, 'issuer');
    const caPath = hashedCaDir(work);
    const { verifySignedList } = await import(pathToFileURL(join(dist, 'index.js')).href);
    const { loadTrustStore } = await import(pathToFileURL(join(dist, 'node/index.js')).href);
    const store = await loadTrustStore(trustDir);
    // the CLI's V8 code cache (src/cli/compile-cache.ts) in the work dir, filled by
    // one unmeasured run per list; VMILIST_COMPILE_CACHE=0 measures without it
    process.env.VMILIST_COMPILE_CACHE ??= join(work, 'compile-cache');
    const startup = [];
    const rows = [];
    console.log(`reference: openssl smime -verify -crl_check -CApath <rehashed vectors/trust>; ${RUNS} interleaved runs per list, medians; wall, CPU (user+sys) and peak RSS from ${GNU_TIME}`);
    for (const count of SIZES) {
      const list = signedList(work, count, dn, ca);
      const osl = [];
      const cli = [];
      const expect = {};
      runVmilist(work, list, count, expect);
      for (let i = 0; i < RUNS; i++) {
        // alternate the order so neither always runs on a warmer machine
        if (i % 2 === 0) {
          osl.push(runOpenssl(work, list, caPath));
          cli.push(runVmilist(work, list, count, expect));
        } else {
          cli.push(runVmilist(work, list, count, expect));
          osl.push(runOpenssl(work, list, caPath));
        }
        if (rows.length === 0) startup.push(measure(work, process.execPath, ['-e', '0'], '/dev/null'));
      }
      const first = [];
      for (let i = 0; i < RUNS; i++) first.push(firstCallInProcess(list, count));
      const bytes = new Uint8Array(readFileSync(list.signed));
      // warm: after WARMUP unmeasured calls on this list (the first call is the column before),
      // then the median of WARM_RUNS calls, each after a full GC
      for (let i = 0; i < WARMUP; i++) await verifySignedList(bytes, { ...store, at: AT });
      const inproc = [];
      for (let i = 0; i < WARM_RUNS; i++) {
        globalThis.gc?.();
        const t0 = process.hrtime.bigint();
        const v = await verifySignedList(bytes, { ...store, at: AT });
        inproc.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (v.list['hv:images'].length !== count) throw new Error('verifySignedList: wrong image count');
      }
      const row = { count, mb: list.bytes / 1e6, osl: medians(osl), cli: medians(cli), inproc: median(inproc), first: median(first), list };
      rows.push(row);
      console.log(`  ${count} images done: openssl ${row.osl.wall.toFixed(0)} ms, vmilist ${row.cli.wall.toFixed(0)} ms, in process ${row.first.toFixed(0)} ms first call, ${row.inproc.toFixed(0)} ms warm`);
    }

    let chromium;
    const row10k = rows.find((r) => r.count === 10_000);
    if (CHROMIUM && row10k) {
      try {
        chromium = await chromiumInProcess(row10k.list, RUNS);
        if (chromium.count !== 10_000) throw new Error(`Chromium verified ${chromium.count} images`);
      } catch (e) {
        chromium = { error: e instanceof Error ? e.message : String(e) };
      }
    }

    // ---------------------------------------------------------------- report
    const f = (x, d = 0) => x.toFixed(d);
    const mib = (kib) => kib / 1024;
    const head = ['images', 'MB', 'openssl wall', 'vmilist wall', 'ratio', 'openssl CPU', 'vmilist CPU', 'ratio', 'openssl RSS', 'vmilist RSS', 'ratio', 'MiB/1k img', 'in-process 1st', 'warm'];
    const table = rows.map((r) => [
      String(r.count),
      f(r.mb, 1),
      `${f(r.osl.wall)} ms`,
      `${f(r.cli.wall)} ms`,
      `${f(r.cli.wall / r.osl.wall, 2)}×`,
      `${f(r.osl.cpu)} ms`,
      `${f(r.cli.cpu)} ms`,
      `${f(r.cli.cpu / r.osl.cpu, 2)}×`,
      `${f(mib(r.osl.rss), 1)} MiB`,
      `${f(mib(r.cli.rss), 1)} MiB`,
      `${f(r.cli.rss / r.osl.rss, 2)}×`,
      f(mib(r.cli.rss) / (r.count / 1000), 2),
      `${f(r.first)} ms`,
      `${f(r.inproc)} ms`,
    ]);
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
    const line = (cells) => `| ${cells.map((c, i) => c.padStart(widths[i])).join(' | ')} |`;
    console.log(`\n${line(head)}\n|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
    for (const t of table) console.log(line(t));
    const st = medians(startup);
    console.log(`node -e 0 (Node's own start): ${f(st.wall)} ms wall, ${f(st.cpu)} ms CPU, ${f(mib(st.rss), 1)} MiB`);
    if (chromium) console.log(chromium.error ? `Chromium verifySignedList: not measured (${chromium.error})` : `Chromium verifySignedList, 10k list, in page: ${f(chromium.median)} ms (median of ${RUNS})`);

    // linearity: the cost per 1,000 more images between consecutive sizes
    const slopes = [];
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1];
      const b = rows[i];
      const k = (b.count - a.count) / 1000;
      slopes.push({ from: a.count, to: b.count, wall: (b.cli.wall - a.cli.wall) / k, inproc: (b.inproc - a.inproc) / k, rss: (mib(b.cli.rss) - mib(a.cli.rss)) / k });
    }
    for (const s of slopes) console.log(`  ${s.from} → ${s.to}: +${f(s.wall, 1)} ms wall, +${f(s.inproc, 1)} ms in process, +${f(s.rss, 2)} MiB per 1,000 images`);

    const results = [];
    const target = (name, value, goal, ok) => results.push({ name, value, goal, ok });
    if (row10k) {
      target('10k: vmilist verify wall / openssl (median)', `${f(row10k.cli.wall / row10k.osl.wall, 2)}×`, '≤ 1.6×', row10k.cli.wall / row10k.osl.wall <= 1.6);
      target('10k: vmilist verify peak RSS', `${f(mib(row10k.cli.rss), 1)} MiB`, '≤ 80 MiB', mib(row10k.cli.rss) <= 80);
      // the target is read for the warm call (the library in a long-lived program); the first call is reported beside it
      target('10k: verifySignedList in process (Node, warm)', `${f(row10k.inproc)} ms`, '≤ 100 ms', row10k.inproc <= 100);
      target('10k: verifySignedList, first call in a fresh process', `${f(row10k.first)} ms`, 'reported', true);
      if (chromium) target('10k: verifySignedList in Chromium', chromium.error ? 'error' : `${f(chromium.median)} ms`, 'reported', !chromium.error);
    }
    for (const r of rows.filter((x) => x.count >= 50_000)) {
      const k = r.count / 1000;
      target(`${k}k: vmilist verify wall / openssl (median)`, `${f(r.cli.wall / r.osl.wall, 2)}×`, '≤ 1.0×', r.cli.wall / r.osl.wall <= 1.0);
      target(`${k}k: vmilist peak RSS per 1,000 images`, `${f(mib(r.cli.rss) / k, 2)} MiB`, '≤ 3 MiB', mib(r.cli.rss) / k <= 3);
    }
    if (slopes.length >= 2) {
      // linear: time grows as a + b·n. Two checks on the CLI's wall time, made so
      // that noise on a shared machine does not decide them:
      // - the last step (the largest lists) costs per image at most 1.5× what the whole
      //   range does: growth faster than linear makes the last step the dearest. (The first
      //   step may cost more per image than the rest: the warm-up of the code grows until
      //   the code is optimised, then stops.)
      // - a straight line fits the sizes: R² of the least-squares line ≥ 0.99
      const first = rows[0];
      const last = rows[rows.length - 1];
      const lastStep = slopes[slopes.length - 1];
      const overall = (last.cli.wall - first.cli.wall) / ((last.count - first.count) / 1000);
      target(`wall per 1,000 images, last step vs ${first.count}→${last.count}`, `${f(lastStep.wall / overall, 2)}×`, '≤ 1.5× (not superlinear)', lastStep.wall / overall <= 1.5);
      const xs = rows.map((r) => r.count);
      const ys = rows.map((r) => r.cli.wall);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      const ssRes = xs.reduce((a, x, i) => a + (ys[i] - (my + slope * (x - mx))) ** 2, 0);
      const ssTot = ys.reduce((a, y) => a + (y - my) ** 2, 0);
      const r2 = 1 - ssRes / ssTot;
      target(`wall vs images, ${first.count}–${last.count}: R² of a line`, f(r2, 4), '≥ 0.99 (linear)', r2 >= 0.99);
      // peak memory: the last step against the whole range, the same way
      const overallRss = (mib(last.cli.rss) - mib(first.cli.rss)) / ((last.count - first.count) / 1000);
      target(`peak RSS per 1,000 images, last step vs ${first.count}→${last.count}`, `${f(lastStep.rss / overallRss, 2)}×`, '≤ 1.5× (not superlinear)', lastStep.rss / overallRss <= 1.5);
    }
    console.log(`\n${'target'.padEnd(52)}${'value'.padEnd(14)}${'goal'.padEnd(22)}verdict`);
    for (const r of results) console.log(`${r.name.padEnd(52)}${r.value.padEnd(14)}${r.goal.padEnd(22)}${r.ok ? 'ok' : 'MISSED'}`);
    return results.every((r) => r.ok) ? 0 : 1;
  } finally {
    if (process.env.VERIFY_BENCH_KEEP) console.log(`kept the signed lists in ${work} (for node --cpu-prof)`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`verify bench FAILED: ${e instanceof Error ? e.message : e}`);
    process.exit(1);
  },
);
