/**
 * One pull-based reader over the byte sources vmilist hashes: a WHATWG
 * ReadableStream, anything async-iterable (a Node Readable is), a sync
 * iterable of chunks, or a single Uint8Array. Reads race the AbortSignal so
 * a stalled source cannot hold an aborted caller.
 */
import { VmiListError } from '../errors.js';

/** Bytes vmilist can read: a stream, an (async) iterable of chunks, or one chunk. */
export type ByteSource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | Uint8Array;

/** Pulls chunks; `cancel` tells the source to stop producing. */
export interface ChunkReader {
  /** The next chunk, or undefined at the end. */
  next(): Promise<Uint8Array | undefined>;
  /** Stops the source (best effort, never rejects; need not be awaited). */
  cancel(reason: unknown): Promise<void>;
}

/** The error every aborted read rejects with: `ERR_INPUT`, the signal's reason as cause. */
export function abortError(signal: AbortSignal, what: string): VmiListError {
  return new VmiListError('ERR_INPUT', `${what} aborted`, { cause: signal.reason });
}

function checkChunk(value: unknown): Uint8Array {
  // the tag check also admits Uint8Arrays from another realm (iframe, vm)
  if (value instanceof Uint8Array || (ArrayBuffer.isView(value) && Object.prototype.toString.call(value) === '[object Uint8Array]')) {
    return value as Uint8Array;
  }
  throw new VmiListError('ERR_INPUT', `byte source yielded ${typeof value === 'string' ? 'a string' : Object.prototype.toString.call(value)}, expected Uint8Array chunks (no encoding set on a Node stream)`);
}

function isReadableStream(source: object): source is ReadableStream<Uint8Array> {
  return typeof (source as ReadableStream).getReader === 'function';
}

/** Opens a {@link ChunkReader} over `source`; `ERR_INPUT` when it is none of the accepted kinds. */
export function openSource(source: ByteSource): ChunkReader {
  if (source instanceof Uint8Array) {
    let done = false;
    return {
      next: async () => (done ? undefined : ((done = true), source)),
      cancel: async () => {},
    };
  }
  if (typeof source === 'object' && source !== null && isReadableStream(source)) {
    const reader = source.getReader();
    return {
      async next() {
        const r = await reader.read();
        return r.done ? undefined : checkChunk(r.value);
      },
      cancel: (reason) => reader.cancel(reason).catch(() => {}),
    };
  }
  const iterator =
    typeof source === 'object' && source !== null
      ? Symbol.asyncIterator in source
        ? source[Symbol.asyncIterator]()
        : Symbol.iterator in source
          ? source[Symbol.iterator]()
          : undefined
      : undefined;
  if (!iterator) throw new VmiListError('ERR_INPUT', 'expected a ReadableStream, an (async) iterable of Uint8Array chunks, or a Uint8Array');
  return {
    async next() {
      const r = await iterator.next();
      return r.done ? undefined : checkChunk(r.value);
    },
    async cancel() {
      try {
        // for a Node Readable this destroys the stream
        await iterator.return?.();
      } catch {
        // the source is being abandoned; its own error adds nothing
      }
    },
  };
}

/** `promise`, or a rejection with {@link abortError} as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal, what));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
