/**
 * `vmilist/node`: the Node.js adapters — trust store loading from an IGTF
 * CA directory, file hashing, the atomic state store, downloads, the image
 * cache and event hooks. The only place (with the CLI) that touches node:*.
 *
 * @packageDocumentation
 */
export * from '../index.js';
export * from './truststore.js';
export * from './hash-file.js';
// node:crypto by default; these explicit exports shadow the core's WASM/JS ones
export { createHasher, createNodeHasher, hashStream, verifyImage, createImageVerifier } from './hasher.js';
export type { NodeCreateHasherOptions } from './hasher.js';
export * from './state-store.js';
export * from './fetch.js';
export * from './cache.js';
export * from './hooks.js';
