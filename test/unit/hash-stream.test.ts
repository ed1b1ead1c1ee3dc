// hashStream over every accepted source kind, with progress, a size cap that
// stops an endless stream, and abort that wins over a stalled source.
import { describe, expect, it } from 'vitest';
import { createHasher, hashStream, isVmiListError, type ByteSource } from '../../src/index.js';
import { YIELD_EVERY_BYTES } from '../../src/hash/stream.js';

const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7 + (i >>> 10)) & 0xff);
const chunks = (bytes: Uint8Array, size: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
};

async function expected(bytes: Uint8Array<ArrayBuffer>, algorithm = 'SHA-512'): Promise<string> {
  return Array.from(new Uint8Array(await crypto.subtle.digest(algorithm, bytes)), (b) => b.toString(16).padStart(2, '0')).join('');
}

function readable(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const part = parts[i++];
      if (part) controller.enqueue(part);
      else controller.close();
    },
  });
}

async function* asyncIterable(parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield p;
}

/** An endless ReadableStream of 64 KiB chunks that records whether it was cancelled. */
function endless(): { stream: ReadableStream<Uint8Array>; state: { pulled: number; cancelled: unknown } } {
  const state = { pulled: 0, cancelled: undefined as unknown };
  const chunk = new Uint8Array(65536).fill(0x5a);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulled++;
      controller.enqueue(chunk);
    },
    cancel(reason) {
      state.cancelled = reason ?? 'cancelled';
    },
  });
  return { stream, state };
}

describe('source kinds', () => {
  const cases: [string, () => ByteSource][] = [
    ['ReadableStream', () => readable(chunks(data, 4096))],
    ['async iterable', () => asyncIterable(chunks(data, 999))],
    ['sync iterable', () => chunks(data, 12345)],
    ['single Uint8Array', () => data],
  ];
  it.each(cases)('%s', async (_name, make) => {
    const want = await expected(data);
    const seen: number[] = [];
    const r = await hashStream(make(), { onProgress: (n) => seen.push(n) });
    expect(r).toEqual({ algorithm: 'sha512', digest: want, size: data.length });
    expect(seen.at(-1)).toBe(data.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  it('other algorithms and a caller-made hasher', async () => {
    expect((await hashStream(chunks(data, 5000), { algorithm: 'sha256' })).digest).toBe(await expected(data, 'SHA-256'));
    const hasher = await createHasher('sha1', { backend: 'js' });
    const r = await hashStream(readable(chunks(data, 300)), { hasher, algorithm: 'sha512' });
    expect(r.algorithm).toBe('sha1');
    expect(r.digest).toBe(await expected(data, 'SHA-1'));
  });

  it('an empty source', async () => {
    expect(await hashStream(readable([]))).toEqual({ algorithm: 'sha512', digest: await expected(new Uint8Array(0)), size: 0 });
  });

  it('rejects sources and chunks that are not bytes with ERR_INPUT', async () => {
    await expect(hashStream(42 as unknown as ByteSource)).rejects.toMatchObject({ code: 'ERR_INPUT' });
    await expect(hashStream(['text'] as unknown as ByteSource)).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/string/) });
    await expect(hashStream(data, { algorithm: 'md5' as 'sha1' })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    await expect(hashStream(data, { maxBytes: -1 })).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });

  it('a failing source is ERR_INPUT with the cause kept', async () => {
    const boom = new Error('connection reset');
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(data.subarray(0, 10));
      },
      pull(controller) {
        controller.error(boom);
      },
    });
    const err: unknown = await hashStream(failing).catch((e: unknown) => e);
    expect(isVmiListError(err, 'ERR_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/after 10 bytes.*connection reset/);
    expect((err as Error).cause).toBe(boom);
  });
});

describe('maxBytes', () => {
  it('exactly maxBytes is fine; one more is ERR_TOO_LARGE', async () => {
    expect((await hashStream(chunks(data, 1000), { maxBytes: data.length })).size).toBe(data.length);
    await expect(hashStream(chunks(data, 1000), { maxBytes: data.length - 1 })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });

  it('stops an endless stream at once and cancels it', async () => {
    const { stream, state } = endless();
    const err: unknown = await hashStream(stream, { maxBytes: 1_000_000 }).catch((e: unknown) => e);
    expect(isVmiListError(err, 'ERR_TOO_LARGE')).toBe(true);
    expect((err as Error).message).toMatch(/1000000/);
    // 1,000,000 B = 15.3 chunks: it stopped on the 16th, plus at most the stream's read-ahead
    expect(state.pulled).toBeLessThanOrEqual(18);
    await Promise.resolve();
    expect(state.cancelled).toBeDefined();
  });

  it('stops an endless async generator and closes it', async () => {
    let finished = false;
    async function* forever(): AsyncGenerator<Uint8Array> {
      try {
        for (;;) yield new Uint8Array(4096);
      } finally {
        finished = true;
      }
    }
    await expect(hashStream(forever(), { maxBytes: 10_000 })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
    await new Promise((r) => setTimeout(r, 0));
    expect(finished).toBe(true);
  });
});

describe('abort', () => {
  it('an already aborted signal rejects before reading', async () => {
    const { stream, state } = endless();
    const reason = new Error('user went away');
    const err: unknown = await hashStream(stream, { signal: AbortSignal.abort(reason) }).catch((e: unknown) => e);
    expect(isVmiListError(err, 'ERR_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/aborted/);
    expect((err as Error).cause).toBe(reason);
    expect(state.pulled).toBeLessThanOrEqual(1); // at most the stream's own start-up pull
  });

  it('aborting mid-stream stops an endless source and cancels it', async () => {
    const { stream, state } = endless();
    const ac = new AbortController();
    const p = hashStream(stream, { signal: ac.signal, onProgress: (n) => n >= 5 * 65536 && ac.abort() });
    await expect(p).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/aborted/) });
    expect(state.pulled).toBeLessThan(10);
    await Promise.resolve();
    expect(state.cancelled).toBeDefined();
  });

  it('aborting wins over a source that never delivers', async () => {
    const stalled = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) });
    const ac = new AbortController();
    const p = hashStream(stalled, { signal: ac.signal });
    setTimeout(() => ac.abort(), 10);
    await expect(p).rejects.toMatchObject({ code: 'ERR_INPUT' });
    const stalledIterable: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise(() => {}) }) };
    const ac2 = new AbortController();
    const p2 = hashStream(stalledIterable, { signal: ac2.signal });
    setTimeout(() => ac2.abort(), 10);
    await expect(p2).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });
});

describe('yielding to the event loop', () => {
  it('lets timers run while a fully buffered stream is hashed (a macrotask between pieces)', async () => {
    const total = 8 * YIELD_EVERY_BYTES;
    const chunk = new Uint8Array(64 * 1024).fill(7);
    // every chunk already queued: reads resolve in microtasks only
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < total / chunk.length; i++) c.enqueue(chunk);
        c.close();
      },
    });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      const r = await hashStream(stream, { backend: 'js' });
      expect(r.size).toBe(total);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('hashes one large Uint8Array in pieces, reporting each piece, with the same digest', async () => {
    const data = new Uint8Array(2 * YIELD_EVERY_BYTES + 5).map((_, i) => i & 255);
    const seen: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const r = await hashStream(data, { onProgress: (n) => seen.push(n) });
    clearInterval(timer);
    expect(r.digest).toBe(await expected(data));
    expect(seen).toEqual([YIELD_EVERY_BYTES, 2 * YIELD_EVERY_BYTES, data.length]);
    expect(ticks).toBeGreaterThan(0);
  });
});
