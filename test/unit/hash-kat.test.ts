// Known-answer tests for every algorithm and backend, in Node and Chromium.
// Empty and "abc" use the published FIPS 180 example digests; the longer
// inputs are checked against WebCrypto, an independent implementation
// present in both runtimes.
import { describe, expect, it } from 'vitest';
import { createHasher, HASH_ALGORITHMS, type HashAlgorithm, type HasherBackend } from '../../src/index.js';

const PUBLISHED: Record<HashAlgorithm, { empty: string; abc: string }> = {
  sha512: {
    empty: 'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    abc: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  },
  sha384: {
    empty: '38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b',
    abc: 'cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7',
  },
  sha256: {
    empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  },
  sha1: { empty: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', abc: 'a9993e364706816aba3e25717850c26c9cd0d89d' },
};

// FIPS 180-2 appendix C.2: the two-block message for SHA-384/512
const LONG_896 = 'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu';
const SHA512_896 =
  '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909';

const WEBCRYPTO: Record<HashAlgorithm, string> = { sha512: 'SHA-512', sha384: 'SHA-384', sha256: 'SHA-256', sha1: 'SHA-1' };

async function webcrypto(algorithm: HashAlgorithm, data: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest(WEBCRYPTO[algorithm], data));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 1 MiB of a non-periodic pattern (a period would hide block-order bugs). */
function pattern(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + (i >>> 8) * 7 + (i >>> 16)) & 0xff;
  return out;
}

const ascii = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s) as Uint8Array<ArrayBuffer>;

const CASES: { backend: HasherBackend; algorithms: readonly HashAlgorithm[] }[] = [
  { backend: 'auto', algorithms: HASH_ALGORITHMS },
  { backend: 'js', algorithms: HASH_ALGORITHMS },
  { backend: 'wasm', algorithms: ['sha512', 'sha384'] },
];

describe.each(CASES)('backend $backend', ({ backend, algorithms }) => {
  describe.each(algorithms)('%s', (algorithm) => {
    it('empty input gives the published digest', async () => {
      const h = await createHasher(algorithm, { backend });
      expect(h.algorithm).toBe(algorithm);
      expect(h.digest()).toBe(PUBLISHED[algorithm].empty);
      expect(h.bytesHashed).toBe(0);
    });

    it('"abc" gives the published digest', async () => {
      const h = await createHasher(algorithm, { backend });
      expect(h.update(ascii('abc')).digest()).toBe(PUBLISHED[algorithm].abc);
    });

    it('1 MiB in 1000-byte chunks equals WebCrypto', async () => {
      const data = pattern(1 << 20);
      const h = await createHasher(algorithm, { backend });
      for (let i = 0; i < data.length; i += 1000) h.update(data.subarray(i, i + 1000));
      expect(h.bytesHashed).toBe(1 << 20);
      expect(h.digest()).toBe(await webcrypto(algorithm, data));
    });

    it('every length from 0 to 300 equals WebCrypto (padding across block ends)', async () => {
      const data = pattern(300);
      for (let n = 0; n <= 300; n++) {
        const h = await createHasher(algorithm, { backend });
        expect(h.update(data.subarray(0, n)).digest(), `length ${n}`).toBe(await webcrypto(algorithm, data.slice(0, n)));
      }
    });

    it('is single-use: update or digest after digest is ERR_INPUT', async () => {
      const h = await createHasher(algorithm, { backend });
      h.digest();
      expect(() => h.update(ascii('x'))).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
      expect(() => h.digest()).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
    });
  });
});

it('SHA-512 of the FIPS two-block message matches on both backends', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    expect((await createHasher('sha512', { backend })).update(ascii(LONG_896)).digest()).toBe(SHA512_896);
  }
});

it('rejects unknown algorithms and backends with ERR_INPUT', async () => {
  await expect(createHasher('md5' as HashAlgorithm)).rejects.toMatchObject({ code: 'ERR_INPUT' });
  await expect(createHasher('sha512', { backend: 'native' as HasherBackend })).rejects.toMatchObject({ code: 'ERR_INPUT' });
  await expect(createHasher('sha256', { backend: 'wasm' })).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/wasm.*sha256/) });
});

it('hashers are independent (no shared state between concurrent wasm instances)', async () => {
  const [a, b] = await Promise.all([createHasher('sha512', { backend: 'wasm' }), createHasher('sha512', { backend: 'wasm' })]);
  a.update(ascii('ab'));
  b.update(ascii('xyz'));
  a.update(ascii('c'));
  expect(a.digest()).toBe(PUBLISHED.sha512.abc);
  expect(b.digest()).toBe(await webcrypto('sha512', ascii('xyz')));
});
