/** hashStream: hash a byte source in constant memory, with abort, progress and a size cap. */
import { VmiListError } from '../errors.js';
import { checkAlgorithm, createHasher } from './create.js';
import { nextTurn } from './next-turn.js';
import { abortError, openSource, raceAbort, type ByteSource } from './source.js';
import type { HashAlgorithm, Hasher, HasherBackend } from './types.js';

/** Options for {@link hashStream}. */
export interface HashStreamOptions {
  /** Digest algorithm; `'sha512'` when omitted. Ignored when `hasher` is given. */
  algorithm?: HashAlgorithm;
  /** Stops reading: the call rejects with `ERR_INPUT` ("… aborted", `cause` = `signal.reason`) and the source is cancelled. */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes hashed so far. */
  onProgress?: (bytes: number) => void;
  /** Largest acceptable size: one byte more cancels the source and rejects with `ERR_TOO_LARGE`. */
  maxBytes?: number;
  /** A fresh hasher to feed (e.g. from `createHasher` of `vmilist/node`); wins over `algorithm` and `backend`. */
  hasher?: Hasher;
  /** Backend for the hasher made when `hasher` is not given (see {@link HasherBackend}). */
  backend?: HasherBackend;
}

/** What {@link hashStream} measured. */
export interface HashStreamResult {
  /** The algorithm used. */
  algorithm: HashAlgorithm;
  /** The digest, lower-case hex. */
  digest: string;
  /** Bytes read from the source. */
  size: number;
}

/**
 * Bytes hashed between two yields to the event loop: ~3 ms of WebAssembly
 * or ~15 ms of JavaScript SHA-512, so a page hashing on its main thread
 * still paints and answers input, at a cost of well under 1 % throughput.
 */
export const YIELD_EVERY_BYTES = 1 << 20;

/** Throws `ERR_INPUT` unless `n` is undefined or a non-negative safe integer. */
export function checkMaxBytes(n: number | undefined): void {
  if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0)) {
    throw new VmiListError('ERR_INPUT', `maxBytes must be a non-negative integer, got ${String(n)}`);
  }
}

/**
 * Hashes every byte of `source` — a WHATWG `ReadableStream`, a Node
 * `Readable` or any async iterable of `Uint8Array`, a sync iterable of
 * chunks, or one `Uint8Array` — holding one chunk at a time.
 *
 * Errors (all `VmiListError`): `ERR_TOO_LARGE` as soon as more than
 * `maxBytes` bytes arrive (the source is cancelled, so an endless stream
 * cannot run on); `ERR_INPUT` when `signal` aborts (cause: `signal.reason`),
 * for a source of the wrong kind or chunks that are not bytes, and when the
 * source itself fails (cause: its error).
 *
 * Yields to the event loop after every MiB hashed
 * (a chunk larger than that is hashed in pieces), also while the source has
 * data buffered, so a browser page stays responsive and `signal` is honoured.
 *
 * @example
 * ```ts
 * const { digest, size } = await hashStream((await fetch(url)).body!, { maxBytes: 8 << 30 });
 * ```
 */
export function hashStream(source: ByteSource, options: HashStreamOptions = {}): Promise<HashStreamResult> {
  return hashSource(source, options, (limit, atLeast) =>
    new VmiListError('ERR_TOO_LARGE', `byte source sent more than the allowed ${limit} bytes (at least ${atLeast}); stopped reading`),
  );
}

/** {@link hashStream} with the caller's wording of the `ERR_TOO_LARGE` error (internal). */
export async function hashSource(
  source: ByteSource,
  options: HashStreamOptions,
  tooLarge: (limit: number, atLeast: number) => VmiListError,
): Promise<HashStreamResult> {
  const { signal, onProgress, maxBytes } = options;
  checkMaxBytes(maxBytes);
  if (options.hasher === undefined) checkAlgorithm(options.algorithm ?? 'sha512');
  if (signal?.aborted) throw abortError(signal, 'hashing');
  const reader = openSource(source);
  try {
    const hasher = options.hasher ?? (await createHasher(options.algorithm ?? 'sha512', { backend: options.backend ?? 'auto' }));
    let size = 0;
    let sinceYield = 0;
    for (;;) {
      let chunk: Uint8Array | undefined;
      try {
        chunk = await raceAbort(reader.next(), signal, 'hashing');
      } catch (cause) {
        if (cause instanceof VmiListError) throw cause;
        throw new VmiListError('ERR_INPUT', `reading the byte source failed after ${size} bytes: ${String(cause)}`, { cause });
      }
      if (chunk === undefined) break;
      if (maxBytes !== undefined && size + chunk.length > maxBytes) throw tooLarge(maxBytes, size + chunk.length);
      for (let at = 0; ; ) {
        const piece = chunk.subarray(at, at + YIELD_EVERY_BYTES);
        hasher.update(piece);
        at += piece.length;
        size += piece.length;
        sinceYield += piece.length;
        if (sinceYield >= YIELD_EVERY_BYTES) {
          sinceYield = 0;
          await nextTurn();
          if (signal?.aborted) throw abortError(signal, 'hashing');
        }
        if (at >= chunk.length) break;
        onProgress?.(size); // a chunk larger than YIELD_EVERY_BYTES reports each piece
      }
      onProgress?.(size);
    }
    return { algorithm: hasher.algorithm, digest: hasher.digest(), size };
  } catch (error) {
    // not awaited: an async generator queues return() behind a stalled next()
    void reader.cancel(error);
    throw error;
  }
}
