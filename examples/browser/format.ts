/**
 * Display helpers for the page: human sizes, checksum prefixes and one
 * sentence per error code for people who do not know the codes.
 */
import type { ErrorCode } from '../../src/index.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `8192` → `8.0 KiB`; binary units, as image sizes are usually quoted. */
export function humanSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** The first `n` hex digits of a checksum and an ellipsis: enough to compare by eye. */
export function checksumPrefix(hex: string, n = 16): string {
  return hex.length > n ? `${hex.slice(0, n)}…` : hex;
}

/** What each code means, in one sentence a site administrator can act on. */
export const ERROR_SENTENCES: Record<ErrorCode, string> = {
  ERR_MIME_MALFORMED: 'The file is not a readable S/MIME signed message.',
  ERR_SIGNATURE_INVALID: 'The signature does not match the content: the list was changed after it was signed, or the signature is damaged.',
  ERR_DIGEST_WEAK: 'The list is signed with a digest algorithm that is too weak to trust (MD5, or SHA-1 unless allowed).',
  ERR_CERT_UNTRUSTED: "The signer's certificate does not chain to any of the CA certificates you gave.",
  ERR_CERT_EXPIRED: "A certificate in the signer's chain is not valid at the chosen instant (expired or not yet valid).",
  ERR_CERT_REVOKED: "The signer's certificate (or a CA above it) has been revoked by its CA.",
  ERR_CRL_MISSING: 'No valid revocation list (CRL) was given for a CA in the chain, and the CRL policy requires one.',
  ERR_CRL_EXPIRED: 'A revocation list (CRL) for a CA in the chain is out of date at the chosen instant.',
  ERR_CERT_USAGE: 'The signer certificate is not allowed to sign lists (key usage, extended key usage, or it is a CA).',
  ERR_NAMESPACE_VIOLATION: "The signer's name is outside the namespace its CA may issue.",
  ERR_JSON_MALFORMED: 'The signed content is not valid JSON.',
  ERR_SCHEMA_INVALID: 'The signed content is JSON but not a valid image list.',
  ERR_LIST_EXPIRED: 'The list has expired: its dc:date:expires is not after the chosen instant.',
  ERR_LIST_NOT_YET_VALID: 'The list was created in the future relative to the chosen instant.',
  ERR_ENDORSER_MISMATCH: "The signer is not one of the endorsers the list names (hv:dn / hv:ca).",
  ERR_ENDORSER_NOT_TRUSTED: 'The signer is not on the list of endorsers you accept.',
  ERR_VERSION_ROLLBACK: 'The list is older than one already accepted.',
  ERR_VERSION_REUSED: 'The list reuses an accepted version number with different content.',
  ERR_LIST_ID_MISMATCH: 'The list identifier differs from the subscribed one.',
  ERR_UUID_CONFLICT: 'An image identifier is already owned by another subscription.',
  ERR_HASH_MISMATCH: "The image's SHA-512 checksum differs from the list entry.",
  ERR_SIZE_MISMATCH: "The image's size differs from the list entry.",
  ERR_TOO_LARGE: 'The input is larger than the configured limit.',
  ERR_INPUT: 'The inputs are incomplete or not usable (check the files and the instant).',
  ERR_IO: 'A file or URL could not be read.',
};

/** The sentence for a code, or a generic one for an error that is not a vmilist error. */
export function errorSentence(code: string): string {
  return (ERROR_SENTENCES as Record<string, string | undefined>)[code] ?? 'Verification failed for an unexpected reason.';
}
