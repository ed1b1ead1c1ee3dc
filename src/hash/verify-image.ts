/** verifyImage: read an image once and check it against its list entry. */
import { VmiListError } from '../errors.js';
import { checkImage, imageExpectation, tooLarge, type ImageDigestFacts, type ImageVerification } from './image-check.js';
import type { ByteSource } from './source.js';
import { hashSource } from './stream.js';
import type { Hasher, HasherBackend } from './types.js';

/** Options for {@link verifyImage} and {@link createImageVerifier}. */
export interface VerifyImageOptions {
  /** Stops reading; rejects with `ERR_INPUT` ("… aborted", `cause` = `signal.reason`). */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes so far and `hv:size`. */
  onProgress?: (bytes: number, total: number) => void;
  /** A fresh SHA-512 hasher to use (e.g. from `createHasher` of `vmilist/node`). */
  hasher?: Hasher;
  /** Backend for the SHA-512 hasher when `hasher` is not given. */
  backend?: HasherBackend;
}

/** Throws `ERR_INPUT` when a supplied hasher is not a fresh SHA-512 one. */
export function checkImageHasher(hasher: Hasher | undefined): void {
  if (hasher && (hasher.algorithm !== 'sha512' || hasher.bytesHashed !== 0)) {
    throw new VmiListError('ERR_INPUT', `image verification needs a fresh sha512 hasher, got ${hasher.algorithm} with ${hasher.bytesHashed} bytes hashed`);
  }
}

/**
 * Reads `source` once and checks it against the image's `hv:size` and
 * `sl:checksum:sha512`.
 *
 * Errors (all `VmiListError`, messages name the image UUID and both the
 * expected and the actual value): `ERR_TOO_LARGE` as soon as more than
 * `hv:size` bytes arrive (reading stops, so an endless stream cannot fill
 * a disk); `ERR_SIZE_MISMATCH` when the source ends short; `ERR_HASH_MISMATCH`
 * when the sizes agree and the digests do not; `ERR_INPUT` for malformed
 * expected values, an abort, or a failing source.
 *
 * @example
 * ```ts
 * const { sha512, size } = await verifyImage(response.body!, image);
 * ```
 */
export async function verifyImage(source: ByteSource, image: ImageDigestFacts, options: VerifyImageOptions = {}): Promise<ImageVerification> {
  const expected = imageExpectation(image);
  checkImageHasher(options.hasher);
  const onProgress = options.onProgress;
  const result = await hashSource(
    source,
    {
      algorithm: 'sha512',
      maxBytes: expected.size,
      signal: options.signal,
      onProgress: onProgress && ((n: number) => onProgress(n, expected.size)),
      hasher: options.hasher,
      backend: options.backend,
    },
    (_limit, atLeast) => tooLarge(expected, atLeast),
  );
  return checkImage(expected, result.size, result.digest);
}
