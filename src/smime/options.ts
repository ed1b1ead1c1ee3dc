/**
 * Verification options with their defaults filled in, once, from
 * src/defaults.ts: the steps of the verifier read only the resolved values.
 */
import { DEFAULTS } from '../defaults.js';
import type { CertProfile, CrlPolicy } from './types.js';

/** Every defaulted verification option, resolved. */
export interface ResolvedVerifyOptions {
  readonly maxBytes: number;
  readonly allowSha1: boolean;
  readonly crlPolicy: CrlPolicy;
  readonly crlGraceSeconds: number;
  readonly certProfile: CertProfile;
  readonly skewSeconds: number;
}

/** Fills in the defaults of `verifySignedList` (and, for the fields it has, `verifySignature`). */
export function resolveVerifyOptions(v: Partial<ResolvedVerifyOptions>): ResolvedVerifyOptions {
  return {
    maxBytes: v.maxBytes ?? DEFAULTS.maxListBytes,
    allowSha1: v.allowSha1 === true,
    crlPolicy: v.crlPolicy ?? DEFAULTS.crlPolicy,
    crlGraceSeconds: v.crlGraceSeconds ?? DEFAULTS.crlGraceSeconds,
    certProfile: v.certProfile ?? DEFAULTS.certProfile,
    skewSeconds: v.skewSeconds ?? DEFAULTS.skewSeconds,
  };
}
