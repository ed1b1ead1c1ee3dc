/**
 * vmilist: HEPiX virtual-machine image lists — typed models, strict parsing
 * and JSON Schema validation, S/MIME signing and verification against grid
 * CAs and CRLs, streaming hashers, and a pure subscription-state reducer.
 * Isomorphic: no Node built-ins, no I/O, no clock (time is an argument).
 *
 * @packageDocumentation
 */
export { VmiListError, ERROR_CODES, isVmiListError } from './errors.js';
export type { ErrorCode, Issue, VmiListErrorOptions } from './errors.js';
export * from './model/index.js';
export { schemaIssues } from './schema/validate.js';
export * from './hash/index.js';
export * from './smime/index.js';
export * from './subscription/index.js';
