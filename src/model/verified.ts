/**
 * The verified list: the only form of a list the subscription reducer
 * accepts. Only the S/MIME verifier creates one (through {@link sealVerified},
 * which is not part of the public API), so an unverified list cannot reach
 * subscription state by accident or by a misspelt option.
 */
import { VmiListError } from '../errors.js';
import type { ImageList, ImageListDocument, Warning } from './types.js';

/** Who signed a verified list, from the signer certificate. */
export interface SignerIdentity {
  /** Subject DN in OpenSSL one-line form (`/C=DE/O=GermanGrid/CN=…`). */
  readonly dn: string;
  /** Issuer DN in OpenSSL one-line form. */
  readonly issuer: string;
  /** Certificate serial number, lower-case hex. */
  readonly serial: string;
  /** Start of the certificate's validity, `Z` form. */
  readonly notBefore: string;
  /** End of the certificate's validity, `Z` form. */
  readonly notAfter: string;
}

/** An image list whose signature, chain, revocation, schema, binding and time were all checked. */
export interface VerifiedImageList {
  /** The list (`hv:imagelist`), frozen. */
  readonly list: ImageList;
  /** The whole document, frozen. */
  readonly document: ImageListDocument;
  /** The signer. */
  readonly signer: SignerIdentity;
  /** The certificates from the signer up to the trust anchor, each as OpenSSL one-line subject DN. */
  readonly chain: readonly string[];
  /** Digest algorithm of the signature: `sha1`, `sha256`, `sha384` or `sha512`. */
  readonly digestAlgorithm: string;
  /** The signed content exactly as received (bytes). */
  readonly content: Uint8Array;
  /**
   * SHA-256 of the CRLF canonical form of `content`, hex: the same list
   * re-encoded with LF or CRLF line ends has the same value (a mirror that
   * rewrites line ends does not make an unchanged list look new).
   */
  readonly contentSha256: string;
  /** The instant the verification was made for, `Z` form. */
  readonly verifiedAt: string;
  /** Dialect forms accepted and policy relaxations in force. */
  readonly warnings: readonly Warning[];
}

const sealed = new WeakSet<object>();

// Freezes every object and array under `value` (typed arrays stay as they
// are: they cannot be frozen). Plain loops, no Object.values() array per
// object: a 100k-image list has 200k objects.
function deepFreeze<T>(value: T): T {
  const o = value as unknown;
  if (typeof o !== 'object' || o === null || ArrayBuffer.isView(o) || Object.isFrozen(o)) return value;
  Object.freeze(o);
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v: unknown = o[i];
      if (typeof v === 'object' && v !== null) deepFreeze(v);
    }
  } else {
    const rec = o as Record<string, unknown>;
    for (const k in rec) {
      const v = rec[k];
      if (typeof v === 'object' && v !== null) deepFreeze(v);
    }
  }
  return value;
}

/**
 * Freezes and registers a verified list. Internal: called by the verifier
 * (and by tests that build states without signing); not exported from the
 * package entry.
 */
export function sealVerified(v: Omit<VerifiedImageList, never>): VerifiedImageList {
  const out = deepFreeze({ ...v });
  sealed.add(out);
  return out;
}

/** True when `value` came out of vmilist's verifier in this realm. */
export function isVerifiedImageList(value: unknown): value is VerifiedImageList {
  return typeof value === 'object' && value !== null && sealed.has(value);
}

/** Throws `ERR_INPUT` unless `value` came out of vmilist's verifier. */
export function assertVerified(value: unknown, what = 'list'): asserts value is VerifiedImageList {
  if (!isVerifiedImageList(value)) {
    throw new VmiListError('ERR_INPUT', `${what} was not produced by verifySignedList(); only verified lists are accepted`);
  }
}
