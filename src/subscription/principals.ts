/**
 * Endorser principals: matching a signer (subject, issuer) against
 * `{dn, ca?}` entries. DNs are compared by RDN sequence ({@link dnEquals}),
 * so OpenSSL one-line and RFC 4514 spellings of one name match.
 */
import { VmiListError } from '../errors.js';
import { dnEquals, parseDn } from '../x509/dn.js';
import type { EndorserPrincipal } from './types.js';

/** A signer as recorded in state. */
export interface Signer {
  readonly dn: string;
  readonly ca: string;
}

/** True when `signer` is the principal (same subject; same issuer when the principal names one). */
export function principalMatches(principal: EndorserPrincipal, signer: Signer): boolean {
  if (!dnEquals(principal.dn, signer.dn)) return false;
  return principal.ca === undefined || dnEquals(principal.ca, signer.ca);
}

/** True when any principal matches. */
export function anyPrincipalMatches(principals: readonly EndorserPrincipal[], signer: Signer): boolean {
  return principals.some((p) => principalMatches(p, signer));
}

/**
 * A memo for matching many records against one principal: records repeat the
 * same few signers, and DN parsing per record would dominate on large states.
 */
export function principalMatcher(principals: readonly EndorserPrincipal[]): (signer: Signer) => boolean {
  const memo = new Map<string, boolean>();
  return (signer) => {
    const key = `${signer.dn}\u0000${signer.ca}`;
    let v = memo.get(key);
    if (v === undefined) {
      v = anyPrincipalMatches(principals, signer);
      memo.set(key, v);
    }
    return v;
  };
}

/** Validates and copies a principal argument; throws `ERR_INPUT` on a malformed DN. */
export function checkPrincipal(value: unknown, what: string): EndorserPrincipal {
  if (typeof value !== 'object' || value === null) throw new VmiListError('ERR_INPUT', `${what} must be an object {dn, ca?}`);
  const { dn, ca } = value as { dn?: unknown; ca?: unknown };
  if (typeof dn !== 'string') throw new VmiListError('ERR_INPUT', `${what}.dn must be a DN string`);
  if (ca !== undefined && typeof ca !== 'string') throw new VmiListError('ERR_INPUT', `${what}.ca must be a DN string when given`);
  for (const [k, v] of [['dn', dn], ['ca', ca]] as const) {
    if (v === undefined) continue;
    try {
      parseDn(v);
    } catch (e) {
      throw new VmiListError('ERR_INPUT', `${what}.${k} is not a distinguished name: ${JSON.stringify(v)}`, { cause: e });
    }
  }
  return ca === undefined ? { dn } : { dn, ca };
}
