/**
 * Step 5: revocation. Every CA on the path must have a CRL whose signature
 * verifies with that CA's key and which is current at `at`; each
 * certificate it issued on the path must not be on it. Missing, expired and
 * revoked are told apart. pkijs's own check passes when no CRL is given (fail
 * open), so it is not used: this module decides.
 */
import { VmiListError } from '../errors.js';
import { parserDetail, readBer } from '../x509/asn1.js';
import { formatListDate } from '../model/dates.js';
import { decodeName, dnEquals, nameToOpenSsl, type Rdn } from '../x509/dn.js';
import { CLASS } from '../x509/ber.js';
import { algorithmId, bitString, booleanContent, encodingOf, explicit, extensions, integerBytes, isContext, isUniversal, sequence, smallInteger, TAG, time, type Asn, type Extension } from '../x509/der.js';
import { checkIssuerSignature, type IssuerSigned } from './algorithms.js';
import { bytesEqual } from './bytes.js';
import { derItems, EXT, KU, serialHex, type Cert } from './certs.js';
import type { CrlPolicy, DerOrPem } from './types.js';

/** A parsed CRL. */
export interface Crl {
  /** What the issuer signed, for checking the CRL's signature. */
  readonly signed: IssuerSigned;
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

/** How many ASN.1 elements a CRL may have: ~8 per revoked certificate, so about 200,000 entries. */
export const MAX_CRL_ELEMENTS = 2_000_000;

/** Parses one DER CRL. @throws VmiListError `ERR_INPUT` */
export function parseCrl(der: Uint8Array, source: string): Crl {
  try {
    return readCrl(der, source);
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_INPUT', `${source} is not an X.509 CRL: ${parserDetail(cause)}`, { cause });
  }
}

/**
 * Reads `CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm,
 * signatureValue }` (RFC 5280 §5.1).
 */
function readCrl(der: Uint8Array, source: string): Crl {
  const root = readBer(der, `${source} (an X.509 CRL)`, 'ERR_INPUT', MAX_CRL_ELEMENTS);
  const [tbsNode, sigAlgNode, sigNode] = sequence(root, source, 3, 3);
  const tbs = sequence(tbsNode, `the tbsCertList of ${source}`, 4, 7);
  // version INTEGER OPTIONAL (v2 when extensions are present)
  let i = 0;
  if (isUniversal(tbs[0], TAG.integer)) {
    if (smallInteger(tbs[0], `the version of ${source}`) > 1) throw new VmiListError('ERR_INPUT', `${source} has a version other than v1/v2`);
    i = 1;
  }
  const tbsSignatureAlgorithm = algorithmId(tbs[i], `the signature algorithm inside ${source}`);
  const issuerNode = tbs[i + 1] as Asn;
  if (!isUniversal(issuerNode, TAG.sequence)) throw new VmiListError('ERR_INPUT', `${source}: its issuer is not a name`);
  const thisUpdate = time(tbs[i + 2], `thisUpdate of ${source}`);
  let at = i + 3;
  let nextUpdate: number | undefined;
  if (isUniversal(tbs[at], TAG.utcTime) || isUniversal(tbs[at], TAG.generalizedTime)) nextUpdate = time(tbs[at++], `nextUpdate of ${source}`);
  let entries: Asn[] = [];
  if (isUniversal(tbs[at], TAG.sequence)) entries = sequence(tbs[at++], `the revoked certificates of ${source}`);
  let crlExtensions: Extension[] = [];
  if (isContext(tbs[at], 0)) crlExtensions = extensions(explicit(tbs[at++] as Asn, 0, `the extensions of ${source}`), `the extensions of ${source}`);
  if (at !== tbs.length) throw new VmiListError('ERR_INPUT', `${source}: unexpected field in its tbsCertList`);
  const signed: IssuerSigned = {
    tbs: encodingOf(tbsNode as Asn),
    tbsSignatureAlgorithm,
    signatureAlgorithm: algorithmId(sigAlgNode, `the signature algorithm of ${source}`),
    signature: bitString(sigNode, `the signature of ${source}`).bytes,
  };

  const issuerDer = encodingOf(issuerNode);
  const issuer = decodeName(issuerDer);
  let unusable: string | undefined;
  let scope: Crl['scope'];
  for (const ext of crlExtensions) {
    if (ext.oid === EXT.deltaCRLIndicator) unusable = 'it is a delta CRL';
    else if (ext.oid === EXT.issuingDistributionPoint) {
      // a CRL that covers only some reasons, is indirect or for attribute
      // certificates is not a full CRL of its CA: never count it as one
      const idp = readIdp(ext.value);
      if (idp === undefined) unusable = 'its issuingDistributionPoint is malformed';
      else if (idp.onlySomeReasons || idp.indirectCRL || idp.onlyContainsAttributeCerts) unusable = 'it is a partial CRL (issuingDistributionPoint: some reasons, indirect or attribute certificates only)';
      else if (idp.onlyContainsUserCerts) scope = 'users';
      else if (idp.onlyContainsCACerts) scope = 'cas';
    } else if (ext.critical && !KNOWN_CRL_CRITICAL.has(ext.oid)) unusable = `it has an unknown critical extension ${ext.oid}`;
  }
  const revoked = new Map<string, number>();
  entries.forEach((entry, n) => {
    // revokedCertificates SEQUENCE OF SEQUENCE { userCertificate, revocationDate, crlEntryExtensions OPTIONAL }
    const place = `revoked certificate ${n + 1} of ${source}`;
    const f = sequence(entry, place, 2, 3);
    const serial = serialHex(integerBytes(f[0], `the serial number of ${place}`));
    const date = time(f[1], `the revocation date of ${place}`);
    let reason: number | undefined;
    for (const ext of f[2] ? extensions(f[2], `the extensions of ${place}`) : []) {
      if (ext.oid === EXT.cRLReason) {
        // CRLReason ::= ENUMERATED; an unreadable reason counts as a revocation (fail closed)
        try {
          const v = readBer(ext.value, 'a reason code', 'ERR_INPUT');
          reason = smallInteger(v, 'a reason code', TAG.enumerated);
        } catch {
          reason = undefined;
        }
      } else if (ext.critical && ext.oid !== EXT.invalidityDate) {
        unusable = `an entry has an unknown critical extension ${ext.oid}`;
      }
    }
    if (reason === REMOVE_FROM_CRL) return;
    revoked.set(serial, date);
  });
  return {
    signed,
    issuer,
    issuerDer,
    issuerDn: nameToOpenSsl(issuer),
    thisUpdate,
    ...(nextUpdate !== undefined ? { nextUpdate } : {}),
    revoked,
    ...(unusable ? { unusable } : {}),
    ...(scope ? { scope } : {}),
    source,
  };
}

/** What an issuingDistributionPoint says about the CRL's scope. */
interface Idp {
  readonly onlyContainsUserCerts: boolean;
  readonly onlyContainsCACerts: boolean;
  readonly onlySomeReasons: boolean;
  readonly indirectCRL: boolean;
  readonly onlyContainsAttributeCerts: boolean;
}

/**
 * Reads `IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0],
 * onlyContainsUserCerts [1] BOOLEAN, onlyContainsCACerts [2] BOOLEAN,
 * onlySomeReasons [3] ReasonFlags, indirectCRL [4] BOOLEAN,
 * onlyContainsAttributeCerts [5] BOOLEAN }` (IMPLICIT tags, each optional, in
 * order); `undefined` when it does not read.
 */
function readIdp(value: Uint8Array): Idp | undefined {
  try {
    const v = readBer(value, 'issuingDistributionPoint', 'ERR_INPUT');
    if (encodingOf(v).length !== value.length) return undefined;
    const flags = [false, false, false, false, false, false];
    let last = -1;
    for (const f of sequence(v, 'issuingDistributionPoint', 0, 6)) {
      const tag = f.cls === CLASS.context ? f.tag : -1;
      if (tag <= last || tag > 5) return undefined;
      last = tag;
      if (tag === 0) continue;
      // onlySomeReasons present, whatever its bits, limits the CRL (fail closed)
      if (tag === 3) flags[3] = true;
      else flags[tag] = booleanContent(f, 'a flag of issuingDistributionPoint');
    }
    return { onlyContainsUserCerts: flags[1] === true, onlyContainsCACerts: flags[2] === true, onlySomeReasons: flags[3] === true, indirectCRL: flags[4] === true, onlyContainsAttributeCerts: flags[5] === true };
  } catch {
    return undefined;
  }
}

/** Options of {@link checkRevocation}. */
export interface RevocationOptions {
  readonly policy: CrlPolicy;
  readonly graceSeconds: number;
  readonly at: number;
  readonly crypto: Crypto;
}

async function signedBy(crl: Crl, ca: Cert, crypto: Crypto): Promise<boolean> {
  return (await checkIssuerSignature(crypto, crl.signed, ca.publicKey, `CRL of ${ca.dn}`, ca.dn)) === true;
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
