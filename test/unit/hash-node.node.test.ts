// vmilist/node hashing: createHasher on node:crypto, hashFile with large
// overlapped reads, and node Readables as hashStream/verifyImage sources.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashStream, verifyImage, type HashAlgorithm, type Hasher } from '../../src/index.js';
import { hashFile } from '../../src/node/hash-file.js';
import {
  createHasher,
  createImageVerifier as nodeImageVerifier,
  createNodeHasher,
  hashStream as nodeHashStream,
  verifyImage as nodeVerifyImage,
} from '../../src/node/hasher.js';

let dir: string;
/** 5 MiB + 3: crosses hashFile's 2 MiB read buffers twice and ends mid-buffer. */
const big = Buffer.alloc(5 * (1 << 20) + 3);
for (let i = 0; i < big.length; i++) big[i] = (i * 151 + (i >>> 12)) & 0xff;
const sha = (alg: string, data: Uint8Array): string => createHash(alg).update(data).digest('hex');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vmilist-hash-'));
  await writeFile(join(dir, 'empty'), new Uint8Array(0));
  await writeFile(join(dir, 'one'), Buffer.from('a'));
  await writeFile(join(dir, 'big'), big);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createHasher (vmilist/node)', () => {
  it('defaults to node:crypto and matches it for every algorithm and a 1 MiB input', async () => {
    const mib = big.subarray(0, 1 << 20);
    for (const alg of ['sha512', 'sha384', 'sha256', 'sha1'] as const) {
      const h = await createHasher(alg);
      expect(h.constructor.name).toBe('NodeHasher');
      h.update(mib.subarray(0, 1000)).update(mib.subarray(1000));
      expect(h.bytesHashed).toBe(1 << 20);
      expect(h.digest()).toBe(sha(alg, mib));
      expect(() => h.digest()).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
    }
  });

  it('can use the core backends instead', async () => {
    expect((await createHasher('sha512', { backend: 'wasm' })).constructor.name).toBe('WasmSha512');
    expect((await createHasher('sha512', { backend: 'js' })).update(big).digest()).toBe(sha('sha512', big));
    expect(() => createNodeHasher('md5' as 'sha1')).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});

describe('hashFile', () => {
  it('hashes empty, one-byte and multi-buffer files', async () => {
    expect(await hashFile(join(dir, 'empty'))).toEqual({ size: 0, sha512: sha('sha512', new Uint8Array(0)) });
    expect(await hashFile(join(dir, 'one'))).toEqual({ size: 1, sha512: sha('sha512', Buffer.from('a')) });
    const progress: [number, number | undefined][] = [];
    const r = await hashFile(join(dir, 'big'), { onProgress: (d, t) => progress.push([d, t]) });
    expect(r).toEqual({ size: big.length, sha512: sha('sha512', big) });
    expect(progress.length).toBe(3);
    expect(progress.at(-1)).toEqual([big.length, big.length]);
  });

  it('ERR_IO names a missing file', async () => {
    const missing = join(dir, 'nope');
    await expect(hashFile(missing)).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringContaining(missing) });
    await expect(hashFile(dir)).rejects.toMatchObject({ code: 'ERR_IO' });
  });

  it('maxBytes and abort', async () => {
    await expect(hashFile(join(dir, 'big'), { maxBytes: big.length - 1 })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    expect((await hashFile(join(dir, 'big'), { maxBytes: big.length })).size).toBe(big.length);
    await expect(hashFile(join(dir, 'big'), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    const ac = new AbortController();
    const p = hashFile(join(dir, 'big'), { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/aborted/) });
  });
});

describe('node Readable sources', () => {
  it('hashStream reads a file stream and Readable.from', async () => {
    const r = await hashStream(createReadStream(join(dir, 'big')), { hasher: await createHasher('sha512') });
    expect(r).toEqual({ algorithm: 'sha512', digest: sha('sha512', big), size: big.length });
    expect((await hashStream(Readable.from([big.subarray(0, 10), big.subarray(10, 99)]))).digest).toBe(sha('sha512', big.subarray(0, 99)));
  });

  it('a Readable with an encoding set is ERR_INPUT', async () => {
    await expect(hashStream(createReadStream(join(dir, 'one'), { encoding: 'utf8' }))).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });

  it('maxBytes destroys an endless Readable', async () => {
    let n = 0;
    const endless = new Readable({
      read() {
        n++;
        this.push(Buffer.alloc(65536));
      },
    });
    await expect(hashStream(endless, { maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    await new Promise((r) => setImmediate(r));
    expect(endless.destroyed).toBe(true);
    expect(n).toBeLessThan(40);
  });

  it('verifyImage with a node:crypto hasher', async () => {
    const image = { 'hv:size': big.length, 'sl:checksum:sha512': sha('sha512', big) };
    expect(await verifyImage(createReadStream(join(dir, 'big')), image, { hasher: await createHasher('sha512') })).toEqual({
      ok: true,
      sha512: image['sl:checksum:sha512'],
      size: big.length,
    });
  });
});

describe('vmilist/node stream helpers default to node:crypto', () => {
  const image = (): { 'hv:size': number; 'sl:checksum:sha512': string } => ({ 'hv:size': big.length, 'sl:checksum:sha512': sha('sha512', big) });

  it('hashStream, verifyImage and createImageVerifier use a NodeHasher', async () => {
    const made: string[] = [];
    const spy = (a: HashAlgorithm): Hasher => {
      const h = createNodeHasher(a);
      made.push(h.constructor.name);
      return h;
    };
    // the default path: same digests as node:crypto
    expect((await nodeHashStream(createReadStream(join(dir, 'big')), { algorithm: 'sha384' })).digest).toBe(sha('sha384', big));
    expect((await nodeVerifyImage(createReadStream(join(dir, 'big')), image())).ok).toBe(true);
    const v = nodeImageVerifier(image());
    // node:stream/web and DOM stream types differ only nominally
    const web = Readable.toWeb(createReadStream(join(dir, 'big'))) as unknown as ReadableStream<Uint8Array>;
    await web.pipeThrough(v).pipeTo(new WritableStream());
    expect((await v.result).size).toBe(big.length);
    // an explicit backend still wins
    expect((await nodeHashStream(big, { backend: spy })).digest).toBe(sha('sha512', big));
    expect(made).toEqual(['NodeHasher']);
    await expect(nodeVerifyImage(big.subarray(1), image())).rejects.toMatchObject({ code: 'ERR_SIZE_MISMATCH' });
  });
});
