/**
 * X.509 certificates as the verifier sees them: parsed once, with names
 * (multi-valued RDNs kept), validity, serial and the extensions that matter
 * for grid signing.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { VmiListError } from '../errors.js';
import { parserDetail } from '../x509/asn1.js';
import { formatListDate } from '../model/dates.js';
import { decodeName, nameToOpenSsl, type Rdn } from '../x509/dn.js';
import { bs, bytesEqual } from './bytes.js';
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
  readonly pkijs: pkijs.Certificate;
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

/** Serial number bytes → lower-case hex without leading zeros. */
export function serialHex(n: asn1js.Integer): string {
  const h = toHex(n.valueBlock.valueHexView).replace(/^(00)+(?=.)/, '');
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

function readCertificate(der: Uint8Array, what: string, errCode: CertErrorCode): Cert {
  let cert: pkijs.Certificate;
  try {
    cert = pkijs.Certificate.fromBER(bs(der));
  } catch (cause) {
    throw new VmiListError(errCode, `${what} is not an X.509 certificate: ${parserDetail(cause)}`, { cause });
  }
  const subjectDer = new Uint8Array(cert.subject.valueBeforeDecode);
  const issuerDer = new Uint8Array(cert.issuer.valueBeforeDecode);
  const subject = decodeName(subjectDer);
  const issuer = decodeName(issuerDer);
  let basicConstraints: Cert['basicConstraints'];
  let keyUsage: Set<number> | undefined;
  let extKeyUsage: string[] | undefined;
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  const unknownCritical: string[] = [];
  for (const ext of cert.extensions ?? []) {
    if (ext.critical && !KNOWN_CRITICAL.has(ext.extnID)) unknownCritical.push(ext.extnID);
    const v: unknown = ext.parsedValue;
    // an extension pkijs could not decode makes the certificate unusable: a
    // damaged keyUsage must never read as "no keyUsage" (fail closed)
    const damaged = (): VmiListError => new VmiListError(errCode, `${what}: extension ${ext.extnID} of ${nameToOpenSsl(subject)} is malformed`);
    switch (ext.extnID) {
      case EXT.basicConstraints: {
        if (!(v instanceof pkijs.BasicConstraints)) throw damaged();
        const pl = v.pathLenConstraint;
        const pathLen = typeof pl === 'number' ? pl : pl instanceof asn1js.Integer ? pl.valueBlock.valueDec : undefined;
        basicConstraints = pathLen === undefined ? { ca: v.cA === true } : { ca: v.cA === true, pathLen };
        break;
      }
      case EXT.keyUsage:
        if (!(v instanceof asn1js.BitString)) throw damaged();
        keyUsage = bitSet(v);
        break;
      case EXT.extKeyUsage:
        if (!(v instanceof pkijs.ExtKeyUsage) || !Array.isArray(v.keyPurposes)) throw damaged();
        extKeyUsage = [...v.keyPurposes];
        break;
      case EXT.subjectKeyIdentifier:
        if (!(v instanceof asn1js.OctetString)) throw damaged();
        subjectKeyId = v.valueBlock.valueHexView;
        break;
      case EXT.authorityKeyIdentifier: {
        if (!(v instanceof pkijs.AuthorityKeyIdentifier)) throw damaged();
        if (v.keyIdentifier) authorityKeyId = v.keyIdentifier.valueBlock.valueHexView;
        break;
      }
      default:
    }
  }
  const out: Cert = {
    der,
    pkijs: cert,
    subject,
    issuer,
    subjectDer,
    issuerDer,
    dn: nameToOpenSsl(subject),
    issuerDn: nameToOpenSsl(issuer),
    serial: serialHex(cert.serialNumber),
    notBefore: cert.notBefore.value.getTime(),
    notAfter: cert.notAfter.value.getTime(),
    unknownCritical,
    ...(basicConstraints ? { basicConstraints } : {}),
    ...(keyUsage ? { keyUsage } : {}),
    ...(extKeyUsage ? { extKeyUsage } : {}),
    ...(subjectKeyId ? { subjectKeyId } : {}),
    ...(authorityKeyId ? { authorityKeyId } : {}),
  };
  return out;
}

function bitSet(bits: asn1js.BitString): Set<number> {
  const set = new Set<number>();
  const bytes = bits.valueBlock.valueHexView;
  for (let i = 0; i < bytes.length * 8; i++) if (((bytes[i >> 3] as number) >> (7 - (i & 7))) & 1) set.add(i);
  return set;
}

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
