/**
 * Step 3 (chain): from the signer certificate through certificates in the
 * message or given intermediates to a trust anchor, each signature checked
 * with WebCrypto; then validity at `at`, CA constraints and critical
 * extensions of every certificate on the path.
 *
 * Path building: a self-signed anchor ends the path. A trusted certificate
 * that is not self-signed (an IGTF store trusts every CA it holds) ends it
 * too, unless its own issuer is available — then the path goes on to the
 * root, as OpenSSL does, so the root's CRL and validity count as well.
 * CA certificates may be signed with SHA-1 (the `allowSha1` rule is for the
 * list signature only); MD5- or MD2-signed certificates are refused.
 */
import { VmiListError } from '../errors.js';
import { formatListDate } from '../model/dates.js';
import { dnEquals } from '../x509/dn.js';
import { checkIssuerSignature } from './algorithms.js';
import { bytesEqual } from './bytes.js';
import { KU, sameCert, selfIssued, type Cert } from './certs.js';

/** Longest path built (signer included). */
export const MAX_PATH_LENGTH = 10;

/**
 * Most paths tried in one search. Certificates in a message are the
 * attacker's to choose: many with the same name signed by one key would
 * otherwise make the search exponential.
 */
export const MAX_PATH_STEPS = 1000;

/** Certificates available for building a path. */
export interface PathPool {
  /** Trusted certificates. */
  readonly anchors: readonly Cert[];
  /** Untrusted certificates that may complete a path (from the message and the caller). */
  readonly intermediates: readonly Cert[];
}

/** Whether `issuer`'s subject is `child`'s issuer name (and key identifiers do not disagree). */
export function namesIssuer(issuer: Cert, child: Cert): boolean {
  if (!(bytesEqual(issuer.subjectDer, child.issuerDer) || dnEquals(issuer.subject, child.issuer))) return false;
  if (child.authorityKeyId && issuer.subjectKeyId && !bytesEqual(child.authorityKeyId, issuer.subjectKeyId)) return false;
  return true;
}

/** A checker of "child is signed by issuer's key", cached for one call. */
export type SignedByCheck = (child: Cert, issuer: Cert) => Promise<true | string>;

/** Makes a {@link SignedByCheck} that remembers its answers (one verification per pair). */
export function signedByChecker(crypto: Crypto): SignedByCheck {
  const cache = new Map<Cert, Map<Cert, Promise<true | string>>>();
  return (child, issuer) => {
    let inner = cache.get(child);
    if (!inner) cache.set(child, (inner = new Map()));
    let p = inner.get(issuer);
    if (!p) {
      p = checkSignedBy(crypto, child, issuer);
      inner.set(issuer, p);
    }
    return p;
  };
}

function checkSignedBy(crypto: Crypto, child: Cert, issuer: Cert): Promise<true | string> {
  return checkIssuerSignature(crypto, child.signed, issuer.publicKey, `certificate ${child.dn}`, issuer.dn);
}

/**
 * Builds the path signer → … → trust anchor.
 *
 * @returns the certificates from the signer to the anchor.
 * @throws VmiListError `ERR_CERT_UNTRUSTED` naming the issuer that is missing.
 */
export async function buildPath(signer: Cert, pool: PathPool, signedBy: SignedByCheck): Promise<Cert[]> {
  const all = [...pool.anchors, ...pool.intermediates];
  const isAnchor = (c: Cert): boolean => pool.anchors.some((a) => sameCert(a, c));
  let problem: string | undefined;

  let steps = 0;
  const extend = async (path: Cert[]): Promise<Cert[] | undefined> => {
    if (++steps > MAX_PATH_STEPS) {
      throw new VmiListError('ERR_CERT_UNTRUSTED', `no path from the signer ${signer.dn} to a trusted CA within ${MAX_PATH_STEPS} steps (too many candidate certificates)`);
    }
    const cur = path[path.length - 1] as Cert;
    const trusted = isAnchor(cur);
    if (trusted && selfIssued(cur)) return path;
    if (path.length < MAX_PATH_LENGTH) {
      const seen = (c: Cert): boolean => path.some((p) => sameCert(p, c));
      const candidates = all.filter((c) => !seen(c) && namesIssuer(c, cur));
      // anchors first, then the others; duplicates (same DER) once
      const ordered = [...candidates.filter(isAnchor), ...candidates.filter((c) => !isAnchor(c))].filter(
        (c, i, arr) => arr.findIndex((d) => sameCert(c, d)) === i,
      );
      for (const cand of ordered) {
        const ok = await signedBy(cur, cand);
        if (ok !== true) {
          problem ??= ok;
          continue;
        }
        const found = await extend([...path, cand]);
        if (found) return found;
      }
      if (ordered.length === 0 && !trusted) problem ??= `the issuer ${cur.issuerDn} of ${cur.dn} is not among the trusted CAs`;
    } else problem ??= `the path from ${signer.dn} is longer than ${MAX_PATH_LENGTH} certificates`;
    return trusted ? path : undefined;
  };

  const path = await extend([signer]);
  if (!path) {
    throw new VmiListError(
      'ERR_CERT_UNTRUSTED',
      `no path from the signer ${signer.dn} to a trusted CA: ${problem ?? `the issuer ${signer.issuerDn} is not among the trusted CAs`}`,
    );
  }
  return path;
}

/** Every certificate on the path must be valid at `at` (epoch ms). @throws VmiListError `ERR_CERT_EXPIRED` */
export function checkValidity(path: readonly Cert[], at: number): void {
  for (const c of path) {
    const range = `valid ${formatListDate(c.notBefore)} to ${formatListDate(c.notAfter)}`;
    if (at < c.notBefore) {
      throw new VmiListError('ERR_CERT_EXPIRED', `certificate ${c.dn} is not yet valid at ${formatListDate(at)} (${range})`);
    }
    if (at > c.notAfter) {
      throw new VmiListError('ERR_CERT_EXPIRED', `certificate ${c.dn} has expired at ${formatListDate(at)} (${range})`);
    }
  }
}

/**
 * Structural rules of the path: no unknown critical extension anywhere
 * (`ERR_CERT_UNTRUSTED`); every issuing certificate is a CA (basicConstraints
 * CA:TRUE — a trust anchor without basicConstraints is accepted, as for v1
 * roots) whose keyUsage, when present, allows keyCertSign, and whose
 * pathLenConstraint is respected (`ERR_CERT_UNTRUSTED`); the signer is not a
 * CA (`ERR_CERT_USAGE`).
 */
export function checkPathConstraints(path: readonly Cert[]): void {
  for (const c of path) {
    if (c.unknownCritical.length > 0) {
      throw new VmiListError('ERR_CERT_UNTRUSTED', `certificate ${c.dn} has critical extension(s) this verifier does not process: ${c.unknownCritical.join(', ')}`);
    }
  }
  for (let i = 1; i < path.length; i++) {
    const ca = path[i] as Cert;
    const isLast = i === path.length - 1;
    const bc = ca.basicConstraints;
    if (bc ? !bc.ca : !isLast) {
      throw new VmiListError('ERR_CERT_UNTRUSTED', `certificate ${ca.dn} issued ${(path[i - 1] as Cert).dn} but is not a CA (basicConstraints CA:TRUE missing)`);
    }
    if (ca.keyUsage && !ca.keyUsage.has(KU.keyCertSign)) {
      throw new VmiListError('ERR_CERT_UNTRUSTED', `CA certificate ${ca.dn} may not sign certificates (keyUsage lacks keyCertSign)`);
    }
    // CA certificates below this one, not counting the signer
    if (bc?.pathLen !== undefined && i - 1 > bc.pathLen) {
      throw new VmiListError('ERR_CERT_UNTRUSTED', `CA certificate ${ca.dn} allows ${bc.pathLen} CA(s) below it, the path has ${i - 1}`);
    }
  }
  const signer = path[0] as Cert;
  if (signer.basicConstraints?.ca) {
    throw new VmiListError('ERR_CERT_USAGE', `the signer certificate ${signer.dn} is a CA certificate (basicConstraints CA:TRUE); lists must be signed with a personal or host certificate`);
  }
}
