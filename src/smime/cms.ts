/**
 * Step 2: CMS SignedData. Every SignerInfo must verify: the digest algorithm
 * is allowed, the messageDigest attribute equals the digest of the content
 * (as received, else its CRLF canonical form), contentType matches, and the
 * signature over the DER of the signed attributes verifies with the signer
 * certificate's key. The math is done with WebCrypto here, not by pkijs.
 */
import { VmiListError } from '../errors.js';
import { decodeName, dnEquals } from '../x509/dn.js';
import { parserDetail, readBer } from '../x509/asn1.js';
import { algorithmId, childrenOf, encodingOf, explicit, integerBytes, isContext, isUniversal, octetContent, octets, oid, sequence, set, smallInteger, TAG, signedAttributesDer, type AlgorithmId, type Asn } from '../x509/der.js';
import { checkListDigest, digestFromOid, OID, signatureScheme, verifyWith, type DigestName } from './algorithms.js';
import { bytesEqual } from './bytes.js';
import { ContentDigests } from './content-digests.js';
import { parseCertificate, serialHex, type Cert } from './certs.js';

/** Who a SignerInfo says signed: issuer and serial number, or a subject key identifier. */
export type SignerId =
  | { readonly issuerDer: Uint8Array; readonly serial: string }
  | { readonly subjectKeyId: Uint8Array };

/** One signed attribute: its type and values. */
export interface SignedAttribute {
  readonly type: string;
  readonly values: readonly Asn[];
}

/** A SignerInfo (RFC 5652 §5.3) as the verifier uses it. */
export interface SignerInfo {
  readonly sid: SignerId;
  readonly digestAlgorithm: AlgorithmId;
  /** The signed attributes and the bytes the signature covers (their DER SET), when present. */
  readonly signedAttrs?: { readonly attributes: readonly SignedAttribute[]; readonly signedBytes: Uint8Array };
  readonly signatureAlgorithm: AlgorithmId;
  readonly signature: Uint8Array;
}

/** A parsed SignedData with the raw certificates it carries. */
export interface ParsedCms {
  /** The type of the signed content (id-data for a list). */
  readonly eContentType: string;
  /** Encapsulated content (opaque messages), or undefined when detached. */
  readonly eContent?: Uint8Array;
  /** Certificates embedded in the message, parsed from their original bytes. */
  readonly certificates: readonly Cert[];
  readonly signerInfos: readonly SignerInfo[];
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
  // ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT ANY }
  let contentType: string;
  let sd: Asn[];
  try {
    const ci = sequence(root, 'the CMS ContentInfo', 2, 2);
    contentType = oid(ci[0], 'the CMS content type');
    if (contentType !== OID.signedData) throw malformed(`the CMS content type is ${contentType}, not signedData: this is not a signed message`);
    sd = sequence(explicit(ci[1] as Asn, 0, 'the CMS content'), 'the SignedData', 4, 6);
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw malformed(`the CMS signature is not a CMS ContentInfo holding SignedData: ${parserDetail(cause)}`, cause);
  }
  const [, digestAlgorithmsNode, eciNode] = sd;
  let eContentType: string;
  let eContent: Uint8Array | undefined;
  const certificates: Cert[] = [];
  let signerInfos: SignerInfo[];
  try {
    // SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo,
    //   certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT OPTIONAL, signerInfos SET }
    smallInteger(sd[0], 'the SignedData version');
    set(digestAlgorithmsNode, 'the SignedData digest algorithms').forEach((a) => algorithmId(a, 'a SignedData digest algorithm'));
    // EncapsulatedContentInfo ::= SEQUENCE { eContentType OID, eContent [0] EXPLICIT OCTET STRING OPTIONAL }
    const eci = sequence(eciNode, 'the encapsulated content info', 1, 2);
    eContentType = oid(eci[0], 'the signed content type');
    if (eci[1]) eContent = octets(explicit(eci[1], 0, 'the signed content'), 'the signed content');
    let at = 3;
    if (isContext(sd[at], 0)) readCertificates(sd[at++] as Asn, certificates);
    if (isContext(sd[at], 1)) at++; // CRLs in a message are not trust material: the CA directory's are used
    if (at !== sd.length - 1) throw new Error('the SignedData has unexpected fields');
    const infos = set(sd[at], 'the SignerInfos');
    if (infos.length > MAX_SIGNER_INFOS) throw invalid(`the message has ${infos.length} SignerInfos; more than ${MAX_SIGNER_INFOS} is refused`);
    signerInfos = infos.map((si, i) => readSignerInfo(si, `SignerInfo ${i + 1}`));
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw malformed(`the CMS signature is not a SignedData structure: ${parserDetail(cause)}`, cause);
  }
  if (eContentType !== OID.data) throw invalid(`the signed content type is ${eContentType}, not id-data`);
  return { eContentType, certificates, signerInfos, ...(eContent ? { eContent } : {}) };
}

/** Reads `certificates [0] IMPLICIT CertificateSet`: X.509 certificates (SEQUENCE); other choices (tagged) are skipped. */
function readCertificates(node: Asn, out: Cert[]): void {
  const items = childrenOf(node, 'the certificates field of the CMS signature');
  if (items.length > MAX_EMBEDDED_CERTIFICATES) {
    throw invalid(`the message carries ${items.length} certificates; more than ${MAX_EMBEDDED_CERTIFICATES} is refused (a list needs its signer and perhaps a chain)`);
  }
  items.forEach((c, i) => {
    if (isUniversal(c, TAG.sequence)) out.push(parseCertificate(encodingOf(c), `certificate ${i + 1} in the message`, 'ERR_MIME_MALFORMED'));
  });
}

/**
 * Reads `SignerInfo ::= SEQUENCE { version, sid, digestAlgorithm,
 * signedAttrs [0] IMPLICIT OPTIONAL, signatureAlgorithm, signature OCTET STRING,
 * unsignedAttrs [1] IMPLICIT OPTIONAL }`.
 */
function readSignerInfo(node: Asn, what: string): SignerInfo {
  const f = sequence(node, what, 5, 7);
  smallInteger(f[0], `the version of ${what}`);
  const sidNode = f[1] as Asn;
  let sid: SignerId;
  if (isContext(sidNode, 0)) sid = { subjectKeyId: octetContent(sidNode, `the subjectKeyIdentifier of ${what}`) };
  else {
    // IssuerAndSerialNumber ::= SEQUENCE { issuer Name, serialNumber INTEGER }
    const [issuer, serial] = sequence(sidNode, `the issuerAndSerialNumber of ${what}`, 2, 2);
    if (!isUniversal(issuer, TAG.sequence)) throw new Error(`the issuer of ${what} is not a name`);
    sid = { issuerDer: encodingOf(issuer), serial: serialHex(integerBytes(serial, `the serial number of ${what}`)) };
  }
  const digestAlgorithm = algorithmId(f[2], `the digest algorithm of ${what}`);
  let at = 3;
  let signedAttrs: SignerInfo['signedAttrs'];
  if (isContext(f[at], 0)) {
    const attrsNode = f[at++] as Asn;
    const attributes = childrenOf(attrsNode, `the signed attributes of ${what}`).map((a, i) => {
      // Attribute ::= SEQUENCE { attrType OID, attrValues SET OF AttributeValue }
      const [type, values] = sequence(a, `signed attribute ${i + 1} of ${what}`, 2, 2);
      return { type: oid(type, `the type of signed attribute ${i + 1}`), values: set(values, `the values of signed attribute ${i + 1}`) };
    });
    // signed over the DER of SET OF Attribute (not the [0] IMPLICIT tag), re-encoded as OpenSSL
    // does: identical to what was received when that is DER
    signedAttrs = { attributes, signedBytes: signedAttributesDer(attrsNode) };
  }
  const signatureAlgorithm = algorithmId(f[at++], `the signature algorithm of ${what}`);
  const signature = octets(f[at++], `the signature of ${what}`);
  if (isContext(f[at], 1)) at++;
  if (at !== f.length) throw new Error(`${what} has unexpected fields`);
  return { sid, digestAlgorithm, ...(signedAttrs ? { signedAttrs } : {}), signatureAlgorithm, signature };
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
export function findSignerCertificates(si: SignerInfo, pool: readonly Cert[]): Cert[] {
  const sid = si.sid;
  if ('subjectKeyId' in sid) return pool.filter((c) => c.subjectKeyId !== undefined && bytesEqual(c.subjectKeyId, sid.subjectKeyId));
  return pool.filter((c) => c.serial === sid.serial && (bytesEqual(c.issuerDer, sid.issuerDer) || sameIssuer(c, sid.issuerDer)));
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
  const infos = cms.signerInfos;
  if (infos.length === 0) throw invalid('the message has no SignerInfo (nobody signed it)');
  if (infos.length > MAX_SIGNER_INFOS) throw invalid(`the message has ${infos.length} SignerInfos; more than ${MAX_SIGNER_INFOS} is refused`);
  const hashed = options.digests ?? new ContentDigests(content, crypto);
  const crlfOf = (): Uint8Array => hashed.crlf();
  const digestOf = (form: 'as-received' | 'crlf', d: DigestName): Promise<Uint8Array> => hashed.digest(form, d);

  const signers: Cert[] = [];
  const digests: DigestName[] = [];
  let usedForm: 'as-received' | 'crlf' = 'as-received';
  for (let idx = 0; idx < infos.length; idx++) {
    const si = infos[idx] as SignerInfo;
    const where = infos.length > 1 ? `SignerInfo ${idx + 1}` : 'signature';
    const digestOid = si.digestAlgorithm.oid;
    // digests that cannot even be computed (unknown, MD5, SHA-224) are refused here; the SHA-1
    // policy waits until the match is checked, so a list changed after signing reports the change
    const digest = checkListDigest(digestFromOid(digestOid), digestOid, true, where);
    const scheme = signatureScheme(si.signatureAlgorithm, digest, where);
    checkListDigest(scheme.hash, si.signatureAlgorithm.oid, true, where);
    const candidates = findSignerCertificates(si, pool);
    if (candidates.length === 0) throw invalid(`${where}: the signer certificate is not in the message (nor among the given certificates)`);
    const signature = si.signature;

    let form: 'as-received' | 'crlf' | undefined;
    let signedBytes: Uint8Array | undefined;
    if (si.signedAttrs) {
      const attrs = si.signedAttrs.attributes;
      const md = attrs.filter((a) => a.type === OID.messageDigest);
      const ctAttr = attrs.filter((a) => a.type === OID.contentType);
      // RFC 5652 §5.3: without exactly one of each, this is not a SignerInfo at all
      if (md.length !== 1 || md[0]?.values.length !== 1 || !isUniversal(md[0].values[0], TAG.octetString) || md[0].values[0].constructed) {
        throw malformed(`${where}: signed attributes need exactly one messageDigest (an OCTET STRING)`);
      }
      if (ctAttr.length !== 1 || ctAttr[0]?.values.length !== 1) throw malformed(`${where}: signed attributes need exactly one contentType`);
      const ctValue = ctAttr[0].values[0];
      if (!isUniversal(ctValue, TAG.oid) || oidOrEmpty(ctValue) !== cms.eContentType) {
        throw invalid(`${where}: the contentType attribute does not match the signed content type`);
      }
      const expected = octets(md[0].values[0], 'the messageDigest');
      if (bytesEqual(await digestOf('as-received', digest), expected)) form = 'as-received';
      else if (crlfOf() !== content && bytesEqual(await digestOf('crlf', digest), expected)) form = 'crlf';
      if (!form) throw invalid(`${where}: the content does not match the signed message digest (${digest}); the list was changed after signing`);
      signedBytes = si.signedAttrs.signedBytes;
    }

    let signer: Cert | undefined;
    for (const cert of candidates) {
      if (signedBytes) {
        if (await verifyWith(crypto, cert.publicKey, scheme, signature, signedBytes, where)) signer = cert;
      } else {
        // no signed attributes: the signature is over the content itself
        if (await verifyWith(crypto, cert.publicKey, scheme, signature, content, where)) {
          signer = cert;
          form = 'as-received';
        } else if (crlfOf() !== content && (await verifyWith(crypto, cert.publicKey, scheme, signature, crlfOf(), where))) {
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
    checkListDigest(scheme.hash, si.signatureAlgorithm.oid, options.allowSha1 === true, where);
    if (form === 'crlf') usedForm = 'crlf';
    signers.push(signer);
    digests.push(digest);
  }
  return { signers, digestAlgorithm: digests[0] as DigestName, digests, form: usedForm };
}

// a contentType value that does not decode matches nothing
function oidOrEmpty(n: Asn): string {
  try {
    return oid(n, 'the contentType attribute');
  } catch {
    return '';
  }
}
