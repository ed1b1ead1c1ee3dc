/** `createHasher` of `vmilist/node`: the same contract as the core's, on node:crypto by default. */
import { createHash } from 'node:crypto';
import { createHasher as createCoreHasher } from '../hash/create.js';
import { SingleUseHasher } from '../hash/single-use.js';
import type { ImageDigestFacts, ImageVerification } from '../hash/image-check.js';
import { createImageVerifier as coreImageVerifier, type ImageVerifier } from '../hash/image-verifier.js';
import type { ByteSource } from '../hash/source.js';
import { hashStream as coreHashStream, type HashStreamOptions, type HashStreamResult } from '../hash/stream.js';
import { verifyImage as coreVerifyImage, type VerifyImageOptions } from '../hash/verify-image.js';
import { VmiListError } from '../errors.js';
import { HASH_ALGORITHMS, type HashAlgorithm, type Hasher, type HasherBackend } from '../hash/types.js';

// its own class name, so the backend in use can be told apart
class NodeHasher extends SingleUseHasher {
  constructor(algorithm: HashAlgorithm) {
    const hash = createHash(algorithm);
    super(algorithm, { update: (chunk) => hash.update(chunk), digestHex: () => hash.digest('hex') });
  }
}

/** A synchronous `node:crypto` hasher; also usable as a `HasherFactory` backend. */
export function createNodeHasher(algorithm: HashAlgorithm): Hasher {
  if (!HASH_ALGORITHMS.includes(algorithm)) {
    throw new VmiListError('ERR_INPUT', `unknown hash algorithm ${JSON.stringify(algorithm)}; expected one of ${HASH_ALGORITHMS.join(', ')}`);
  }
  return new NodeHasher(algorithm);
}

/** Options for `createHasher` of `vmilist/node`. */
export interface NodeCreateHasherOptions {
  /** `'node'` (default: `node:crypto`, OpenSSL's assembly), or any core backend (`'auto'`, `'wasm'`, `'js'`, a factory). */
  backend?: HasherBackend | 'node';
}

/**
 * Creates an incremental hasher, like the core `createHasher`, but backed by
 * `node:crypto` unless another backend is asked for. Pass the result as the
 * `hasher` option of `hashStream`, `verifyImage` or `createImageVerifier`
 * to hash at native speed in Node.
 *
 * @throws VmiListError `ERR_INPUT` for an unknown algorithm or backend.
 */
export async function createHasher(algorithm: HashAlgorithm, options: NodeCreateHasherOptions = {}): Promise<Hasher> {
  const backend = options.backend ?? 'node';
  if (backend === 'node') return createNodeHasher(algorithm);
  return createCoreHasher(algorithm, { backend });
}

// The core's stream helpers with node:crypto as their default backend, so
// `vmilist/node` users hash at native speed without passing a hasher.

/** `hashStream` of the core, hashing with `node:crypto` unless `hasher` or `backend` says otherwise. */
export function hashStream(source: ByteSource, options: HashStreamOptions = {}): Promise<HashStreamResult> {
  return coreHashStream(source, { ...options, backend: options.backend ?? createNodeHasher });
}

/** `verifyImage` of the core, hashing with `node:crypto` unless `hasher` or `backend` says otherwise. */
export function verifyImage(source: ByteSource, image: ImageDigestFacts, options: VerifyImageOptions = {}): Promise<ImageVerification> {
  return coreVerifyImage(source, image, { ...options, backend: options.backend ?? createNodeHasher });
}

/** `createImageVerifier` of the core, hashing with `node:crypto` unless `hasher` or `backend` says otherwise. */
export function createImageVerifier(image: ImageDigestFacts, options: VerifyImageOptions = {}): ImageVerifier {
  return coreImageVerifier(image, { ...options, backend: options.backend ?? createNodeHasher });
}
