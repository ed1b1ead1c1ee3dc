/** createImageVerifier: the tee form of verifyImage, for hashing while the bytes go elsewhere. */
import { VmiListError } from '../errors.js';
import { createHasher } from './create.js';
import { checkImage, imageExpectation, tooLarge, type ImageDigestFacts, type ImageVerification } from './image-check.js';
import { abortError } from './source.js';
import type { Hasher } from './types.js';
import { checkImageHasher, type VerifyImageOptions } from './verify-image.js';

/**
 * A pass-through stream (use it with `pipeThrough`) that hashes every chunk
 * it forwards, plus the verdict.
 */
export interface ImageVerifier extends ReadableWritablePair<Uint8Array, Uint8Array> {
  /**
   * Settles when the stream ends, errors or is cancelled: the
   * {@link ImageVerification}, or the same error the stream failed with.
   */
  readonly result: Promise<ImageVerification>;
}

/**
 * Verifies an image while its bytes pass through to another consumer (a
 * file, a cache), so a download is read once:
 *
 * ```ts
 * const verifier = createImageVerifier(image);
 * await response.body!.pipeThrough(verifier).pipeTo(fileSink); // rejects on mismatch
 * const { sha512, size } = await verifier.result;
 * ```
 *
 * Chunks are forwarded unchanged. More than `hv:size` bytes errors the
 * stream with `ERR_TOO_LARGE` before the extra chunk is forwarded; at the
 * end a short stream errors with `ERR_SIZE_MISMATCH` and a wrong digest
 * with `ERR_HASH_MISMATCH`, so `pipeTo` rejects and the sink is aborted
 * instead of closed — a caller must still discard what it wrote.
 * `ERR_INPUT` for malformed expected values (thrown at once) or an abort
 * (`signal` is checked at each chunk; also pass it to `pipeTo` so a stalled
 * source is abandoned).
 * Needs the global `TransformStream` (every modern browser, Node ≥ 18, Deno, Bun).
 */
export function createImageVerifier(image: ImageDigestFacts, options: VerifyImageOptions = {}): ImageVerifier {
  const expected = imageExpectation(image);
  checkImageHasher(options.hasher);
  const { signal, onProgress } = options;
  let settle!: { resolve: (v: ImageVerification) => void; reject: (e: unknown) => void };
  const result = new Promise<ImageVerification>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // callers that only watch the stream must not see an unhandled rejection
  result.catch(() => {});
  let hasher: Hasher;
  let size = 0;
  const fail = (error: unknown): never => {
    settle.reject(error);
    throw error;
  };
  const stream = new TransformStream<Uint8Array, Uint8Array>({
    async start() {
      try {
        hasher = options.hasher ?? (await createHasher('sha512', { backend: options.backend ?? 'auto' }));
      } catch (error) {
        fail(error);
      }
    },
    transform(chunk, controller) {
      if (signal?.aborted) fail(abortError(signal, 'image verification'));
      if (!(chunk instanceof Uint8Array)) fail(new VmiListError('ERR_INPUT', `image verifier received ${typeof chunk}, expected Uint8Array chunks`));
      if (size + chunk.length > expected.size) fail(tooLarge(expected, size + chunk.length));
      hasher.update(chunk);
      size += chunk.length;
      onProgress?.(size, expected.size);
      controller.enqueue(chunk);
    },
    flush() {
      try {
        settle.resolve(checkImage(expected, size, hasher.digest()));
      } catch (error) {
        fail(error);
      }
    },
    // the writable side was aborted or the readable side cancelled (newer runtimes call this)
    cancel(reason: unknown) {
      settle.reject(reason instanceof VmiListError ? reason : new VmiListError('ERR_INPUT', 'image verification cancelled', { cause: reason }));
    },
  } as Transformer<Uint8Array, Uint8Array>);
  return { readable: stream.readable, writable: stream.writable, result };
}
