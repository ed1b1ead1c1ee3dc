/**
 * Signing an image list as an endorser: CMS SignedData with the signed
 * attributes contentType, messageDigest and signingTime, over the
 * CRLF-canonical text (what `openssl smime -sign` and M2Crypto sign), with
 * RSA PKCS#1 v1.5 or ECDSA keys through WebCrypto; written as
 * `multipart/signed` (detached) or `application/pkcs7-mime` (opaque).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { VmiListError } from '../errors.js';
import { readBer } from '../x509/asn1.js';
import { compareEncodings } from '../x509/der.js';
import { formatListDate, parseListDate } from '../model/dates.js';
import { dnEquals } from '../x509/dn.js';
import type { JsonObject, JsonValue } from '../model/json.js';
import { serializeImageList } from '../model/serialize.js';
import type { ImageList, ImageListDocument, Warning } from '../model/types.js';
import { bumpVersion } from '../model/version.js';
import { cryptoOf, CURVE_OID, DIGEST_OID, ecdsaRawToDer, namedCurveOf, OID, verifyWith, webCryptoHash } from './algorithms.js';
import { bs, toCrlf } from './bytes.js';
import { base64Encode } from '../encoding/base64.js';
import { toHex } from '../encoding/hex.js';
import { looksLikePem, pemBlocks } from '../encoding/pem.js';
import { toBytes } from '../encoding/text.js';
import { derItems, parseCertificate, parseCertificates, type Cert } from './certs.js';
import type { DerOrPem, SignableList, SignDigest, SignOptions } from './types.js';
import { checkSignerUsage } from './usage.js';

/** Options of {@link prepareListForSigning}. */
export interface PrepareOptions {
  /** Signing time: dates are checked (and with `bump`, set) against it. */
  readonly now: Date;
  /** Bump `hv:version`, set `dc:date:created` to `now` and `dc:date:expires` to now + lifetime. */
  readonly bump?: boolean;
  /** With `bump`: days until expiry. Default 28. */
  readonly lifetimeDays?: number;
}

/** The list ready to sign, and what is worth telling the endorser. */
export interface PreparedList {
  /** The document with the endorser filled in (and bumped when asked). */
  readonly document: JsonValue;
  /** E.g. the list outlives the certificate. */
  readonly warnings: readonly Warning[];
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Fills `hv:endorser/hv:x509` `hv:dn` and `hv:ca` from the signing
 * certificate where they are null or missing, and refuses a list that names
 * another endorser (it would fail verification with `ERR_ENDORSER_MISMATCH`).
 * The input is not changed.
 *
 * @throws VmiListError `ERR_ENDORSER_MISMATCH`, `ERR_SCHEMA_INVALID`, `ERR_INPUT`
 */
export function prepareListForSigning(document: JsonValue, certificate: DerOrPem, options: PrepareOptions): PreparedList {
  const cert = firstCertificate(certificate);
  const doc = structuredClone(document);
  if (!isObject(doc)) throw new VmiListError('ERR_SCHEMA_INVALID', 'the list is not a JSON object');
  const list = isObject(doc['hv:imagelist']) ? doc['hv:imagelist'] : doc;
  const warnings: Warning[] = [];
  const now = options.now.getTime();

  const raw = list['hv:endorser'];
  const entries = (Array.isArray(raw) ? raw : [raw ?? { 'hv:x509': {} }]) as JsonValue[];
  let matched = false;
  const filled = entries.map((e) => {
    const entry: JsonObject = isObject(e) ? e : {};
    const x509: JsonObject = isObject(entry['hv:x509']) ? entry['hv:x509'] : {};
    const dn = x509['hv:dn'];
    const ca = x509['hv:ca'];
    const dnOk = dn === null || dn === undefined || (typeof dn === 'string' && dnEquals(dn, cert.subject));
    const caOk = ca === null || ca === undefined || (typeof ca === 'string' && dnEquals(ca, cert.issuer));
    if (dnOk && caOk && !matched) {
      matched = true;
      if (dn === null || dn === undefined) x509['hv:dn'] = cert.dn;
      if (ca === null || ca === undefined) x509['hv:ca'] = cert.issuerDn;
    }
    entry['hv:x509'] = x509;
    return entry;
  });
  if (!matched) {
    const named = filled.map((e) => String((e['hv:x509'] as JsonObject)['hv:dn'])).join('; ');
    throw new VmiListError(
      'ERR_ENDORSER_MISMATCH',
      `the list names the endorser ${named}, but the certificate is ${cert.dn} (CA ${cert.issuerDn}); set hv:dn/hv:ca to null to fill them from the certificate`,
    );
  }
  list['hv:endorser'] = Array.isArray(raw) ? filled : (filled[0] as JsonObject);

  if (options.bump) {
    const version = list['hv:version'];
    list['hv:version'] = typeof version === 'string' && version !== '' ? bumpVersion(version) : '1';
    const days = options.lifetimeDays ?? 28;
    list['dc:date:created'] = formatListDate(now);
    list['dc:date:expires'] = formatListDate(now + days * 86_400_000);
  }
  const created = typeof list['dc:date:created'] === 'string' ? parseListDate(list['dc:date:created']) : undefined;
  const expires = typeof list['dc:date:expires'] === 'string' ? parseListDate(list['dc:date:expires']) : undefined;
  if (expires !== undefined && expires > cert.notAfter) {
    warnings.push({ path: '/hv:imagelist/dc:date:expires', message: `the list expires ${formatListDate(expires)}, after the certificate (${formatListDate(cert.notAfter)}): subscribers will refuse it from then on` });
  }
  if (expires !== undefined && expires <= now) warnings.push({ path: '/hv:imagelist/dc:date:expires', message: `the list has already expired (${formatListDate(expires)})` });
  if (created !== undefined && created > now + 300_000) warnings.push({ path: '/hv:imagelist/dc:date:created', message: `the list is created in the future (${formatListDate(created)})` });
  if (now < cert.notBefore || now > cert.notAfter) {
    warnings.push({ path: 'certificate', message: `the certificate ${cert.dn} is not valid now (${formatListDate(cert.notBefore)} to ${formatListDate(cert.notAfter)})` });
  }
  return { document: doc, warnings };
}

function firstCertificate(input: DerOrPem): Cert {
  const [der] = derItems(input, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'], 'certificate');
  return parseCertificate(der as Uint8Array, 'certificate');
}

/** The exact bytes that get signed: the canonical JSON (or the given text) in CRLF form. */
export function signedContentOf(list: SignableList): Uint8Array {
  if (typeof list === 'string' || list instanceof Uint8Array) return toCrlf(toBytes(list));
  return toCrlf(new TextEncoder().encode(serializeImageList(list as ImageList | ImageListDocument)));
}

interface SigningKey {
  readonly key: CryptoKey;
  readonly kind: 'rsa' | 'ecdsa';
}

const RSA_OID = OID.rsaEncryption;

/** Wraps a traditional `RSA PRIVATE KEY` (PKCS#1) or `EC PRIVATE KEY` (SEC1) in PKCS#8. */
function toPkcs8(label: string, der: Uint8Array): Uint8Array {
  if (label === 'PRIVATE KEY') return der;
  let alg: asn1js.Sequence;
  if (label === 'RSA PRIVATE KEY') {
    alg = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: RSA_OID }), new asn1js.Null()] });
  } else if (label === 'EC PRIVATE KEY') {
    const parsed = readBer(der, 'the EC private key', 'ERR_INPUT');
    const params = parsed instanceof asn1js.Sequence ? parsed.valueBlock.value.find((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 0) : undefined;
    const curve = params instanceof asn1js.Constructed ? params.valueBlock.value[0] : undefined;
    if (!(curve instanceof asn1js.ObjectIdentifier)) throw new VmiListError('ERR_INPUT', 'EC private key without a named curve');
    alg = new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.ecPublicKey }), new asn1js.ObjectIdentifier({ value: curve.getValue() })] });
  } else if (label === 'ENCRYPTED PRIVATE KEY') {
    throw new VmiListError('ERR_INPUT', 'the private key is encrypted: decrypt it first (the CLI does with --passphrase-file)');
  } else {
    throw new VmiListError('ERR_INPUT', `unsupported private key type ${label}`);
  }
  const seq = new asn1js.Sequence({ value: [new asn1js.Integer({ value: 0 }), alg, new asn1js.OctetString({ valueHex: bs(der).slice().buffer })] });
  return new Uint8Array(seq.toBER(false));
}

async function importSigningKey(crypto: Crypto, input: DerOrPem | CryptoKey, cert: Cert, digest: SignOptions['digest'] & string): Promise<SigningKey> {
  const hash = webCryptoHash(digest);
  const keyOid = cert.publicKey.algorithm.oid;
  const kind = keyOid === OID.ecPublicKey ? 'ecdsa' : keyOid === RSA_OID ? 'rsa' : undefined;
  if (!kind) throw new VmiListError('ERR_INPUT', `the certificate's key type ${keyOid} is not RSA or EC`);
  if (typeof input === 'object' && !(input instanceof Uint8Array)) return { key: input, kind };
  let pkcs8: Uint8Array;
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
    const block = pemBlocks(text).find((b) => /PRIVATE KEY$/.test(b.label));
    if (!block) throw new VmiListError('ERR_INPUT', 'no PEM private key block found');
    if (block.headers.some((h) => /ENCRYPTED/i.test(h))) throw new VmiListError('ERR_INPUT', 'the private key is encrypted: decrypt it first');
    pkcs8 = toPkcs8(block.label, block.der);
  } else pkcs8 = input;
  let algorithm: RsaHashedImportParams | EcKeyImportParams;
  if (kind === 'ecdsa') {
    const curveOid = namedCurveOf(cert.publicKey);
    const namedCurve = Object.keys(CURVE_OID).find((k) => CURVE_OID[k] === curveOid);
    if (!namedCurve) throw new VmiListError('ERR_INPUT', `unsupported elliptic curve ${curveOid}`);
    algorithm = { name: 'ECDSA', namedCurve };
  } else algorithm = { name: 'RSASSA-PKCS1-v1_5', hash };
  try {
    return { key: await crypto.subtle.importKey('pkcs8', bs(pkcs8), algorithm, false, ['sign']), kind };
  } catch (cause) {
    throw new VmiListError('ERR_INPUT', `cannot use the private key with the ${kind === 'rsa' ? 'RSA' : 'EC'} certificate ${cert.dn} (${(cause as Error).message})`, { cause });
  }
}

/** DER SET OF: elements sorted by their encodings, as verifiers re-encode them. */

function signingTimeValue(t: Date): asn1js.BaseBlock {
  // RFC 5652: UTCTime for 1950–2049, GeneralizedTime otherwise
  const y = t.getUTCFullYear();
  return y >= 1950 && y < 2050 ? new asn1js.UTCTime({ valueDate: t }) : new asn1js.GeneralizedTime({ valueDate: t });
}

/**
 * Signs an image list. Lists and documents are serialised canonically
 * (sorted keys); text or bytes are signed as given. Either way the signed
 * bytes are the CRLF-canonical form, which is also what is written.
 *
 * @returns the S/MIME message (CRLF line ends).
 * @throws VmiListError `ERR_INPUT` for unusable keys/certificates or a key that does not match the certificate.
 */
export async function signImageList(list: SignableList, options: SignOptions): Promise<string> {
  const crypto = cryptoOf(options.crypto);
  if (!(options.signingTime instanceof Date) || Number.isNaN(options.signingTime.getTime())) {
    throw new VmiListError('ERR_INPUT', 'options.signingTime must be a valid Date (the core has no clock)');
  }
  const digest = options.digest ?? 'sha512';
  if (!(digest in DIGEST_OID)) throw new VmiListError('ERR_INPUT', `options.digest must be sha256, sha384 or sha512, not ${String(digest)}`);
  const cert = firstCertificate(options.certificate);
  // refuse what every verifier would refuse: a CA or a certificate not for signing
  if (cert.basicConstraints?.ca) throw new VmiListError('ERR_CERT_USAGE', `the certificate ${cert.dn} is a CA certificate; sign lists with a personal or host certificate`);
  checkSignerUsage(cert, 'grid');
  const chain = parseCertificates(options.chain, 'chain');
  const { key, kind } = await importSigningKey(crypto, options.privateKey, cert, digest);
  const content = signedContentOf(list);
  const hash = webCryptoHash(digest);
  const messageDigest = new Uint8Array(await crypto.subtle.digest(hash, bs(content)));

  const attrs = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
    new pkijs.Attribute({ type: OID.signingTime, values: [signingTimeValue(options.signingTime)] }),
    new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: bs(messageDigest).slice().buffer })] }),
  ];
  const encodedAttrs = attrs.map((a) => new Uint8Array(a.toSchema().toBER(false))).sort(compareEncodings);
  const toSign = new Uint8Array(new asn1js.Set({ value: encodedAttrs.map((e) => asn1js.fromBER(bs(e)).result) }).toBER(false));

  let signature: Uint8Array;
  if (kind === 'ecdsa') {
    signature = ecdsaRawToDer(new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, key, bs(toSign))));
  } else {
    signature = new Uint8Array(await crypto.subtle.sign({ name: 'RSASSA-PKCS1-v1_5' }, key, bs(toSign)));
  }
  await checkKeyMatches(crypto, cert, kind, digest, signature, toSign);

  // pkijs builds the structure; the certificates go in as they were read
  const signerCert = pkijsCertificate(cert);
  const digestAlg = new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OID[digest] });
  const sigAlgOid = kind === 'rsa' ? RSA_OID : digest === 'sha256' ? OID.ecdsaSha256 : digest === 'sha384' ? OID.ecdsaSha384 : OID.ecdsaSha512;
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: signerCert.issuer, serialNumber: signerCert.serialNumber }),
    digestAlgorithm: digestAlg,
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({
      type: 0,
      attributes: encodedAttrs.map((e) => new pkijs.Attribute({ schema: asn1js.fromBER(bs(e)).result })),
    }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier(kind === 'rsa' ? { algorithmId: sigAlgOid, algorithmParams: new asn1js.Null() } : { algorithmId: sigAlgOid }),
    signature: new asn1js.OctetString({ valueHex: bs(signature).slice().buffer }),
  });
  const detached = options.detached !== false;
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlg],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({
      eContentType: OID.data,
      ...(detached ? {} : { eContent: new asn1js.OctetString({ valueHex: bs(content).slice().buffer }) }),
    }),
    certificates: [signerCert, ...chain.map(pkijsCertificate)],
    signerInfos: [signerInfo],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
  const der = new Uint8Array(contentInfo.toSchema().toBER(false));
  return detached ? writeDetached(content, der, digest, messageDigest) : writeOpaque(der);
}

function pkijsCertificate(cert: Cert): pkijs.Certificate {
  return pkijs.Certificate.fromBER(bs(cert.der));
}

async function checkKeyMatches(crypto: Crypto, cert: Cert, kind: 'rsa' | 'ecdsa', digest: SignDigest, signature: Uint8Array, data: Uint8Array): Promise<void> {
  // the fresh signature must verify with the certificate's key, as every verifier will check it
  const ok = await verifyWith(crypto, cert.publicKey, { kind, hash: digest }, signature, data, `certificate ${cert.dn}`).catch(() => false);
  if (!ok) throw new VmiListError('ERR_INPUT', `the private key does not belong to the certificate ${cert.dn}`);
}

const MICALG: Readonly<Record<string, string>> = { sha256: 'sha-256', sha384: 'sha-384', sha512: 'sha-512' };

function writeDetached(content: Uint8Array, der: Uint8Array, digest: string, messageDigest: Uint8Array): string {
  // boundary from the digest: deterministic, and never found in the content
  const boundary = `----${toHex(messageDigest).slice(0, 32).toUpperCase()}`;
  // the message is returned as text: the content must be UTF-8 to survive that unchanged
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content);
  } catch (cause) {
    throw new VmiListError('ERR_INPUT', 'the list is not valid UTF-8 text', { cause });
  }
  if (text.includes(boundary)) throw new VmiListError('ERR_INPUT', 'the content contains the MIME boundary');
  return [
    'MIME-Version: 1.0',
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg="${MICALG[digest] ?? digest}"; boundary="${boundary}"`,
    '',
    'This is an S/MIME signed message',
    '',
    `--${boundary}`,
  ].join('\r\n') +
    `\r\n${text}\r\n--${boundary}\r\n` +
    [
      'Content-Type: application/pkcs7-signature; name="smime.p7s"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="smime.p7s"',
      '',
      base64Encode(der, 64, '\r\n'),
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
}

function writeOpaque(der: Uint8Array): string {
  return [
    'MIME-Version: 1.0',
    'Content-Disposition: attachment; filename="smime.p7m"',
    'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"',
    'Content-Transfer-Encoding: base64',
    '',
    base64Encode(der, 64, '\r\n'),
    '',
  ].join('\r\n');
}
