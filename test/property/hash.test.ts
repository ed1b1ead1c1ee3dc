// Property: for random inputs cut into random chunks, every backend agrees
// with WebCrypto's one-shot digest (Node and Chromium alike).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHasher, hashStream, type HashAlgorithm, type HasherBackend } from '../../src/index.js';

const NAMES: Record<HashAlgorithm, string> = { sha512: 'SHA-512', sha384: 'SHA-384', sha256: 'SHA-256', sha1: 'SHA-1' };

async function webcrypto(algorithm: HashAlgorithm, data: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest(NAMES[algorithm], Uint8Array.from(data)));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Cuts `data` at the given (unsorted, possibly out-of-range) points. */
function cut(data: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, data.length]) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}

const input = fc.record({
  data: fc.uint8Array({ minLength: 0, maxLength: 2000 }),
  points: fc.array(fc.nat(), { maxLength: 12 }),
});

const CASES: [HasherBackend, HashAlgorithm][] = [
  ['wasm', 'sha512'],
  ['wasm', 'sha384'],
  ['js', 'sha512'],
  ['js', 'sha384'],
  ['js', 'sha256'],
  ['js', 'sha1'],
];

describe.each(CASES)('%s %s equals WebCrypto on random chunked input', (backend, algorithm) => {
  it('holds', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ data, points }) => {
        const h = await createHasher(algorithm, { backend });
        for (const part of cut(data, points)) h.update(part);
        expect(h.bytesHashed).toBe(data.length);
        expect(h.digest()).toBe(await webcrypto(algorithm, data));
      }),
      { numRuns: 60 },
    );
  });
});

it('hashStream over random chunkings equals one-shot (wasm, larger inputs)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 300_000 }), fc.array(fc.nat(), { maxLength: 6 }), async (data, points) => {
      const r = await hashStream(cut(data, points), { backend: 'wasm' });
      expect(r.size).toBe(data.length);
      expect(r.digest).toBe(await webcrypto('sha512', data));
    }),
    { numRuns: 15 },
  );
});
