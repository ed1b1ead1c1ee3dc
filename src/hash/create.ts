/** createHasher: picks a backend and returns a ready hasher. */
import { VmiListError } from '../errors.js';
import { createJsHasher } from './js-backend.js';
import { createWasmHasher, WASM_ALGORITHMS } from './wasm-backend.js';
import { HASH_ALGORITHMS, type CreateHasherOptions, type HashAlgorithm, type Hasher } from './types.js';

/** Throws `ERR_INPUT` unless `algorithm` is a {@link HashAlgorithm}. */
export function checkAlgorithm(algorithm: unknown): asserts algorithm is HashAlgorithm {
  if (!HASH_ALGORITHMS.includes(algorithm as HashAlgorithm)) {
    throw new VmiListError('ERR_INPUT', `unknown hash algorithm ${JSON.stringify(algorithm)}; expected one of ${HASH_ALGORITHMS.join(', ')}`);
  }
}

/**
 * Creates an incremental hasher. Asynchronous because compiling
 * WebAssembly is; the JS backend resolves at once.
 *
 * Backend choice (see {@link HasherBackend}): by default SHA-512 and
 * SHA-384 run on a small WebAssembly module (≈ hash-wasm speed) and fall
 * back to pure JS (@noble/hashes) when WebAssembly is missing or blocked by
 * a Content-Security-Policy without `'wasm-unsafe-eval'`; SHA-256 and SHA-1
 * always use JS. In Node, `createHasher` from `vmilist/node` defaults to
 * `node:crypto` instead, which is faster still.
 *
 * @example
 * ```ts
 * const h = await createHasher('sha512');
 * h.update(new TextEncoder().encode('abc'));
 * h.digest(); // 'ddaf35a1…a54ca49f'
 * ```
 * @throws VmiListError `ERR_INPUT` for an unknown algorithm, or for
 *   `backend: 'wasm'` when WebAssembly cannot be used or lacks the algorithm.
 */
export async function createHasher(algorithm: HashAlgorithm, options: CreateHasherOptions = {}): Promise<Hasher> {
  checkAlgorithm(algorithm);
  const backend = options.backend ?? 'auto';
  if (typeof backend === 'function') {
    const hasher = await backend(algorithm);
    if (hasher?.algorithm !== algorithm) throw new VmiListError('ERR_INPUT', `hash backend returned a ${String(hasher?.algorithm)} hasher for ${algorithm}`);
    return hasher;
  }
  if (backend === 'js') return createJsHasher(algorithm);
  if (backend === 'wasm') {
    try {
      return await createWasmHasher(algorithm);
    } catch (cause) {
      if (cause instanceof VmiListError) throw cause;
      throw new VmiListError('ERR_INPUT', `the wasm hash backend is unavailable here (${String(cause)}); use backend 'js' or 'auto'`, { cause });
    }
  }
  if (backend !== 'auto') throw new VmiListError('ERR_INPUT', `unknown hash backend ${JSON.stringify(backend)}; expected 'auto', 'wasm', 'js' or a function`);
  if (WASM_ALGORITHMS.includes(algorithm) && typeof WebAssembly === 'object') {
    try {
      return await createWasmHasher(algorithm);
    } catch {
      // blocked by CSP or a stripped-down runtime: the JS backend always works
    }
  }
  return createJsHasher(algorithm);
}
