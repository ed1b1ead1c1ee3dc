// Property: the wasm, js and node:crypto hashers agree with node:crypto's
// one-shot digest on random inputs and random chunkings.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { createHasher } from '../../src/node/hasher.js';
import type { HashAlgorithm } from '../../src/index.js';

const ALGORITHMS: HashAlgorithm[] = ['sha512', 'sha384', 'sha256', 'sha1'];

it('every backend equals node:crypto', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ALGORITHMS),
      fc.constantFrom('node' as const, 'auto' as const, 'js' as const),
      fc.uint8Array({ maxLength: 5000 }),
      fc.array(fc.nat({ max: 5000 }), { maxLength: 8 }),
      async (algorithm, backend, data, points) => {
        const h = await createHasher(algorithm, { backend });
        let prev = 0;
        for (const p of [...points.map((x) => Math.min(x, data.length))].sort((a, b) => a - b)) {
          h.update(data.subarray(prev, p));
          prev = p;
        }
        h.update(data.subarray(prev));
        expect(h.digest()).toBe(createHash(algorithm).update(data).digest('hex'));
      },
    ),
    { numRuns: 300 },
  );
});

it('wasm equals node:crypto on inputs up to 1 MiB', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom<HashAlgorithm>('sha512', 'sha384'), fc.integer({ min: 0, max: 1 << 20 }), fc.nat(), async (algorithm, n, seed) => {
      const data = new Uint8Array(n);
      let x = seed | 1;
      for (let i = 0; i < n; i++) data[i] = (x = (Math.imul(x, 1103515245) + 12345) | 0) >>> 24;
      const h = await createHasher(algorithm, { backend: 'wasm' });
      h.update(data.subarray(0, n >> 1)).update(data.subarray(n >> 1));
      expect(h.digest()).toBe(createHash(algorithm).update(data).digest('hex'));
    }),
    { numRuns: 20 },
  );
});
