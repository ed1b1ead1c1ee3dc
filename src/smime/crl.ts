/**
 * Step 5: revocation. Every CA on the path must have a CRL whose signature
 * verifies with that CA's key and which is current at `at`; each
 * certificate it issued on the path must not be on it. Missing, expired and
 * revoked are told apart. pkijs's own check passes when no CRL is given (fail
 * open), so it is not used: this module decides.
 */
import * as pkijs from 'pkijs';
import { VmiListError } from '../errors.js';
import { parserDetail } from '../x509/asn1.js';
import { formatListDate } from '../model/dates.js';
import { decodeName, dnEquals, nameToOpenSsl, type Rdn } from '../x509/dn.js';
import { checkIssuerSignature } from './algorithms.js';
import { bs, bytesEqual } from './bytes.js';
import { derItems, EXT, KU, serialHex, type Cert } from './certs.js';
import type { CrlPolicy, DerOrPem } from './types.js';

/** A parsed CRL. */
export interface Crl {
  readonly pkijs: pkijs.CertificateRevocationList;
  readonly issuer: Rdn[];
  readonly issuerDer: Uint8Array;
  readonly issuerDn: string;
  readonly thisUpdate: number;
  readonly nextUpdate?: number;
  /** Revoked serials (lower-case hex) → revocation date. */
  readonly revoked: ReadonlyMap<string, number>;
  /** Why this CRL cannot be used at all (unknown critical extension, delta CRL, partial scope). */
  readonly unusable?: string;
  /** issuingDistributionPoint scope: only end-entity or only CA certificates. */
  readonly scope?: 'users' | 'cas';
  /** Where it came from, for messages. */
  readonly source: string;
}

// CRL extensions understood well enough to accept when critical.
const KNOWN_CRL_CRITICAL = new Set<string>([EXT.cRLNumber, EXT.authorityKeyIdentifier, EXT.issuingDistributionPoint]);
const REMOVE_FROM_CRL = 8;

/** Parses every CRL of a list of DER/PEM items. @throws VmiListError `ERR_INPUT` */
export function parseCrls(items: readonly DerOrPem[] | undefined): Crl[] {
  const out: Crl[] = [];
  (items ?? []).forEach((item, i) => {
    for (const der of derItems(item, ['X509 CRL', 'CRL'], `crls[${i}]`)) out.push(parseCrl(der, `crls[${i}]`));
  });
  return out;
}

/** Parses one DER CRL. @throws VmiListError `ERR_INPUT` */
export function parseCrl(der: Uint8Array, source: string): Crl {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = pkijs.CertificateRevocationList.fromBER(bs(der));
  } catch (cause) {
    throw new VmiListError('ERR_INPUT', `${source} is not an X.509 CRL: ${parserDetail(cause)}`, { cause });
  }
  const issuerDer = new Uint8Array(crl.issuer.valueBeforeDecode);
  const issuer = decodeName(issuerDer);
  let unusable: string | undefined;
  let scope: Crl['scope'];
  for (const ext of crl.crlExtensions?.extensions ?? []) {
    if (ext.extnID === EXT.deltaCRLIndicator) unusable = 'it is a delta CRL';
    else if (ext.extnID === EXT.issuingDistributionPoint) {
      // a CRL that covers only some reasons, is indirect or for attribute
      // certificates is not a full CRL of its CA: never count it as one
      const idp: unknown = ext.parsedValue;
      if (!(idp instanceof pkijs.IssuingDistributionPoint)) unusable = 'its issuingDistributionPoint is malformed';
      else if (idp.onlySomeReasons !== undefined || idp.indirectCRL || idp.onlyContainsAttributeCerts) unusable = 'it is a partial CRL (issuingDistributionPoint: some reasons, indirect or attribute certificates only)';
      else if (idp.onlyContainsUserCerts) scope = 'users';
      else if (idp.onlyContainsCACerts) scope = 'cas';
    } else if (ext.critical && !KNOWN_CRL_CRITICAL.has(ext.extnID)) unusable = `it has an unknown critical extension ${ext.extnID}`;
  }
  const revoked = new Map<string, number>();
  for (const entry of crl.revokedCertificates ?? []) {
    let reason: number | undefined;
    for (const ext of entry.crlEntryExtensions?.extensions ?? []) {
      if (ext.extnID === EXT.cRLReason) {
        const v: unknown = ext.parsedValue;
        reason = typeof (v as { valueBlock?: { valueDec?: unknown } })?.valueBlock?.valueDec === 'number' ? (v as { valueBlock: { valueDec: number } }).valueBlock.valueDec : undefined;
      } else if (ext.critical && ext.extnID !== EXT.invalidityDate) {
        unusable = `an entry has an unknown critical extension ${ext.extnID}`;
      }
    }
    if (reason === REMOVE_FROM_CRL) continue;
    revoked.set(serialHex(entry.userCertificate), entry.revocationDate.value.getTime());
  }
  return {
    pkijs: crl,
    issuer,
    issuerDer,
    issuerDn: nameToOpenSsl(issuer),
    thisUpdate: crl.thisUpdate.value.getTime(),
    ...(crl.nextUpdate ? { nextUpdate: crl.nextUpdate.value.getTime() } : {}),
    revoked,
    ...(unusable ? { unusable } : {}),
    ...(scope ? { scope } : {}),
    source,
  };
}

/** Options of {@link checkRevocation}. */
export interface RevocationOptions {
  readonly policy: CrlPolicy;
  readonly graceSeconds: number;
  readonly at: number;
  readonly crypto: Crypto;
}

async function signedBy(crl: Crl, ca: Cert, crypto: Crypto): Promise<boolean> {
  return (await checkIssuerSignature(crypto, crl.pkijs, ca.pkijs.subjectPublicKeyInfo, `CRL of ${ca.dn}`, ca.dn)) === true;
}

function issuedBy(crl: Crl, ca: Cert): boolean {
  return bytesEqual(crl.issuerDer, ca.subjectDer) || dnEquals(crl.issuer, ca.subject);
}

/**
 * Checks the path against the CRLs. `path[i+1]` issued `path[i]`; every CA
 * (`path[1..]`, and a self-issued anchor for itself) needs a usable CRL.
 *
 * @returns warnings for relaxations that were used (grace period, missing CRL under `if-present`).
 * @throws VmiListError `ERR_CRL_MISSING`, `ERR_CRL_EXPIRED`, `ERR_CERT_REVOKED`
 */
export async function checkRevocation(path: readonly Cert[], crls: readonly Crl[], opts: RevocationOptions): Promise<string[]> {
  if (opts.policy === 'off') return [];
  const warnings: string[] = [];
  const grace = opts.graceSeconds * 1000;
  for (let j = 1; j < path.length; j++) {
    // the CA whose CRL is checked, and the certificates on the path it issued
    // (a self-signed root also covers itself, as OpenSSL's crl_check_all does)
    const ca = path[j] as Cert;
    const subjects = j === path.length - 1 && bytesEqual(ca.subjectDer, ca.issuerDer) ? [path[j - 1] as Cert, ca] : [path[j - 1] as Cert];
    const candidates = crls.filter((c) => issuedBy(c, ca));
    const rejected: string[] = [];
    const good: Crl[] = [];
    for (const c of candidates) {
      if (c.unusable) rejected.push(`${c.source}: ${c.unusable}`);
      else if (!(await signedBy(c, ca, opts.crypto))) rejected.push(`${c.source}: its signature does not verify with the key of ${ca.dn}`);
      else if (ca.keyUsage && !ca.keyUsage.has(KU.cRLSign)) rejected.push(`${c.source}: ${ca.dn} may not sign CRLs (keyUsage lacks cRLSign)`);
      else good.push(c);
    }
    if (good.length === 0) {
      if (opts.policy === 'if-present' && candidates.length === 0) {
        warnings.push(`no CRL for ${ca.dn}: revocation not checked for it (crlPolicy if-present)`);
        continue;
      }
      throw new VmiListError(
        'ERR_CRL_MISSING',
        `no usable CRL for the CA ${ca.dn}${rejected.length ? ` (${rejected.join('; ')})` : ''}; install its CRL (e.g. fetch-crl) or choose another crlPolicy explicitly`,
      );
    }
    for (const cert of subjects) {
      // a CRL scoped to end-entity (or CA) certificates covers only those
      const isCa = cert.basicConstraints?.ca === true;
      const covering = good.filter((c) => c.scope === undefined || c.scope === (isCa ? 'cas' : 'users'));
      if (covering.length === 0) {
        throw new VmiListError('ERR_CRL_MISSING', `no CRL of ${ca.dn} covers ${isCa ? 'CA' : 'end-entity'} certificates such as ${cert.dn} (its CRLs are scoped by issuingDistributionPoint)`);
      }
      // the newest CRL must be current; a revocation listed by ANY started
      // covering CRL counts, so neither the order of CRLs nor a newer scoped
      // CRL can hide one (fail closed; a released hold stays refused)
      currentCrl(covering, ca, opts, grace, warnings);
      for (const crl of covering) {
        const when = crl.thisUpdate <= opts.at ? crl.revoked.get(cert.serial) : undefined;
        if (when !== undefined) {
          throw new VmiListError('ERR_CERT_REVOKED', `certificate ${cert.dn} (serial ${cert.serial}) was revoked by ${ca.dn} on ${formatListDate(when)} (${crl.source})`);
        }
      }
    }
  }
  return warnings;
}

/** The newest of `crls` that has started at `at`; past its nextUpdate (beyond the grace) is an error. */
function currentCrl(crls: readonly Crl[], ca: Cert, opts: RevocationOptions, grace: number, warnings: string[]): Crl {
  const started = crls.filter((c) => c.thisUpdate <= opts.at).sort((a, b) => b.thisUpdate - a.thisUpdate);
  const crl = started[0];
  if (!crl) {
    const first = [...crls].sort((a, b) => a.thisUpdate - b.thisUpdate)[0] as Crl;
    throw new VmiListError('ERR_CRL_EXPIRED', `the CRL of ${ca.dn} is not yet valid at ${formatListDate(opts.at)} (thisUpdate ${formatListDate(first.thisUpdate)}, ${first.source})`);
  }
  if (crl.nextUpdate !== undefined && opts.at >= crl.nextUpdate) {
    if (opts.at >= crl.nextUpdate + grace) {
      throw new VmiListError(
        'ERR_CRL_EXPIRED',
        `the CRL of ${ca.dn} expired: nextUpdate ${formatListDate(crl.nextUpdate)} is before ${formatListDate(opts.at)}${grace ? ` even with ${opts.graceSeconds} s grace` : ''} (${crl.source}); refresh the CRLs (fetch-crl)`,
      );
    }
    const w = `the CRL of ${ca.dn} is past its nextUpdate ${formatListDate(crl.nextUpdate)}, accepted within the grace period`;
    if (!warnings.includes(w)) warnings.push(w);
  }
  return crl;
}
