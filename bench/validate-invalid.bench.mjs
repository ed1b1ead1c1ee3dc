// `npm run bench validate-invalid`: parsing and schema validation (the
// verify path after the signature checks: parseImageList on the list's
// bytes) of lists whose images are all invalid (two schema errors each), at
// 1,000 and 10,000 images (and 100,000 for information). Prints the best and
// median of several runs and the 10k / 1k ratio of the best runs. Exits non-zero when the ratio exceeds
// 12 (time must grow linearly: before the fix it was ~100, see issue #14) or
// when a run does not report the expected verdict (ERR_SCHEMA_INVALID, the
// issue count, at most 101 issues listed).
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { parseImageList } = await import(new URL('../dist/index.js', import.meta.url).href);
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MAX_RATIO = 12;

const base = JSON.parse(readFileSync(`${root}vectors/lists/alice.json`, 'utf8'));
const good = base['hv:imagelist']['hv:images'][0]['hv:image'];
const badList = (n) =>
  new TextEncoder().encode(
    JSON.stringify({
      'hv:imagelist': { ...base['hv:imagelist'], 'hv:images': Array.from({ length: n }, () => ({ 'hv:image': { ...good, 'dc:identifier': 'not-a-uuid', 'hv:size': -1 } })) },
    }),
  );

/** One validation; checks the verdict, returns ms. */
function once(bytes, n) {
  const t0 = performance.now();
  let err;
  try {
    parseImageList(bytes);
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  if (err?.code !== 'ERR_SCHEMA_INVALID') throw new Error(`expected ERR_SCHEMA_INVALID for ${n} images, got ${err?.code ?? 'success'}`);
  if (!err.message.includes(`(and ${2 * n - 1} more)`)) throw new Error(`expected ${2 * n} issues counted for ${n} images: ${err.message}`);
  if (err.issues.length > 101) throw new Error(`${err.issues.length} issues listed for ${n} images; the cap is 100 + a summary`);
  return ms;
}

/** Best and median ms of `fn` over the samples. */
const stats = (times) => {
  const t = [...times].sort((a, b) => a - b);
  return { best: t[0], median: t[Math.floor(t.length / 2)] };
};

// 1k and 10k samples alternate, so both see the same load on a shared
// machine; a 1k sample is ten parses, so both samples do the same work
// when time grows linearly (and timer granularity weighs the same).
const small = badList(1000);
const large = badList(10_000);
once(small, 1000);
once(large, 10_000); // warm-up
const t1k = [];
const t10k = [];
for (let i = 0; i < RUNS; i++) {
  globalThis.gc?.();
  let sum = 0;
  for (let j = 0; j < 10; j++) sum += once(small, 1000);
  t1k.push(sum / 10);
  globalThis.gc?.();
  t10k.push(once(large, 10_000));
}
const huge = badList(100_000);
const t100k = [];
for (let i = 0; i < 3; i++) {
  globalThis.gc?.();
  t100k.push(once(huge, 100_000));
}

console.log(`load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs; best and median of ${RUNS} (100k: of 3)`);
const r1k = stats(t1k);
const r10k = stats(t10k);
const r100k = stats(t100k);
for (const [n, r] of [['1k', r1k], ['10k', r10k], ['100k', r100k]]) console.log(`${n.padStart(5)} invalid images: best ${r.best.toFixed(1)} ms, median ${r.median.toFixed(1)} ms`);
const ratio = r10k.best / r1k.best;
console.log(`10k / 1k (best): ${ratio.toFixed(2)}x (limit ${MAX_RATIO}x); 100k / 10k: ${(r100k.best / r10k.best).toFixed(2)}x (for information)`);
if (ratio > MAX_RATIO) {
  console.error(`FAIL: validation grows faster than linearly (${ratio.toFixed(2)}x > ${MAX_RATIO}x)`);
  process.exit(1);
}
