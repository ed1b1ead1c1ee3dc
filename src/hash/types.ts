/** The hashing contract shared by every backend. */

/** Digest algorithms vmilist hashes with (`sha1` only for legacy lists that carry it). */
export type HashAlgorithm = 'sha512' | 'sha384' | 'sha256' | 'sha1';

/** Every {@link HashAlgorithm}, strongest first. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['sha512', 'sha384', 'sha256', 'sha1'];

/**
 * An incremental hash: feed bytes with {@link Hasher.update}, then call
 * {@link Hasher.digest} once. A hasher is single-use: `update` or `digest`
 * after `digest` throws `ERR_INPUT`.
 */
export interface Hasher {
  /** The algorithm this hasher computes. */
  readonly algorithm: HashAlgorithm;
  /** Adds bytes; chunks may have any length. Returns the hasher for chaining. */
  update(chunk: Uint8Array): this;
  /** Finishes and returns the digest as lower-case hex. */
  digest(): string;
  /** Bytes passed to {@link Hasher.update} so far. */
  readonly bytesHashed: number;
}

/**
 * A caller-supplied backend: makes a hasher for an algorithm, e.g. on a
 * native crypto library. `vmilist/node` supplies one on `node:crypto`.
 */
export type HasherFactory = (algorithm: HashAlgorithm) => Hasher | Promise<Hasher>;

/**
 * Which implementation {@link createHasher} uses:
 * - `'auto'` (default): `'wasm'` for SHA-512/384 where WebAssembly can be
 *   compiled, else `'js'`; `'js'` for SHA-256 and SHA-1.
 * - `'wasm'`: WebAssembly (SHA-512 and SHA-384 only); fails with `ERR_INPUT`
 *   where WebAssembly is unavailable or blocked by a Content-Security-Policy
 *   lacking `'wasm-unsafe-eval'`.
 * - `'js'`: pure JavaScript (@noble/hashes); runs anywhere, slower.
 * - a {@link HasherFactory}: your own backend.
 */
export type HasherBackend = 'auto' | 'wasm' | 'js' | HasherFactory;

/** Options for {@link createHasher}. */
export interface CreateHasherOptions {
  /** The implementation to use; `'auto'` when omitted. */
  backend?: HasherBackend;
}
