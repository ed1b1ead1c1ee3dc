// Chunk boundaries must not matter: for a short input crossing two block
// boundaries, every split into two (and a sample of splits into three)
// gives the one-shot digest, on every backend.
import { describe, expect, it } from 'vitest';
import { createHasher, HASH_ALGORITHMS, type HashAlgorithm, type HasherBackend } from '../../src/index.js';

const N = 261; // > two SHA-512 blocks (128 B) and four SHA-256/SHA-1 blocks (64 B)
const data = Uint8Array.from({ length: N }, (_, i) => (i * 113 + 7) & 0xff);

const CASES: [HasherBackend, HashAlgorithm][] = [
  ...HASH_ALGORITHMS.map((a): [HasherBackend, HashAlgorithm] => ['js', a]),
  ['wasm', 'sha512'],
  ['wasm', 'sha384'],
];

describe.each(CASES)('%s %s', (backend, algorithm) => {
  it('every two-way split equals one-shot', async () => {
    const oneShot = (await createHasher(algorithm, { backend })).update(data).digest();
    for (let i = 0; i <= N; i++) {
      const h = await createHasher(algorithm, { backend });
      h.update(data.subarray(0, i)).update(data.subarray(i));
      expect(h.bytesHashed).toBe(N);
      expect(h.digest(), `split at ${i}`).toBe(oneShot);
    }
  });

  it('three-way splits and byte-at-a-time equal one-shot', async () => {
    const oneShot = (await createHasher(algorithm, { backend })).update(data).digest();
    for (let i = 0; i <= N; i += 7) {
      for (let j = i; j <= N; j += 11) {
        const h = await createHasher(algorithm, { backend });
        h.update(data.subarray(0, i)).update(data.subarray(i, j)).update(data.subarray(j));
        expect(h.digest(), `split at ${i}, ${j}`).toBe(oneShot);
      }
    }
    const bytewise = await createHasher(algorithm, { backend });
    for (let i = 0; i < N; i++) bytewise.update(data.subarray(i, i + 1));
    expect(bytewise.digest()).toBe(oneShot);
  });

  it('a chunk that is a view into a larger buffer hashes only its own bytes', async () => {
    const big = new Uint8Array(N + 64);
    big.set(data, 32);
    const view = big.subarray(32, 32 + N);
    const oneShot = (await createHasher(algorithm, { backend })).update(data).digest();
    expect((await createHasher(algorithm, { backend })).update(view).digest()).toBe(oneShot);
  });
});

it('wasm input larger than its 64 KiB window splits into several compress calls correctly', async () => {
  const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i ^ (i >>> 9)) & 0xff);
  const wasm = (await createHasher('sha512', { backend: 'wasm' })).update(big).digest();
  const js = (await createHasher('sha512', { backend: 'js' })).update(big).digest();
  expect(wasm).toBe(js);
});
