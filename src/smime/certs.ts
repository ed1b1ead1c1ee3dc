/**
 * X.509 certificates as the verifier sees them: parsed once, with names
 * (multi-valued RDNs kept), validity, serial and the extensions that matter
 * for grid signing.
 */
import { VmiListError } from '../errors.js';
import { parserDetail, readBer } from '../x509/asn1.js';
import { formatListDate } from '../model/dates.js';
import { decodeName, nameToOpenSsl, type Rdn } from '../x509/dn.js';
import { algorithmId, bitsSet, bitString, boolean, encodingOf, explicit, extensions, isContext, isUniversal, octetContent, octets, oid, sequence, smallInteger, TAG, time, integerBytes, type Asn, type Extension } from '../x509/der.js';
import { publicKeyInfo, type IssuerSigned, type PublicKeyInfo } from './algorithms.js';
import { bytesEqual } from './bytes.js';
import { toHex } from '../encoding/hex.js';
import { looksLikePem, pemBlocks } from '../encoding/pem.js';
import type { DerOrPem } from './types.js';

/** Summary of a certificate, as reported by {@link verifySignature} and in errors. */
export interface CertificateSummary {
  /** Subject DN, OpenSSL one-line form. */
  readonly dn: string;
  /** Issuer DN, OpenSSL one-line form. */
  readonly issuer: string;
  /** Serial number, lower-case hex without leading zeros. */
  readonly serial: string;
  /** Start of validity, `Z` form. */
  readonly notBefore: string;
  /** End of validity, `Z` form. */
  readonly notAfter: string;
}

/** Extension OIDs. */
export const EXT = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLNumber: '2.5.29.20',
  cRLReason: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  inhibitAnyPolicy: '2.5.29.54',
} as const;

/**
 * Critical extensions a certificate may carry and still be accepted. Policy
 * extensions are accepted without policy processing (as OpenSSL does without
 * `-policy`); anything else critical — nameConstraints, proxyCertInfo,
 * unknown OIDs — makes the certificate unusable (fail closed).
 */
export const KNOWN_CRITICAL = new Set<string>([
  EXT.basicConstraints,
  EXT.keyUsage,
  EXT.extKeyUsage,
  EXT.subjectAltName,
  EXT.issuerAltName,
  EXT.subjectKeyIdentifier,
  EXT.authorityKeyIdentifier,
  EXT.certificatePolicies,
  EXT.policyConstraints,
  EXT.policyMappings,
  EXT.inhibitAnyPolicy,
  EXT.cRLDistributionPoints,
]);

/** Key usage bits (RFC 5280 numbering). */
export const KU = { digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

/** A parsed certificate with what the verifier needs. */
export interface Cert {
  readonly der: Uint8Array;
  /** The subject's public key. */
  readonly publicKey: PublicKeyInfo;
  /** What the issuer signed, for checking the certificate's signature. */
  readonly signed: IssuerSigned;
  readonly subject: Rdn[];
  readonly issuer: Rdn[];
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** Subject, one-line form. */
  readonly dn: string;
  /** Issuer, one-line form. */
  readonly issuerDn: string;
  readonly serial: string;
  readonly notBefore: number;
  readonly notAfter: number;
  /** basicConstraints, when present. */
  readonly basicConstraints?: { readonly ca: boolean; readonly pathLen?: number };
  /** keyUsage bits set, when the extension is present. */
  readonly keyUsage?: ReadonlySet<number>;
  /** extKeyUsage OIDs, when present. */
  readonly extKeyUsage?: readonly string[];
  readonly subjectKeyId?: Uint8Array;
  readonly authorityKeyId?: Uint8Array;
  /** OIDs of critical extensions this verifier does not process. */
  readonly unknownCritical: readonly string[];
}

/** Serial number (INTEGER content octets) → lower-case hex without leading zeros. */
export function serialHex(bytes: Uint8Array): string {
  const h = toHex(bytes).replace(/^(00)+(?=.)/, '');
  return h === '' ? '0' : h;
}

/** Splits DER bytes or PEM text (possibly several blocks) into DER items with one of `labels`. */
export function derItems(input: DerOrPem, labels: readonly string[], what: string): Uint8Array[] {
  if (typeof input !== 'string' && !looksLikePem(input)) return [input];
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  const blocks = pemBlocks(text).filter((b) => labels.includes(b.label));
  if (blocks.length === 0) throw new VmiListError('ERR_INPUT', `${what}: no PEM ${labels[0]} block found`);
  return blocks.map((b) => b.der);
}

/** Parses one DER certificate. @throws VmiListError `ERR_INPUT` (or `errCode`) */
export function parseCertificate(der: Uint8Array, what = 'certificate', errCode: CertErrorCode = 'ERR_INPUT'): Cert {
  try {
    return readCertificate(der, what, errCode);
  } catch (cause) {
    // a name that does not decode is the certificate's fault: report it with the caller's code and place
    if (cause instanceof VmiListError && cause.code === 'ERR_INPUT' && errCode !== 'ERR_INPUT') {
      throw new VmiListError(errCode, `${what}: ${cause.message}`, { cause });
    }
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError(errCode, `${what} is not a usable X.509 certificate: ${parserDetail(cause)}`, { cause });
  }
}

/** The code a certificate that does not parse is refused with: the caller's input, or a broken message. */
export type CertErrorCode = 'ERR_INPUT' | 'ERR_MIME_MALFORMED';

/**
 * Reads `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm,
 * signatureValue }` (RFC 5280 §4.1) with the fields the verifier uses.
 */
function readCertificate(der: Uint8Array, what: string, errCode: CertErrorCode): Cert {
  const root = readBer(der, `${what} (an X.509 certificate)`, errCode);
  const [tbsNode, sigAlgNode, sigNode] = sequence(root, what, 3, 3);
  const tbs = sequence(tbsNode, `the tbsCertificate of ${what}`, 6, 10);
  // version [0] EXPLICIT INTEGER DEFAULT v1
  let i = 0;
  if (isContext(tbs[0], 0)) {
    const version = smallInteger(explicit(tbs[0], 0, `the version of ${what}`), `the version of ${what}`);
    if (version > 2) throw new VmiListError(errCode, `${what} has version ${version + 1}; only X.509 v1–v3 exist`);
    i = 1;
  }
  const serial = integerBytes(tbs[i], `the serial number of ${what}`);
  const tbsSignatureAlgorithm = algorithmId(tbs[i + 1], `the signature algorithm inside ${what}`);
  const issuerNode = tbs[i + 2];
  const [notBeforeNode, notAfterNode] = sequence(tbs[i + 3], `the validity of ${what}`, 2, 2);
  const subjectNode = tbs[i + 4];
  const publicKey = publicKeyInfo(tbs[i + 5], `the public key of ${what}`);
  if (!isUniversal(issuerNode, TAG.sequence) || !isUniversal(subjectNode, TAG.sequence)) throw new VmiListError(errCode, `${what}: its issuer or subject is not a name`);
  // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: in that order, each once
  let exts: Extension[] = [];
  let last = 0;
  for (const field of tbs.slice(i + 6)) {
    const tag = isContext(field, 1) ? 1 : isContext(field, 2) ? 2 : isContext(field, 3) ? 3 : 0;
    if (tag <= last) throw new VmiListError(errCode, `${what}: unexpected field after the public key`);
    last = tag;
    if (tag === 3) exts = extensions(explicit(field, 3, `the extensions of ${what}`), `the extensions of ${what}`);
  }
  const signatureAlgorithm = algorithmId(sigAlgNode, `the signature algorithm of ${what}`);
  const signature = bitString(sigNode, `the signature of ${what}`).bytes;

  const subjectDer = encodingOf(subjectNode);
  const issuerDer = encodingOf(issuerNode);
  const subject = decodeName(subjectDer);
  const issuer = decodeName(issuerDer);
  const dn = nameToOpenSsl(subject);
  const found = readExtensions(exts, (oidOf, cause) => new VmiListError(errCode, `${what}: extension ${oidOf} of ${dn} is malformed`, { cause }));
  return {
    der,
    publicKey,
    signed: { tbs: encodingOf(tbsNode as Asn), tbsSignatureAlgorithm, signatureAlgorithm, signature },
    subject,
    issuer,
    subjectDer,
    issuerDer,
    dn,
    issuerDn: nameToOpenSsl(issuer),
    serial: serialHex(serial),
    notBefore: time(notBeforeNode, `notBefore of ${what}`),
    notAfter: time(notAfterNode, `notAfter of ${what}`),
    ...found,
  };
}

type ExtensionFields = Pick<Cert, 'basicConstraints' | 'keyUsage' | 'extKeyUsage' | 'subjectKeyId' | 'authorityKeyId' | 'unknownCritical'>;

/**
 * The extensions the verifier processes. One that does not decode makes the
 * certificate unusable: a damaged keyUsage must never read as "no keyUsage"
 * (fail closed). Critical extensions not processed are listed.
 */
function readExtensions(exts: readonly Extension[], damaged: (oid: string, cause: unknown) => VmiListError): ExtensionFields {
  const out: { -readonly [K in keyof ExtensionFields]: ExtensionFields[K] } = { unknownCritical: [] };
  const unknownCritical: string[] = [];
  for (const ext of exts) {
    if (ext.critical && !KNOWN_CRITICAL.has(ext.oid)) unknownCritical.push(ext.oid);
    if (!PROCESSED.has(ext.oid)) continue;
    try {
      const v = readBer(ext.value, `extension ${ext.oid}`, 'ERR_INPUT');
      if (encodingOf(v).length !== ext.value.length) throw new Error('bytes after the value');
      switch (ext.oid) {
        case EXT.basicConstraints: {
          // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }
          const f = sequence(v, 'basicConstraints', 0, 2);
          let at = 0;
          const ca = isUniversal(f[0], TAG.boolean) ? boolean(f[at++], 'cA') : false;
          if (at < f.length) out.basicConstraints = { ca, pathLen: smallInteger(f[at++], 'pathLenConstraint') };
          else out.basicConstraints = { ca };
          if (at !== f.length) throw new Error('unexpected field');
          break;
        }
        case EXT.keyUsage:
          out.keyUsage = bitsSet(bitString(v, 'keyUsage'));
          break;
        case EXT.extKeyUsage:
          // ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
          out.extKeyUsage = sequence(v, 'extKeyUsage', 1).map((p) => oid(p, 'a key purpose'));
          break;
        case EXT.subjectKeyIdentifier:
          out.subjectKeyId = octets(v, 'subjectKeyIdentifier');
          break;
        case EXT.authorityKeyIdentifier: {
          // AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING OPTIONAL, [1], [2] }
          const f = sequence(v, 'authorityKeyIdentifier', 0, 3);
          if (f.some((x) => !isContext(x, 0) && !isContext(x, 1) && !isContext(x, 2))) throw new Error('unexpected field');
          const keyId = f.find((x) => isContext(x, 0));
          if (keyId) out.authorityKeyId = octetContent(keyId, 'keyIdentifier');
          break;
        }
        default:
      }
    } catch (cause) {
      throw damaged(ext.oid, cause);
    }
  }
  out.unknownCritical = unknownCritical;
  return out;
}

const PROCESSED = new Set<string>([EXT.basicConstraints, EXT.keyUsage, EXT.extKeyUsage, EXT.subjectKeyIdentifier, EXT.authorityKeyIdentifier]);

/** Parses every certificate of a list of DER/PEM items. */
export function parseCertificates(items: readonly DerOrPem[] | undefined, what: string): Cert[] {
  const out: Cert[] = [];
  (items ?? []).forEach((item, i) => {
    for (const der of derItems(item, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'], `${what}[${i}]`)) {
      out.push(parseCertificate(der, `${what}[${i}]`));
    }
  });
  return out;
}

/** The summary of a certificate. */
export function summarize(c: Cert): CertificateSummary {
  return { dn: c.dn, issuer: c.issuerDn, serial: c.serial, notBefore: formatListDate(c.notBefore), notAfter: formatListDate(c.notAfter) };
}

/** Same certificate (byte-identical DER). */
export function sameCert(a: Cert, b: Cert): boolean {
  return bytesEqual(a.der, b.der);
}

/** A CA certificate: basicConstraints CA:TRUE, or self-signed without basicConstraints (old v1 roots). */
export function isCaCertificate(c: Cert): boolean {
  return c.basicConstraints ? c.basicConstraints.ca : selfIssued(c);
}

/** Whether subject and issuer are the same name (a self-issued certificate). */
export function selfIssued(c: Cert): boolean {
  return bytesEqual(c.subjectDer, c.issuerDer);
}
