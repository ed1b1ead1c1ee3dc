// verifyImage and createImageVerifier: the verdicts and the error codes,
// with expected and actual values named in the messages.
import { describe, expect, it } from 'vitest';
import { createHasher, createImageVerifier, isVmiListError, verifyImage, type ImageDigestFacts } from '../../src/index.js';

const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 13 + (i >>> 7)) & 0xff);
const UUID = 'd8c2b5f4-3a61-4c3e-9a8b-1f2e3d4c5b6a';

async function sha512(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-512', data)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function stream(data: Uint8Array, chunk = 8192): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(c) {
      if (i >= data.length) return c.close();
      c.enqueue(data.slice(i, i + chunk));
      i += chunk;
    },
  });
}

async function image(data = bytes): Promise<{ 'dc:identifier': string; 'hv:size': number; 'sl:checksum:sha512': string }> {
  return { 'dc:identifier': UUID, 'hv:size': data.length, 'sl:checksum:sha512': await sha512(data) };
}

async function failure(p: Promise<unknown>): Promise<Error & { code: string }> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isVmiListError(e)) throw new Error(`expected a VmiListError, got ${String(e)}`);
  return e;
}

describe('verifyImage', () => {
  it('accepts matching bytes and reports size and digest', async () => {
    const img = await image();
    const progress: [number, number][] = [];
    const r = await verifyImage(stream(bytes), img, { onProgress: (n, t) => progress.push([n, t]) });
    expect(r).toEqual({ ok: true, sha512: img['sl:checksum:sha512'], size: bytes.length });
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
  });

  it('accepts the AppDB digit-string size, upper-case hex and the {"hv:image": …} wrapper', async () => {
    const img = await image();
    const wrapped: ImageDigestFacts = { 'hv:image': { 'hv:size': String(bytes.length), 'sl:checksum:sha512': img['sl:checksum:sha512'].toUpperCase() } };
    expect((await verifyImage(bytes, wrapped)).ok).toBe(true);
  });

  it('a short source is ERR_SIZE_MISMATCH naming both sizes and the image', async () => {
    const img = await image();
    const e = await failure(verifyImage(stream(bytes.subarray(0, 50_000)), img));
    expect(e.code).toBe('ERR_SIZE_MISMATCH');
    expect(e.message).toContain('50000');
    expect(e.message).toContain(String(bytes.length));
    expect(e.message).toContain(UUID);
  });

  it('a longer source is ERR_TOO_LARGE as soon as the extra bytes arrive', async () => {
    const img = await image(bytes.subarray(0, 10_000));
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(4096));
      },
    });
    const e = await failure(verifyImage(endless, img));
    expect(e.code).toBe('ERR_TOO_LARGE');
    expect(e.message).toMatch(/12288.*10000/);
    expect(pulled).toBeLessThan(6);
  });

  it('same size, other bytes is ERR_HASH_MISMATCH naming both digests', async () => {
    const img = await image();
    const tampered = bytes.slice();
    tampered[12_345] = (tampered[12_345] ?? 0) ^ 1;
    const e = await failure(verifyImage(stream(tampered), img));
    expect(e.code).toBe('ERR_HASH_MISMATCH');
    expect(e.message).toContain(img['sl:checksum:sha512']);
    expect(e.message).toContain(await sha512(tampered));
  });

  it('malformed expectations and a wrong hasher are ERR_INPUT', async () => {
    const img = await image();
    for (const bad of [
      { ...img, 'hv:size': -1 },
      { ...img, 'hv:size': '12a' },
      { ...img, 'hv:size': 1.5 },
      { ...img, 'sl:checksum:sha512': 'abc' },
      { 'hv:size': 1 },
    ]) {
      expect((await failure(verifyImage(bytes, bad as ImageDigestFacts))).code).toBe('ERR_INPUT');
    }
    const sha256 = await createHasher('sha256');
    expect((await failure(verifyImage(bytes, img, { hasher: sha256 }))).code).toBe('ERR_INPUT');
  });

  it('works on every backend', async () => {
    const img = await image();
    for (const backend of ['js', 'wasm'] as const) expect((await verifyImage(stream(bytes, 1000), img, { backend })).ok).toBe(true);
  });

  it('abort is ERR_INPUT', async () => {
    const e = await failure(verifyImage(stream(bytes), await image(), { signal: AbortSignal.abort() }));
    expect(e.code).toBe('ERR_INPUT');
  });
});

describe('createImageVerifier (tee form)', () => {
  async function collect(readable: ReadableStream<Uint8Array>): Promise<{ data: Uint8Array; error: unknown }> {
    const parts: Uint8Array[] = [];
    let error: unknown;
    try {
      await readable.pipeTo(new WritableStream({ write: (c) => void parts.push(c) }));
    } catch (e) {
      error = e;
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return { data: out, error };
  }

  it('passes every byte through unchanged and resolves the verdict', async () => {
    const img = await image();
    const v = createImageVerifier(img);
    const { data, error } = await collect(stream(bytes, 5000).pipeThrough(v));
    expect(error).toBeUndefined();
    // (a deep toEqual on 70,000 elements takes seconds in the browser)
    expect(data.length).toBe(bytes.length);
    expect(data.every((b, i) => b === bytes[i])).toBe(true);
    expect(await v.result).toEqual({ ok: true, sha512: img['sl:checksum:sha512'], size: bytes.length });
  });

  it('a tampered download errors the pipe (the sink is not closed) and the result', async () => {
    const img = await image();
    const tampered = bytes.slice();
    tampered[0] = (tampered[0] ?? 0) ^ 0xff;
    const v = createImageVerifier(img);
    const { error } = await collect(stream(tampered).pipeThrough(v));
    expect(isVmiListError(error, 'ERR_HASH_MISMATCH')).toBe(true);
    await expect(v.result).rejects.toMatchObject({ code: 'ERR_HASH_MISMATCH' });
  });

  it('bytes beyond hv:size are not forwarded: ERR_TOO_LARGE', async () => {
    const img = await image(bytes.subarray(0, 20_000));
    const v = createImageVerifier(img);
    const { data, error } = await collect(stream(bytes, 8192).pipeThrough(v));
    expect(isVmiListError(error, 'ERR_TOO_LARGE')).toBe(true);
    expect(data.length).toBeLessThanOrEqual(20_000);
    await expect(v.result).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });

  it('a short download is ERR_SIZE_MISMATCH', async () => {
    const v = createImageVerifier(await image());
    const { error } = await collect(stream(bytes.subarray(0, 100)).pipeThrough(v));
    expect(isVmiListError(error, 'ERR_SIZE_MISMATCH')).toBe(true);
    await expect(v.result).rejects.toMatchObject({ code: 'ERR_SIZE_MISMATCH' });
  });

  it('malformed expectations throw at once', () => {
    expect(() => createImageVerifier({ 'hv:size': 'x', 'sl:checksum:sha512': '0' })).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});
