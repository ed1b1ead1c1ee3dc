/** The expected size and SHA-512 of an image, and the comparison both verifiers share. */
import { VmiListError } from '../errors.js';

/**
 * The image fields verification needs: an `Image` of a parsed list, the
 * raw `hv:image` object (where `hv:size` may be a digit string, as in AppDB
 * lists), or a `{ "hv:image": … }` wrapper as `vmilist image` writes it.
 */
export type ImageDigestFacts =
  | { readonly 'hv:size': number | string; readonly 'sl:checksum:sha512': string; readonly 'dc:identifier'?: string }
  | { readonly 'hv:image': { readonly 'hv:size': number | string; readonly 'sl:checksum:sha512': string; readonly 'dc:identifier'?: string } };

/** A successful image verification. */
export interface ImageVerification {
  /** Always true: a failed verification throws instead. */
  ok: true;
  /** The SHA-512 of the bytes (lower-case hex), equal to `sl:checksum:sha512`. */
  sha512: string;
  /** The number of bytes, equal to `hv:size`. */
  size: number;
}

/** Expected values read from {@link ImageDigestFacts}, validated. */
export interface ImageExpectation {
  /** `hv:size` as a number. */
  readonly size: number;
  /** `sl:checksum:sha512`, lower case. */
  readonly sha512: string;
  /** Prefix for messages: `image <uuid>: ` or `image: `. */
  readonly label: string;
}

/** Reads and checks the expected values; `ERR_INPUT` when they are malformed. */
export function imageExpectation(image: ImageDigestFacts): ImageExpectation {
  const inner = typeof image === 'object' && image !== null && 'hv:image' in image ? image['hv:image'] : image;
  if (typeof inner !== 'object' || inner === null) throw new VmiListError('ERR_INPUT', 'image must be an object with hv:size and sl:checksum:sha512');
  const id = inner['dc:identifier'];
  const label = typeof id === 'string' ? `image ${id}: ` : 'image: ';
  const rawSize = inner['hv:size'];
  const size = typeof rawSize === 'string' && /^\d+$/.test(rawSize) ? Number(rawSize) : rawSize;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new VmiListError('ERR_INPUT', `${label}hv:size must be a non-negative integer, got ${JSON.stringify(rawSize)}`);
  }
  const sha512 = inner['sl:checksum:sha512'];
  if (typeof sha512 !== 'string' || !/^[0-9a-fA-F]{128}$/.test(sha512)) {
    throw new VmiListError('ERR_INPUT', `${label}sl:checksum:sha512 must be 128 hex digits, got ${JSON.stringify(sha512)}`);
  }
  return { size, sha512: sha512.toLowerCase(), label };
}

/** The error for bytes beyond `hv:size` (thrown as soon as they arrive). */
export function tooLarge(expected: ImageExpectation, atLeast: number): VmiListError {
  return new VmiListError('ERR_TOO_LARGE', `${expected.label}received at least ${atLeast} bytes, more than hv:size ${expected.size}; stopped reading`);
}

/** Compares what was measured with what the list says; throws the mismatch. */
export function checkImage(expected: ImageExpectation, size: number, sha512: string): ImageVerification {
  if (size !== expected.size) {
    throw new VmiListError('ERR_SIZE_MISMATCH', `${expected.label}size is ${size} bytes, hv:size says ${expected.size}`);
  }
  if (sha512 !== expected.sha512) {
    throw new VmiListError('ERR_HASH_MISMATCH', `${expected.label}SHA-512 is ${sha512}, sl:checksum:sha512 says ${expected.sha512}`);
  }
  return { ok: true, sha512, size };
}
