/**
 * Algorithm identifiers and signature checks over WebCrypto: digests, RSA
 * PKCS#1 v1.5, RSA-PSS and ECDSA (DER signatures converted to r||s). Used
 * for CMS signer infos, certificate and CRL signatures alike; pkijs's own
 * crypto engine is never involved.
 */
import { VmiListError } from '../errors.js';
import { parserDetail } from '../x509/asn1.js';
import { concatBytes } from '../encoding/concat.js';
import { CLASS, decodeBer } from '../x509/ber.js';
import { algorithmId, derOf, integerBytes, tlv, bitString, encodingOf, explicit, isContext, isUniversal, oid, sequence, smallInteger, TAG, type AlgorithmId, type Asn } from '../x509/der.js';
import { bs, bytesEqual } from './bytes.js';

/** Digest names as reported in results. */
export type DigestName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

const DIGEST_OIDS: Record<string, DigestName> = {
  '1.2.840.113549.2.5': 'md5',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** OID of each digest (for signing). */
export const DIGEST_OID: Readonly<Record<'sha256' | 'sha384' | 'sha512', string>> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** OIDs used by the S/MIME code. */
export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
} as const;

// signature algorithm OID → [kind, hash] (hash undefined: taken from the digestAlgorithm)
const SIGNATURE_OIDS: Record<string, readonly ['rsa' | 'ecdsa' | 'rsa-pss', DigestName | undefined]> = {
  '1.2.840.113549.1.1.1': ['rsa', undefined],
  '1.2.840.113549.1.1.4': ['rsa', 'md5'],
  '1.2.840.113549.1.1.5': ['rsa', 'sha1'],
  '1.3.14.3.2.29': ['rsa', 'sha1'],
  '1.2.840.113549.1.1.14': ['rsa', 'sha224'],
  '1.2.840.113549.1.1.11': ['rsa', 'sha256'],
  '1.2.840.113549.1.1.12': ['rsa', 'sha384'],
  '1.2.840.113549.1.1.13': ['rsa', 'sha512'],
  '1.2.840.113549.1.1.10': ['rsa-pss', undefined],
  '1.2.840.10045.2.1': ['ecdsa', undefined],
  '1.2.840.10045.4.1': ['ecdsa', 'sha1'],
  '1.2.840.10045.4.3.1': ['ecdsa', 'sha224'],
  '1.2.840.10045.4.3.2': ['ecdsa', 'sha256'],
  '1.2.840.10045.4.3.3': ['ecdsa', 'sha384'],
  '1.2.840.10045.4.3.4': ['ecdsa', 'sha512'],
};

const CURVES: Record<string, { name: string; size: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

/** OID of each curve name (for signing). */
export const CURVE_OID: Readonly<Record<string, string>> = {
  'P-256': '1.2.840.10045.3.1.7',
  'P-384': '1.3.132.0.34',
  'P-521': '1.3.132.0.35',
};

/** The digest named by an AlgorithmIdentifier OID, or `undefined`. */
export function digestFromOid(oid: string): DigestName | undefined {
  return DIGEST_OIDS[oid];
}

/** WebCrypto's name of a digest. */
export function webCryptoHash(d: DigestName): string {
  const name = ({ sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' } as Partial<Record<DigestName, string>>)[d];
  if (name === undefined) throw new VmiListError('ERR_DIGEST_WEAK', `digest ${d} is not supported`);
  return name;
}

/**
 * Refuses digests too weak for a list signature: MD5 always, SHA-224
 * (no WebCrypto support), SHA-1 unless `allowSha1`.
 */
export function checkListDigest(d: DigestName | undefined, oid: string, allowSha1: boolean, where: string): DigestName {
  if (d === undefined) throw new VmiListError('ERR_DIGEST_WEAK', `${where}: unknown digest algorithm ${oid}`);
  if (d === 'md5' || d === 'sha224') throw new VmiListError('ERR_DIGEST_WEAK', `${where}: digest ${d} is never accepted`);
  if (d === 'sha1' && !allowSha1) {
    throw new VmiListError('ERR_DIGEST_WEAK', `${where}: digest sha1 is refused (lists signed before ~2016 need allowSha1 / --allow-sha1)`);
  }
  return d;
}

/** A signature algorithm resolved to what WebCrypto needs. */
export interface SignatureScheme {
  readonly kind: 'rsa' | 'ecdsa' | 'rsa-pss';
  readonly hash: DigestName;
  /** RSA-PSS salt length in bytes. */
  readonly saltLength?: number;
}

/** A SubjectPublicKeyInfo: its encoding (what WebCrypto imports) and its algorithm. */
export interface PublicKeyInfo {
  readonly der: Uint8Array;
  readonly algorithm: AlgorithmId;
}

/** Reads `SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }`. */
export function publicKeyInfo(n: Asn | undefined, what: string): PublicKeyInfo {
  const [alg, key] = sequence(n, what, 2, 2);
  const algorithm = algorithmId(alg, `the key algorithm of ${what}`);
  bitString(key, `the key of ${what}`);
  return { der: encodingOf(n as Asn), algorithm };
}

const SHA1_OID = '1.3.14.3.2.26';
const MGF1_OID = '1.2.840.113549.1.1.8';

/**
 * Reads RSASSA-PSS-params (RFC 4055): hash, MGF1 hash and salt length, with
 * their SHA-1 / 20 defaults. The trailer field must be 1 (the only one defined).
 */
function pssParams(params: Asn | undefined, where: string): { hash: string; mgfHash: string; saltLength: number } {
  let hash = SHA1_OID;
  let mgfHash = SHA1_OID;
  let saltLength = 20;
  // RFC 4055 §3.1: next to a signature the parameters MUST be present (empty = all defaults)
  if (params === undefined) throw new Error('RSA-PSS parameters are missing');
  for (const field of sequence(params, `${where}: the RSA-PSS parameters`, 0, 4)) {
    const tag = isContext(field, 0) ? 0 : isContext(field, 1) ? 1 : isContext(field, 2) ? 2 : isContext(field, 3) ? 3 : -1;
    const value = explicit(field, tag, `${where}: an RSA-PSS parameter`);
    if (tag === 0) hash = algorithmId(value, `${where}: the RSA-PSS hash`).oid;
    else if (tag === 1) {
      const mgf = algorithmId(value, `${where}: the RSA-PSS mask generation`);
      if (mgf.oid !== MGF1_OID) throw new Error(`mask generation ${mgf.oid} is not MGF1`);
      mgfHash = algorithmId(mgf.params, `${where}: the MGF1 hash`).oid;
    } else if (tag === 2) saltLength = smallInteger(value, `${where}: the RSA-PSS salt length`);
    else if (smallInteger(value, `${where}: the RSA-PSS trailer field`) !== 1) throw new Error('trailer field is not 1');
  }
  return { hash, mgfHash, saltLength };
}

/**
 * Resolves a signature AlgorithmIdentifier; `digest` is the hash to use when
 * the OID names only the key type (CMS `rsaEncryption`).
 */
export function signatureScheme(alg: AlgorithmId, digest: DigestName | undefined, where: string): SignatureScheme {
  const entry = SIGNATURE_OIDS[alg.oid];
  if (!entry) throw new VmiListError('ERR_SIGNATURE_INVALID', `${where}: unsupported signature algorithm ${alg.oid}`);
  const [kind, fixed] = entry;
  if (kind === 'rsa-pss') {
    let params: ReturnType<typeof pssParams>;
    try {
      params = pssParams(alg.params, where);
    } catch (cause) {
      throw new VmiListError('ERR_SIGNATURE_INVALID', `${where}: malformed RSA-PSS parameters (${parserDetail(cause)})`, { cause });
    }
    const hash = digestFromOid(params.hash);
    if (!hash || hash !== digestFromOid(params.mgfHash)) throw new VmiListError('ERR_SIGNATURE_INVALID', `${where}: unsupported RSA-PSS parameters`);
    return { kind, hash, saltLength: params.saltLength };
  }
  const hash = fixed ?? digest;
  if (!hash) throw new VmiListError('ERR_SIGNATURE_INVALID', `${where}: signature algorithm ${alg.oid} needs a digest`);
  return { kind, hash };
}

/** Imports a SubjectPublicKeyInfo for verifying with `scheme`. */
export async function importPublicKey(
  crypto: Crypto,
  spki: PublicKeyInfo,
  scheme: SignatureScheme,
  where: string,
): Promise<{ key: CryptoKey; curveSize: number }> {
  const keyOid = spki.algorithm.oid;
  try {
    if (scheme.kind === 'ecdsa') {
      if (keyOid !== OID.ecPublicKey) throw new Error(`key type ${keyOid} cannot verify ECDSA`);
      const curveOid = namedCurveOf(spki);
      const curve = CURVES[curveOid];
      if (!curve) throw new Error(`unsupported elliptic curve ${curveOid}`);
      const key = await crypto.subtle.importKey('spki', bs(spki.der), { name: 'ECDSA', namedCurve: curve.name }, false, ['verify']);
      return { key, curveSize: curve.size };
    }
    if (keyOid !== OID.rsaEncryption && keyOid !== OID.rsaPss) throw new Error(`key type ${keyOid} cannot verify RSA`);
    const name = scheme.kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
    const key = await crypto.subtle.importKey('spki', bs(spki.der), { name, hash: webCryptoHash(scheme.hash) }, false, ['verify']);
    return { key, curveSize: 0 };
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_SIGNATURE_INVALID', `${where}: cannot use the public key (${(cause as Error).message})`, { cause });
  }
}

/** The named-curve OID of an EC key (`''` when the parameters are not a named curve). */
export function namedCurveOf(spki: PublicKeyInfo): string {
  const p = spki.algorithm.params;
  if (!isUniversal(p, TAG.oid)) return '';
  try {
    return oid(p, 'the curve');
  } catch {
    return '';
  }
}

/** Converts a DER ECDSA-Sig-Value to the fixed-size r||s WebCrypto verifies; `undefined` when malformed. */
export function ecdsaDerToRaw(der: Uint8Array, size: number): Uint8Array | undefined {
  let ints: Uint8Array[];
  try {
    const sig = decodeBer(der, 8);
    // only the DER form counts, as OpenSSL requires since CVE-2014-8275: a signature is one encoding
    if (sig.end !== der.length || !bytesEqual(derOf(sig), der)) return undefined;
    ints = sequence(sig, 'the ECDSA signature', 2, 2).map((n) => integerBytes(n, 'r or s'));
  } catch {
    return undefined; // a damaged signature is simply not valid
  }
  const out = new Uint8Array(2 * size);
  for (let i = 0; i < 2; i++) {
    let v = ints[i] as Uint8Array;
    // positive and minimal: no sign bit, no leading 00 unless the next byte needs it
    if (((v[0] as number) & 0x80) !== 0 || (v.length > 1 && v[0] === 0 && ((v[1] as number) & 0x80) === 0)) return undefined;
    while (v.length > 1 && v[0] === 0) v = v.subarray(1);
    if (v.length > size) return undefined;
    out.set(v, i * size + (size - v.length));
  }
  return out;
}

/** Converts a raw r||s ECDSA signature to DER (what CMS carries). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  const half = raw.length / 2;
  const int = (v: Uint8Array): Uint8Array => {
    let s = v;
    while (s.length > 1 && s[0] === 0 && ((s[1] as number) & 0x80) === 0) s = s.subarray(1);
    return tlv(CLASS.universal, false, TAG.integer, (s[0] as number) & 0x80 ? Uint8Array.of(0, ...s) : s);
  };
  return tlv(CLASS.universal, true, TAG.sequence, concatBytes([int(raw.subarray(0, half)), int(raw.subarray(half))]));
}

/** Verifies `signature` over `data` with the public key of `spki`. False for a wrong signature. */
export async function verifyWith(
  crypto: Crypto,
  spki: PublicKeyInfo,
  scheme: SignatureScheme,
  signature: Uint8Array,
  data: Uint8Array,
  where: string,
): Promise<boolean> {
  const { key, curveSize } = await importPublicKey(crypto, spki, scheme, where);
  if (scheme.kind === 'ecdsa') {
    const raw = ecdsaDerToRaw(signature, curveSize);
    if (!raw) return false;
    return crypto.subtle.verify({ name: 'ECDSA', hash: webCryptoHash(scheme.hash) }, key, bs(raw), bs(data));
  }
  if (scheme.kind === 'rsa-pss') {
    return crypto.subtle.verify({ name: 'RSA-PSS', saltLength: scheme.saltLength ?? 20 }, key, bs(signature), bs(data));
  }
  return crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, bs(signature), bs(data));
}

/** Something an issuer signs: a certificate or a CRL. */
export interface IssuerSigned {
  /** The signed part (tbsCertificate, tbsCertList) as received. */
  readonly tbs: Uint8Array;
  /** The algorithm named inside the signed part. */
  readonly tbsSignatureAlgorithm: AlgorithmId;
  /** The algorithm named outside it, next to the signature. */
  readonly signatureAlgorithm: AlgorithmId;
  /** The signature bytes. */
  readonly signature: Uint8Array;
}

/**
 * Checks that `signed` (a certificate or CRL, named `where`) is signed by the
 * key of `issuer` (named `issuerName`): `true`, or why not. MD5- and
 * SHA-224-signed objects are refused whatever the key says.
 */
export async function checkIssuerSignature(
  crypto: Crypto,
  signed: IssuerSigned,
  issuer: PublicKeyInfo,
  where: string,
  issuerName: string,
): Promise<true | string> {
  try {
    // the two copies of the algorithm must agree, as OpenSSL requires: the outer one is not signed
    if (!bytesEqual(signed.tbsSignatureAlgorithm.encoding, signed.signatureAlgorithm.encoding)) {
      return `${where} names two different signature algorithms (${signed.tbsSignatureAlgorithm.oid} inside, ${signed.signatureAlgorithm.oid} outside)`;
    }
    const scheme = signatureScheme(signed.signatureAlgorithm, undefined, where);
    if (scheme.hash === 'md5' || scheme.hash === 'sha224') return `${where} is signed with ${scheme.hash}, which is refused`;
    const ok = await verifyWith(crypto, issuer, scheme, signed.signature, signed.tbs, where);
    return ok ? true : `${where} is not signed by the key of ${issuerName}`;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The WebCrypto to use: the injected one, else the runtime's. */
export function cryptoOf(crypto: Crypto | undefined): Crypto {
  const c = crypto ?? (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new VmiListError('ERR_INPUT', 'no WebCrypto available: pass options.crypto (e.g. @peculiar/webcrypto)');
  return c;
}
