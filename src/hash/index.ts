// Public API of src/hash (re-exported by src/index.ts).
export type { HashAlgorithm, Hasher, HasherFactory, HasherBackend, CreateHasherOptions } from './types.js';
export { HASH_ALGORITHMS } from './types.js';
export { createHasher } from './create.js';
export type { ByteSource } from './source.js';
export { hashStream } from './stream.js';
export type { HashStreamOptions, HashStreamResult } from './stream.js';
export type { ImageDigestFacts, ImageVerification } from './image-check.js';
export { verifyImage } from './verify-image.js';
export type { VerifyImageOptions } from './verify-image.js';
export { createImageVerifier } from './image-verifier.js';
export type { ImageVerifier } from './image-verifier.js';
