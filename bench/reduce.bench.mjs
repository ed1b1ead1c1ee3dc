// `npm run bench reduce`: the subscription reducer on large lists.
// Reduces a 100,000-image list (version 2: 1 % of images changed, 0.5 %
// removed, 0.5 % new) into a state holding its 100,000-image version 1, and
// the same at 10,000 images; prints the best and median of several runs
// and the 10k → 100k ratio. Exits non-zero when the best 100k run takes
// ≥ 250 ms or the ratio of the medians exceeds 12 (time must grow linearly).
// Best-of-N is the gate because other load on a shared CI machine only ever
// adds time; the median is printed to show the spread.
//
// Why a bundle: a bench must build *verified* lists without signing 100k
// images, which needs the internal `sealVerified` (not in the public entry,
// on purpose). A list sealed by one module instance is only accepted by that
// same instance, so the bench bundles the reducer sources and the test
// builder (test/support/verified.ts) together with esbuild into a temporary
// file and imports that — the same code `dist/` is built from.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TARGET_MS = 250;
const MAX_RATIO = 12;

async function load() {
  const out = await build({
    stdin: {
      contents: [
        "export { emptyState, subscribe, reduce } from './src/subscription/index.ts';",
        "export { verified, image } from './test/support/verified.ts';",
      ].join('\n'),
      resolveDir: root,
      sourcefile: 'reduce-bench-entry.ts',
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
  });
  const dir = mkdtempSync(join(tmpdir(), 'vmilist-reduce-bench-'));
  const file = join(dir, 'reduce.mjs');
  writeFileSync(file, out.outputFiles[0].text);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lib = await load();
// other load on the machine inflates wall times; say so next to the numbers
const load1 = (await import('node:os')).loadavg()[0];
console.log(`load average ${load1.toFixed(2)} on ${(await import('node:os')).availableParallelism()} CPUs`);
const E = { name: 'Bench Endorser', dn: '/C=DE/O=GermanGrid/OU=Bench/CN=Bench Endorser', ca: '/C=DE/O=GermanGrid/CN=GridKa-CA' };
const T0 = Date.parse('2026-01-01T00:00:00Z');
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

// Label-derived images are slow to hash; derive them from a cheap counter instead.
function img(i, rev = 0) {
  const hex = (i * 2654435761 + rev).toString(16).padStart(12, '0').slice(-12);
  return lib.image(`img-${i}`, {
    'dc:identifier': `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    'sl:checksum:sha512': hex.repeat(11).slice(0, 128).padEnd(128, '0'),
    'hv:version': String(1 + rev),
    'ad:vo': `vo${i % 17}`,
  });
}

function setup(n) {
  const v1Images = Array.from({ length: n }, (_, i) => img(i));
  const v2Images = [];
  for (let i = 0; i < n; i++) {
    if (i % 200 === 7) continue; // 0.5 % removed
    // a fresh object per image, as parsing the new list gives
    v2Images.push(i % 100 === 3 ? img(i, 1) : { ...v1Images[i] }); // 1 % changed
  }
  for (let i = n; i < n + n / 200; i++) v2Images.push(img(i)); // 0.5 % new
  const spec = { list: 'bench', by: E, expires: iso(T0 + 90 * 86_400_000), withContent: false };
  const l1 = lib.verified({ ...spec, version: '1', created: iso(T0), images: v1Images, contentSha256: '1'.repeat(64) });
  const l2 = lib.verified({ ...spec, version: '2', created: iso(T0 + 86_400_000), images: v2Images, contentSha256: '2'.repeat(64) });
  let state = lib.subscribe(lib.emptyState(), { id: 'bench', uri: 'https://bench.example.org/list', allowedEndorsers: [{ dn: E.dn, ca: E.ca }], newImages: 'approve' }, { now: T0 }).state;
  state = lib.reduce(state, l1, { now: T0 + 3_600_000, subscription: 'bench' }).state;
  return { state, l2 };
}

function measure(n) {
  const { state, l2 } = setup(n);
  const now = T0 + 2 * 86_400_000;
  let events = 0;
  for (let i = 0; i < 2; i++) lib.reduce(state, l2, { now }); // warm-up
  const times = [];
  const cpu = [];
  for (let i = 0; i < RUNS; i++) {
    globalThis.gc?.();
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    const r = lib.reduce(state, l2, { now });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    events = r.events.length;
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { n, median: times[Math.floor(times.length / 2)], best: times[0], cpu: cpu[0], events };

}

// Reference on this machine: the bare cost of filling an object with n
// UUID keys (what any flat uuid → record map needs), 10k versus 100k.
function keyFill(n) {
  const keys = Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`);
  const fill = () => {
    const o = {};
    for (const k of keys) o[k] = 1;
    return o;
  };
  for (let i = 0; i < 3; i++) fill();
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    fill();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return best;
}
const fillRatio = keyFill(100_000) / keyFill(10_000);

const small = measure(10_000);
const large = measure(100_000);
// The ratio gate uses medians: a single lucky 10k run (a few ms) would
// otherwise decide it; the ratio of best runs is printed too.
const ratio = large.median / small.median;
const bestRatio = large.best / small.best;
for (const m of [small, large]) {
  console.log(`reduce ${String(m.n).padStart(7)} images: median ${m.median.toFixed(1)} ms, best ${m.best.toFixed(1)} ms, best CPU ${m.cpu.toFixed(1)} ms (${m.events} events, ${RUNS} runs)`);
}
console.log(`10k → 100k ratio (medians): ${ratio.toFixed(2)}× (limit ${MAX_RATIO}×); of best runs ${bestRatio.toFixed(2)}×; 100k target < ${TARGET_MS} ms`);
console.log(`reference: filling an object with 100k vs 10k UUID keys takes ${fillRatio.toFixed(2)}× here`);
const fails = [];
if (!(large.best < TARGET_MS)) fails.push(`100k best ${large.best.toFixed(1)} ms ≥ ${TARGET_MS} ms`);
if (!(ratio <= MAX_RATIO)) fails.push(`ratio ${ratio.toFixed(2)} > ${MAX_RATIO}`);
if (fails.length) {
  console.error(`FAIL: ${fails.join('; ')}`);
  process.exit(1);
}
console.log('ok');
