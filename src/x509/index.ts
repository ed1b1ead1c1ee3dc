// Public API of src/x509 (re-exported by src/index.ts): distinguished names.
export type { Ava, Rdn, DistinguishedName, CertificateLike } from './dn.js';
export { parseDn, dnEquals, nameToOpenSsl, nameToRfc4514, toOpenSslDn, certificateSubject, certificateIssuer } from './dn.js';
export type { EndorserPrincipal } from './principal.js';
