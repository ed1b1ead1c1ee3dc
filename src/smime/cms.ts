/**
 * Step 2: CMS SignedData. Every SignerInfo must verify: the digest algorithm
 * is allowed, the messageDigest attribute equals the digest of the content
 * (as received, else its CRLF canonical form), contentType matches, and the
 * signature over the DER of the signed attributes verifies with the signer
 * certificate's key. The math is done with WebCrypto here, not by pkijs.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { VmiListError } from '../errors.js';
import { decodeName, dnEquals } from '../x509/dn.js';
import { parserDetail, readBer } from '../x509/asn1.js';
import { checkListDigest, digestFromOid, OID, signatureScheme, verifyWith, type DigestName } from './algorithms.js';
import { bytesEqual } from './bytes.js';
import { ContentDigests } from './content-digests.js';
import { parseCertificate, serialHex, type Cert } from './certs.js';

/** A parsed SignedData with the raw certificates it carries. */
export interface ParsedCms {
  readonly signedData: pkijs.SignedData;
  /** Encapsulated content (opaque messages), or undefined when detached. */
  readonly eContent?: Uint8Array;
  /** Certificates embedded in the message, parsed from their original bytes. */
  readonly certificates: readonly Cert[];
}

/** Bounds on what a message may carry: real lists have one signer and one to three certificates. */
export const MAX_EMBEDDED_CERTIFICATES = 64;
export const MAX_SIGNER_INFOS = 16;

// "parses, but does not verify": someone changed the list or the signature
function invalid(message: string, cause?: unknown): VmiListError {
  return new VmiListError('ERR_SIGNATURE_INVALID', message, cause === undefined ? {} : { cause });
}

// "is not a signature at all": the transfer or the file is broken (openssl: "Error reading S/MIME message")
function malformed(message: string, cause?: unknown): VmiListError {
  return new VmiListError('ERR_MIME_MALFORMED', message, cause === undefined ? {} : { cause });
}

/**
 * Parses a CMS ContentInfo holding SignedData.
 *
 * @throws VmiListError `ERR_MIME_MALFORMED` when the bytes are not a readable
 *   SignedData (broken BER, wrong structure, an embedded certificate that does
 *   not parse); `ERR_SIGNATURE_INVALID` when it reads but signs something other than data.
 */
export function parseCms(der: Uint8Array): ParsedCms {
  const root = readBer(der, 'the CMS signature', 'ERR_MIME_MALFORMED');
  let signedData: pkijs.SignedData;
  let sdSchema: asn1js.AsnType;
  let ci: pkijs.ContentInfo;
  try {
    ci = new pkijs.ContentInfo({ schema: root });
  } catch (cause) {
    throw malformed(`the CMS signature is not a CMS ContentInfo: ${parserDetail(cause)}`, cause);
  }
  if (ci.contentType !== OID.signedData) throw malformed(`the CMS content type is ${ci.contentType}, not signedData: this is not a signed message`);
  try {
    sdSchema = ci.content as asn1js.AsnType;
    signedData = new pkijs.SignedData({ schema: sdSchema });
  } catch (cause) {
    throw malformed(`the CMS signature is not a SignedData structure: ${parserDetail(cause)}`, cause);
  }
  const certificates: Cert[] = [];
  const fields = sdSchema instanceof asn1js.Sequence ? sdSchema.valueBlock.value : [];
  const certSet = fields.find((f) => f.idBlock.tagClass === 3 && f.idBlock.tagNumber === 0);
  if (certSet instanceof asn1js.Constructed) {
    if (!Array.isArray(certSet.valueBlock.value)) throw malformed('the certificates field of the CMS signature is not a SET of certificates');
    if (certSet.valueBlock.value.length > MAX_EMBEDDED_CERTIFICATES) {
      throw invalid(`the message carries ${certSet.valueBlock.value.length} certificates; more than ${MAX_EMBEDDED_CERTIFICATES} is refused (a list needs its signer and perhaps a chain)`);
    }
    certSet.valueBlock.value.forEach((c, i) => {
      // only X.509 certificates (SEQUENCE); attribute certificates are tagged
      if (c.idBlock.tagClass === 1 && c.idBlock.tagNumber === 16) {
        certificates.push(parseCertificate(new Uint8Array(c.valueBeforeDecodeView), `certificate ${i + 1} in the message`, 'ERR_MIME_MALFORMED'));
      }
    });
  }
  const eci = signedData.encapContentInfo;
  if (eci.eContentType !== OID.data) throw invalid(`the signed content type is ${eci.eContentType}, not id-data`);
  const ec = eci.eContent;
  let eContent: Uint8Array | undefined;
  if (ec) eContent = encapsulatedBytes(ec);
  return { signedData, certificates, ...(eContent ? { eContent } : {}) };
}

/** The bytes of eContent: one OCTET STRING, or (BER, constructed) the concatenation of its parts. */
function encapsulatedBytes(ec: asn1js.OctetString): Uint8Array {
  if (!ec.idBlock.isConstructed) return ec.valueBlock.valueHexView;
  const chunks: Uint8Array[] = [];
  for (const part of ec.valueBlock.value) {
    if (!(part instanceof asn1js.OctetString)) throw malformed('the signed content inside the CMS is split into parts that are not OCTET STRINGs');
    chunks.push(part.valueBlock.valueHexView);
  }
  let len = 0;
  for (const c of chunks) len += c.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

/** Options for {@link verifyCmsSignatures}. */
export interface CmsVerifyOptions {
  readonly allowSha1?: boolean;
  readonly crypto: Crypto;
  /** Digests of the content the caller wants to reuse afterwards (hashed once). */
  readonly digests?: ContentDigests;
}

/** The outcome of {@link verifyCmsSignatures}. */
export interface CmsResult {
  /** The signer certificate of each SignerInfo, in order. */
  readonly signers: readonly Cert[];
  /** Digest of the first SignerInfo (`sha1`, `sha256`, …). */
  readonly digestAlgorithm: DigestName;
  /** Every digest used by the signer infos. */
  readonly digests: readonly DigestName[];
  /** Whether the content verified as received or only after CRLF canonicalisation. */
  readonly form: 'as-received' | 'crlf';
}

/** Finds the certificate a SignerInfo names (issuerAndSerialNumber or subjectKeyIdentifier). */
export function findSignerCertificates(si: pkijs.SignerInfo, pool: readonly Cert[]): Cert[] {
  const sid: unknown = si.sid;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuerDer = new Uint8Array(sid.issuer.valueBeforeDecode);
    const serial = serialHex(sid.serialNumber);
    return pool.filter(
      (c) => c.serial === serial && (bytesEqual(c.issuerDer, issuerDer) || sameIssuer(c, issuerDer)),
    );
  }
  if (sid instanceof asn1js.BaseBlock) {
    const ski = (sid as asn1js.Primitive).valueBlock.valueHexView;
    if (!ski) return [];
    return pool.filter((c) => c.subjectKeyId !== undefined && bytesEqual(c.subjectKeyId, ski));
  }
  return [];
}

// the sid's issuer bytes come from the message: a name that does not decode matches nothing
function sameIssuer(c: Cert, issuerDer: Uint8Array): boolean {
  try {
    return dnEquals(c.issuer, decodeName(issuerDer));
  } catch {
    return false;
  }
}

/**
 * Verifies every SignerInfo against `content`. `pool` holds the certificates
 * that may be signers (embedded ones first, then any given intermediates).
 *
 * @throws VmiListError `ERR_DIGEST_WEAK`, `ERR_SIGNATURE_INVALID`
 */
export async function verifyCmsSignatures(
  cms: ParsedCms,
  content: Uint8Array,
  pool: readonly Cert[],
  options: CmsVerifyOptions,
): Promise<CmsResult> {
  const { crypto } = options;
  const infos = cms.signedData.signerInfos;
  if (infos.length === 0) throw invalid('the message has no SignerInfo (nobody signed it)');
  if (infos.length > MAX_SIGNER_INFOS) throw invalid(`the message has ${infos.length} SignerInfos; more than ${MAX_SIGNER_INFOS} is refused`);
  const hashed = options.digests ?? new ContentDigests(content, crypto);
  const crlfOf = (): Uint8Array => hashed.crlf();
  const digestOf = (form: 'as-received' | 'crlf', d: DigestName): Promise<Uint8Array> => hashed.digest(form, d);

  const signers: Cert[] = [];
  const digests: DigestName[] = [];
  let usedForm: 'as-received' | 'crlf' = 'as-received';
  for (let idx = 0; idx < infos.length; idx++) {
    const si = infos[idx] as pkijs.SignerInfo;
    const where = infos.length > 1 ? `SignerInfo ${idx + 1}` : 'signature';
    const digestOid = si.digestAlgorithm.algorithmId;
    // digests that cannot even be computed (unknown, MD5, SHA-224) are refused here; the SHA-1
    // policy waits until the match is checked, so a list changed after signing reports the change
    const digest = checkListDigest(digestFromOid(digestOid), digestOid, true, where);
    const scheme = signatureScheme(si.signatureAlgorithm, digest, where);
    checkListDigest(scheme.hash, si.signatureAlgorithm.algorithmId, true, where);
    const candidates = findSignerCertificates(si, pool);
    if (candidates.length === 0) throw invalid(`${where}: the signer certificate is not in the message (nor among the given certificates)`);
    const signature = si.signature.valueBlock.valueHexView;

    let form: 'as-received' | 'crlf' | undefined;
    let signedBytes: Uint8Array | undefined;
    if (si.signedAttrs) {
      const attrs = si.signedAttrs.attributes;
      const md = attrs.filter((a) => a.type === OID.messageDigest);
      const ctAttr = attrs.filter((a) => a.type === OID.contentType);
      // RFC 5652 §5.3: without exactly one of each, this is not a SignerInfo at all
      if (md.length !== 1 || md[0]?.values.length !== 1 || !(md[0].values[0] instanceof asn1js.OctetString)) {
        throw malformed(`${where}: signed attributes need exactly one messageDigest (an OCTET STRING)`);
      }
      if (ctAttr.length !== 1 || ctAttr[0]?.values.length !== 1) throw malformed(`${where}: signed attributes need exactly one contentType`);
      const ctValue = ctAttr[0].values[0];
      if (!(ctValue instanceof asn1js.ObjectIdentifier) || ctValue.getValue() !== cms.signedData.encapContentInfo.eContentType) {
        throw invalid(`${where}: the contentType attribute does not match the signed content type`);
      }
      const expected = (md[0].values[0] as asn1js.OctetString).valueBlock.valueHexView;
      if (bytesEqual(await digestOf('as-received', digest), expected)) form = 'as-received';
      else if (crlfOf() !== content && bytesEqual(await digestOf('crlf', digest), expected)) form = 'crlf';
      if (!form) throw invalid(`${where}: the content does not match the signed message digest (${digest}); the list was changed after signing`);
      const encoded = new Uint8Array(si.signedAttrs.encodedValue.slice(0));
      encoded[0] = 0x31; // signed over the DER of SET OF Attribute, not the [0] IMPLICIT tag
      signedBytes = encoded;
    }

    let signer: Cert | undefined;
    for (const cert of candidates) {
      if (signedBytes) {
        if (await verifyWith(crypto, cert.pkijs.subjectPublicKeyInfo, scheme, signature, signedBytes, where)) signer = cert;
      } else {
        // no signed attributes: the signature is over the content itself
        if (await verifyWith(crypto, cert.pkijs.subjectPublicKeyInfo, scheme, signature, content, where)) {
          signer = cert;
          form = 'as-received';
        } else if (crlfOf() !== content && (await verifyWith(crypto, cert.pkijs.subjectPublicKeyInfo, scheme, signature, crlfOf(), where))) {
          signer = cert;
          form = 'crlf';
        }
      }
      if (signer) break;
    }
    if (!signer || !form) {
      throw invalid(`${where}: the signature does not verify with the key of ${candidates[0]?.dn ?? 'the signer certificate'}`);
    }
    checkListDigest(digest, digestOid, options.allowSha1 === true, where);
    checkListDigest(scheme.hash, si.signatureAlgorithm.algorithmId, options.allowSha1 === true, where);
    if (form === 'crlf') usedForm = 'crlf';
    signers.push(signer);
    digests.push(digest);
  }
  return { signers, digestAlgorithm: digests[0] as DigestName, digests, form: usedForm };
}
