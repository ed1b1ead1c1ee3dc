// Public API of src/smime (re-exported by src/index.ts).
export type { DerOrPem, NamespaceFile, TrustMaterial, CrlPolicy, CertProfile, EndorserPrincipal, VerifyOptions, SignedInput, SignDigest, SignOptions, SignableList } from './types.js';
export type { CertificateSummary } from './certs.js';
export type { ParsedSmime } from './mime.js';
export { parseSmime } from './mime.js';
export type { SignatureOptions, SignatureResult } from './verify.js';
export { verifySignature, verifySignedList } from './verify.js';
export type { PreparedTrust } from './trust.js';
export { prepareTrust } from './trust.js';
export type { PrepareOptions, PreparedList } from './sign.js';
export { prepareListForSigning, signImageList, signedContentOf } from './sign.js';
