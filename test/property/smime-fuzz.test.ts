// Fuzzing the verifier with mutations of valid signed messages: byte flips,
// insertions, deletions, truncations, header edits and base64 damage, alone
// and combined. Every outcome must be a VmiListError (never another
// exception, never a hang), and a message is accepted only when the signed
// content is still the content that was signed. The run is sized by time
// (VMILIST_FUZZ_RUNS overrides the count) and reports its slowest case.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VmiListError, verifySignature, verifySignedList, type VerifyOptions } from '../../src/index.js';
import { inBrowser, readBytes } from '../support/files.js';
import { loadManifest, trustSet } from '../support/vectors.js';

const manifest = await loadManifest();
const main = await trustSet(manifest, 'main');
const OPTIONS: VerifyOptions = { ...main, at: manifest.at };

const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
const RUNS = Number(env['VMILIST_FUZZ_RUNS'] ?? 10_000);
// whole-run time budget, shared by the seeds; a seed stops early when its share is spent.
// Node runs the full 10,000 mutations (no budget); Chromium, slower per call, a 15 s share.
const BUDGET_MS = Number(env['VMILIST_FUZZ_BUDGET_MS'] ?? (inBrowser ? 15_000 : 0));
const HANG_MS = 5_000;

// Valid messages of every shape, each with the content it signs.
const SEEDS = ['alice-sha512.smime', 'alice-opaque.smime', 'carol-p256-sha256.smime', 'alice-cms-sha384.smime', 'two-signers.smime'];

const enc = new TextEncoder();
const dec = new TextDecoder('latin1');

/** CRLF canonical form, for comparing what was signed with what was accepted. */
function crlf(b: Uint8Array): string {
  return dec.decode(b).replace(/\r?\n/g, '\r\n');
}

type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'header'; variant: number }
  | { kind: 'base64'; at: number; variant: number };

// a relative offset in [0, 1): integers spread positions better than doubles, which fast-check biases to the ends
const position = fc.integer({ min: 0, max: 999_999 }).map((x) => x / 1_000_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: position, xor: fc.integer({ min: 1, max: 255 }) }) as fc.Arbitrary<never> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('set' as const), at: position, value: fc.constantFrom(0, 10, 13, 32, 45, 61, 34, 59, 0xff, 0x80) }) as fc.Arbitrary<never> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }) as fc.Arbitrary<never> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }) as fc.Arbitrary<never> },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: position }) as fc.Arbitrary<never> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('header' as const), variant: fc.integer({ min: 0, max: 11 }) }) as fc.Arbitrary<never> },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('base64' as const), at: position, variant: fc.integer({ min: 0, max: 4 }) }) as fc.Arbitrary<never> },
);

function splice(b: Uint8Array, atRaw: number, removeRaw: number, insert: Uint8Array = new Uint8Array()): Uint8Array {
  const at = Math.max(0, Math.min(atRaw, b.length));
  const remove = Math.max(0, Math.min(removeRaw, b.length - at));
  const out = new Uint8Array(b.length - remove + insert.length);
  out.set(b.subarray(0, at), 0);
  out.set(insert, at);
  out.set(b.subarray(at + remove), at + insert.length);
  return out;
}

function replaceText(b: Uint8Array, from: RegExp, to: string | ((m: string) => string)): Uint8Array {
  const t = dec.decode(b);
  const out = typeof to === 'string' ? t.replace(from, to) : t.replace(from, to);
  return Uint8Array.from(out, (c) => c.charCodeAt(0) & 0xff);
}

// Header edits an attacker or a broken relay could make.
const HEADER_EDITS: ((b: Uint8Array) => Uint8Array)[] = [
  (b) => replaceText(b, /protocol="[^"]*"/i, 'protocol="application/pgp-signature"'),
  (b) => replaceText(b, /boundary="?([^";\r\n]+)"?/i, 'boundary="other-boundary"'),
  (b) => replaceText(b, /boundary="?([^";\r\n]+)"?/i, 'boundary=""'),
  (b) => replaceText(b, /multipart\/signed/i, 'multipart/mixed'),
  (b) => replaceText(b, /Content-Type:[^\r\n]*/i, (m) => `${m}\nContent-Type: text/plain`),
  (b) => replaceText(b, /Content-Transfer-Encoding: base64/i, 'Content-Transfer-Encoding: quoted-printable'),
  (b) => replaceText(b, /Content-Transfer-Encoding: base64/i, 'Content-Transfer-Encoding: 7bit'),
  (b) => replaceText(b, /application\/(x-)?pkcs7-signature/gi, 'application/octet-stream'),
  (b) => replaceText(b, /smime-type=signed-data/i, 'smime-type=enveloped-data'),
  (b) => replaceText(b, /^MIME-Version: 1.0\r?\n/, ''),
  (b) => replaceText(b, /\r?\n\r?\n/, '\n'), // no blank line after the headers
  (b) => concat(enc.encode('Content-Type: text/plain\r\n\r\n'), b), // a second envelope in front
];

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Offsets of base64 text (the signature part or the opaque body): after the blank line that follows the last base64 header. */
function base64Region(b: Uint8Array): [number, number] {
  const t = dec.decode(b);
  const cte = t.toLowerCase().lastIndexOf('content-transfer-encoding: base64');
  if (cte === -1) return [0, b.length];
  const blanks = [t.indexOf('\n\n', cte), t.indexOf('\r\n\r\n', cte)].filter((i) => i >= 0);
  return [blanks.length > 0 ? Math.min(...blanks) : cte, b.length];
}

function apply(b: Uint8Array, m: Mutation): Uint8Array {
  const at = (x: number) => Math.floor(x * b.length);
  switch (m.kind) {
    case 'flip': {
      const out = b.slice();
      const i = at(m.at);
      out[i] = (out[i] as number) ^ m.xor;
      return out;
    }
    case 'set': {
      const out = b.slice();
      out[at(m.at)] = m.value;
      return out;
    }
    case 'insert':
      return splice(b, at(m.at), 0, Uint8Array.from(m.bytes));
    case 'delete':
      return splice(b, at(m.at), m.length);
    case 'truncate':
      return b.subarray(0, at(m.at));
    case 'header':
      return (HEADER_EDITS[m.variant] as (x: Uint8Array) => Uint8Array)(b);
    case 'base64': {
      const [s, e] = base64Region(b);
      const i = s + Math.floor(m.at * (e - s));
      const variants = [
        () => splice(b, i, 0, enc.encode('*')), // a character outside the alphabet
        () => splice(b, i, 1), // one character less
        () => splice(b, i, 0, enc.encode('A')), // one character more
        () => splice(b, i, 0, enc.encode('==')), // padding in the middle
        () => splice(b, i, 0, enc.encode('\r\n\r\n')), // a blank line in the middle
      ];
      return (variants[m.variant] as () => Uint8Array)();
    }
  }
}

type Verify = (input: Uint8Array) => Promise<{ content: Uint8Array }>;

interface Stats {
  total: number;
  accepted: number;
  slowest: { ms: number; what: string };
}

/**
 * Runs mutations of `seed` through `verify` until `runs` are done or
 * `budgetMs` is spent (0: no time limit). Fails on anything but a
 * VmiListError, on an accepted message whose content changed, and on a case
 * slower than HANG_MS.
 */
async function fuzz(seed: { file: string; bytes: Uint8Array; signed: string }, verify: Verify, runs: number, budgetMs: number, stats: Stats): Promise<number> {
  const started = performance.now();
  let done = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ms): Promise<boolean> => {
      if (budgetMs > 0 && performance.now() - started > budgetMs) return true; // budget spent: the remaining runs are no-ops
      done++;
      const input = ms.reduce(apply, seed.bytes);
      const what = `${seed.file} ${JSON.stringify(ms)}`;
      const t0 = performance.now();
      try {
        const v = await verify(input);
        // accepted: the signed region must be exactly what was signed
        if (crlf(v.content) !== seed.signed) throw new Error(`${what}: accepted with a changed content`);
        stats.accepted++;
      } catch (e) {
        if (!(e instanceof VmiListError)) throw new Error(`${what}: not a VmiListError: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      }
      const elapsed = performance.now() - t0;
      if (elapsed > stats.slowest.ms) stats.slowest = { ms: elapsed, what };
      if (elapsed > HANG_MS) throw new Error(`${what}: took ${elapsed.toFixed(0)} ms`);
      return true;
    }),
    { numRuns: runs, seed: 20260601 + seed.file.length, endOnFailure: true },
  );
  stats.total += done;
  return done;
}

const seeds = await Promise.all(
  SEEDS.map(async (f) => {
    const bytes = await readBytes(`vectors/signed/${f}`);
    const v = await verifySignedList(bytes, OPTIONS);
    return { file: f, bytes, signed: crlf(v.content) };
  }),
);

// Mutations that once escaped as something other than a VmiListError; always run.
const REGRESSIONS: { file: string; ms: Mutation[]; why: string }[] = [
  {
    file: 'alice-cms-sha384.smime',
    ms: [{ kind: 'flip', at: 0.729645, xor: 62 }],
    why: 'base64 damage inside the embedded certificate’s keyUsage value: a TypeError in certificate parsing',
  },
];

describe('fuzz regressions', () => {
  it.each(REGRESSIONS.map((r) => [r.why, r] as const))('%s', async (_, r) => {
    const seed = seeds.find((s) => s.file === r.file);
    if (!seed) throw new Error(`no seed ${r.file}`);
    const input = r.ms.reduce(apply, seed.bytes);
    for (const verify of [(b: Uint8Array) => verifySignature(b), (b: Uint8Array) => verifySignedList(b, OPTIONS)]) {
      const outcome = await verify(input).then(
        (v) => (crlf(v.content) === seed.signed ? 'accepted unchanged' : 'ACCEPTED CHANGED'),
        (e: unknown) => (e instanceof VmiListError ? 'VmiListError' : `not a VmiListError: ${String(e)}`),
      );
      expect(['VmiListError', 'accepted unchanged']).toContain(outcome);
    }
  });
});

// Most of the budget goes to the signature step (no trust material to parse per call, so many more cases);
// the full verification gets the rest. VMILIST_FUZZ_BUDGET_MS=0 VMILIST_FUZZ_RUNS=10000 runs the full count.
const SIG_SHARE = 0.7;

describe.each([
  ['verifySignature (steps 1–2)', (b: Uint8Array) => verifySignature(b), SIG_SHARE],
  ['verifySignedList (steps 1–8)', (b: Uint8Array) => verifySignedList(b, OPTIONS), 1 - SIG_SHARE],
] as const)('%s under mutation', (label, verify, share) => {
  const stats: Stats = { total: 0, accepted: 0, slowest: { ms: 0, what: '' } };

  it.each(seeds.map((s) => [s.file, s] as const))('%s: every mutation ends in a VmiListError or the unchanged content', async (_, seed) => {
    const done = await fuzz(seed, verify, Math.ceil((RUNS * share) / SEEDS.length), (BUDGET_MS * share) / SEEDS.length, stats);
    expect(done).toBeGreaterThan(0);
  }, 600_000);

  it('reports the run', () => {
    console.log(`smime fuzz, ${label}: ${stats.total} mutated messages, ${stats.accepted} accepted with the content unchanged; slowest ${stats.slowest.ms.toFixed(1)} ms: ${stats.slowest.what}`);
    expect(stats.total).toBeGreaterThanOrEqual(SEEDS.length * 10);
    // without a time budget the whole count runs (the two steps together: RUNS mutations)
    if (BUDGET_MS === 0) expect(stats.total).toBeGreaterThanOrEqual(Math.floor(RUNS * share));
  });
});
