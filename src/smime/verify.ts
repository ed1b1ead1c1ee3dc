/**
 * Verifying a signed image list, step by step in the order of the design
 * (each step its own function and error code):
 *   1 MIME → 2 CMS signatures → 3 path, validity, constraints, usage →
 *   4 IGTF namespaces → 5 revocation → 6 strict JSON + schema →
 *   7 endorser binding and allow-list → 8 list time.
 * Pure: bytes, trust material and the instant come in as arguments.
 */
import { VmiListError } from '../errors.js';
import { formatListDate, toEpochMs } from '../model/dates.js';
import { parseImageList } from '../model/parse.js';
import type { Warning } from '../model/types.js';
import { parseDn } from '../x509/dn.js';
import { sealVerified, type VerifiedImageList } from '../model/verified.js';
import { cryptoOf } from './algorithms.js';
import { checkEndorserAllowed, checkEndorserBinding, checkListTime } from './binding.js';
import { toHex } from '../encoding/hex.js';
import { toBytes } from '../encoding/text.js';
import { derItems, isCaCertificate, parseCertificates, sameCert, summarize, type Cert, type CertificateSummary } from './certs.js';
import { parseCms, verifyCmsSignatures, type ParsedCms } from './cms.js';
import { checkRevocation, parseCrls } from './crl.js';
import { ContentDigests } from './content-digests.js';
import { parseSmime } from './mime.js';
import { resolveVerifyOptions } from './options.js';
import { checkNamespaces, parseNamespaceFiles } from './namespaces.js';
import { preparedParse } from './trust.js';
import { buildPath, checkPathConstraints, checkValidity, signedByChecker } from './path.js';
import type { DerOrPem, SignedInput, VerifyOptions } from './types.js';
import { checkSignerUsage } from './usage.js';

/** Options of {@link verifySignature}. */
export interface SignatureOptions {
  /** Extra certificates that may hold the signer's key (when the message does not embed it). */
  readonly certificates?: readonly DerOrPem[];
  /** Accept SHA-1. Default false. */
  readonly allowSha1?: boolean;
  /** Largest accepted message in bytes. Default 64 MiB. */
  readonly maxBytes?: number;
  /** A WebCrypto implementation for runtimes without `globalThis.crypto`. */
  readonly crypto?: Crypto;
}

/** What {@link verifySignature} found: who signed, not whether to trust them. */
export interface SignatureResult {
  /** The signer certificate of every SignerInfo, in order. */
  readonly signers: readonly CertificateSummary[];
  /** Digest algorithm of the first SignerInfo. */
  readonly digestAlgorithm: string;
  /** The signed content, bytes as received. */
  readonly content: Uint8Array;
  /** Whether the signature covered the content as received or its CRLF canonical form. */
  readonly form: 'as-received' | 'crlf';
}

interface Envelope {
  readonly cms: ParsedCms;
  readonly content: Uint8Array;
}

/** Step 1: the envelope, with a size cap before any parsing. */
function openEnvelope(input: SignedInput, maxBytes: number): Envelope {
  let raw: { cms: Uint8Array; content?: Uint8Array };
  if (typeof input !== 'string' && !(input instanceof Uint8Array) && (typeof input !== 'object' || input === null)) {
    throw new VmiListError('ERR_INPUT', `input must be S/MIME text or bytes, or { cms, content }, not ${input === null ? 'null' : typeof input}`);
  }
  if (typeof input === 'object' && !(input instanceof Uint8Array)) {
    if (!input || !('cms' in input)) throw new VmiListError('ERR_INPUT', 'input must be S/MIME text or bytes, or { cms, content }');
    const cmsItem = derItems(input.cms, ['PKCS7', 'CMS'], 'cms'); // DER as is, PEM decoded
    if (cmsItem.length !== 1) throw new VmiListError('ERR_MIME_MALFORMED', `expected one CMS blob, found ${cmsItem.length}`);
    if (typeof input.content !== 'string' && !(input.content instanceof Uint8Array)) throw new VmiListError('ERR_INPUT', 'input.content must be text or bytes');
    raw = { cms: cmsItem[0] as Uint8Array, content: toBytes(input.content) };
  } else {
    const bytes = toBytes(input);
    if (bytes.length > maxBytes) {
      throw new VmiListError('ERR_TOO_LARGE', `the signed message is ${bytes.length} bytes, over the limit of ${maxBytes} bytes`);
    }
    const message = parseSmime(bytes);
    raw = message.content ? { cms: message.cms, content: message.content } : { cms: message.cms };
  }
  const cms = parseCms(raw.cms);
  if (raw.content && cms.eContent) throw new VmiListError('ERR_MIME_MALFORMED', 'the message carries its content twice (detached part and inside the CMS)');
  const content = raw.content ?? cms.eContent;
  if (!content) throw new VmiListError('ERR_MIME_MALFORMED', 'the CMS signature is detached but no signed content was given');
  if (content.length > maxBytes) throw new VmiListError('ERR_TOO_LARGE', `the signed content is ${content.length} bytes, over the limit of ${maxBytes} bytes`);
  return { cms, content };
}

/**
 * Checks only the signatures (steps 1–2): the content is what the signer
 * signed. Says nothing about trust — use {@link verifySignedList} for that.
 *
 * @throws VmiListError `ERR_MIME_MALFORMED`, `ERR_SIGNATURE_INVALID`, `ERR_DIGEST_WEAK`, `ERR_TOO_LARGE`
 */
export async function verifySignature(input: SignedInput, options: SignatureOptions = {}): Promise<SignatureResult> {
  return failClosed(() => checkSignature(input, options));
}

async function checkSignature(input: SignedInput, options: SignatureOptions): Promise<SignatureResult> {
  const crypto = cryptoOf(options.crypto);
  const o = resolveVerifyOptions(options);
  const env = openEnvelope(input, o.maxBytes);
  const pool = [...env.cms.certificates, ...parseCertificates(options.certificates, 'certificates')];
  const res = await verifyCmsSignatures(env.cms, env.content, pool, { crypto, allowSha1: o.allowSha1 });
  return Object.freeze({ signers: res.signers.map(summarize), digestAlgorithm: res.digestAlgorithm, content: env.content, form: res.form });
}

/** The payload read, or why it could not be: kept until step 6 decides. */
type Payload = { readonly ok: true; readonly parsed: ReturnType<typeof parseImageList> } | { readonly ok: false; readonly error: unknown };

/** Step 6's reading of the signed content as an image list. */
function readPayload(env: Envelope, maxBytes: number, strict: boolean): Payload {
  try {
    return { ok: true, parsed: parseImageList(env.content, { maxBytes, source: 'signed content', ...(strict ? { strict: true } : {}) }) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Anything unexpected thrown while verifying is a refusal with a code, never a crash (fail closed). */
async function failClosed<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_SIGNATURE_INVALID', `the message could not be verified: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

const CRL_POLICIES = ['require', 'if-present', 'off'] as const;
const PROFILES = ['grid', 'smime'] as const;

/** Options are checked, not defaulted around: a misspelt value is an error, never a relaxation. */
function checkOptions(o: VerifyOptions): void {
  if (o === null || typeof o !== 'object') throw new VmiListError('ERR_INPUT', 'verifySignedList needs options with trustAnchors and at');
  if (!Array.isArray(o.trustAnchors)) throw new VmiListError('ERR_INPUT', 'options.trustAnchors must be an array of CA certificates (PEM or DER)');
  if (o.at === undefined) throw new VmiListError('ERR_INPUT', 'options.at is required: the instant to verify at (the core has no clock)');
  if (o.crlPolicy !== undefined && !(CRL_POLICIES as readonly string[]).includes(o.crlPolicy)) {
    throw new VmiListError('ERR_INPUT', `options.crlPolicy must be one of ${CRL_POLICIES.join(', ')}, not ${String(o.crlPolicy)}`);
  }
  if (o.certProfile !== undefined && !(PROFILES as readonly string[]).includes(o.certProfile)) {
    throw new VmiListError('ERR_INPUT', `options.certProfile must be one of ${PROFILES.join(', ')}, not ${String(o.certProfile)}`);
  }
  for (const [k, v] of [['crlGraceSeconds', o.crlGraceSeconds], ['skewSeconds', o.skewSeconds], ['maxBytes', o.maxBytes]] as const) {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new VmiListError('ERR_INPUT', `options.${k} must be a number ≥ 0`);
  }
  if (o.endorsers !== undefined && !Array.isArray(o.endorsers)) throw new VmiListError('ERR_INPUT', 'options.endorsers must be an array of {dn, ca?}');
  for (const [i, e] of (o.endorsers ?? []).entries()) {
    if (!e || typeof e.dn !== 'string') throw new VmiListError('ERR_INPUT', `options.endorsers[${i}].dn must be a DN string`);
    parseDn(e.dn);
    if (e.ca !== undefined) parseDn(e.ca);
  }
  if (o.allowSha1 !== undefined && typeof o.allowSha1 !== 'boolean') throw new VmiListError('ERR_INPUT', 'options.allowSha1 must be a boolean');
}

/**
 * Verifies a signed image list completely and returns it frozen, with its
 * signer. The only way to obtain a {@link VerifiedImageList}.
 *
 * @throws VmiListError with the code of the first step that failed.
 */
export async function verifySignedList(input: SignedInput, options: VerifyOptions): Promise<VerifiedImageList> {
  return failClosed(() => checkSignedList(input, options));
}

async function checkSignedList(input: SignedInput, options: VerifyOptions): Promise<VerifiedImageList> {
  checkOptions(options);
  const crypto = cryptoOf(options.crypto);
  const at = toEpochMs(options.at, 'options.at');
  const o = resolveVerifyOptions(options);
  const { maxBytes, crlPolicy: policy } = o;
  const warnings: Warning[] = [];

  // trust material is parsed first: a broken trust store is the caller's error, whatever the message
  // a trust anchor must be a CA: an end-entity certificate among them would
  // otherwise be a complete path of its own, with nothing to revoke it
  const pre = preparedParse(options);
  const anchors = (pre ? pre.anchors : parseCertificates(options.trustAnchors, 'trustAnchors')).filter(isCaCertificate);
  if (anchors.length === 0) throw new VmiListError('ERR_INPUT', 'options.trustAnchors holds no CA certificate: nothing is trusted');
  const given = pre ? pre.intermediates : parseCertificates(options.intermediates, 'intermediates');
  const crls = policy === 'off' ? [] : pre ? pre.crls : parseCrls(options.crls);
  const namespaces = pre ? pre.namespaces : parseNamespaceFiles(options.namespaces);

  // 1–2: envelope and every signature
  const env = openEnvelope(input, maxBytes);
  const embedded = env.cms.certificates;
  const digests = new ContentDigests(env.content, crypto);
  // the list's SHA-256 (returned at the end) is hashed off the main thread meanwhile
  const contentSha256 = digests.digest('crlf', 'sha256');
  contentSha256.catch(() => undefined);
  const signatures = verifyCmsSignatures(env.cms, env.content, [...embedded, ...given, ...anchors], {
    crypto,
    allowSha1: o.allowSha1,
    digests,
  });
  // While WebCrypto hashes the content (a worker thread in Node), the payload is
  // read on this one. Nothing read is used, nor any error of it reported,
  // before steps 1–5 have passed: a refusal names the first failed step, as
  // if the reading had waited (a bad signature wins over a bad payload).
  const payload = readPayload(env, maxBytes, options.strict === true);
  const cmsResult = await signatures;
  if (cmsResult.digests.includes('sha1')) warnings.push({ path: 'signature', message: 'signed with SHA-1, accepted because allowSha1 is set' });

  // 3–5 for every signer
  const signedBy = signedByChecker(crypto);
  const intermediates = [...embedded, ...given].filter((c, i, all) => all.findIndex((d) => sameCert(c, d)) === i);
  let firstPath: Cert[] | undefined;
  for (const signer of cmsResult.signers) {
    const path = await buildPath(signer, { anchors, intermediates }, signedBy);
    checkValidity(path, at);
    checkPathConstraints(path);
    checkSignerUsage(signer, o.certProfile);
    checkNamespaces(path, namespaces);
    const crlWarnings = await checkRevocation(path, crls, { policy, graceSeconds: o.crlGraceSeconds, at, crypto });
    for (const message of crlWarnings) warnings.push({ path: 'revocation', message });
    firstPath ??= path;
  }
  if (policy === 'off') warnings.push({ path: 'revocation', message: 'revocation was not checked (crlPolicy off)' });
  const signer = cmsResult.signers[0] as Cert;
  const path = firstPath as Cert[];

  // 6: the payload (read above)
  if (!payload.ok) throw payload.error;
  const parsed = payload.parsed;
  warnings.push(...parsed.warnings);

  // 7–8: every signer must be an endorser the list names (and the caller accepts)
  for (const s of cmsResult.signers) {
    checkEndorserBinding(parsed.list, s);
    checkEndorserAllowed(s, options.endorsers);
  }
  checkListTime(parsed.list, at, o.skewSeconds);

  // the canonical form, so a mirror that re-encodes line ends does not make an unchanged list look new
  const digest = await contentSha256;
  return sealVerified({
    list: parsed.list,
    document: parsed.document,
    signer: summarize(signer),
    chain: path.map((c) => c.dn),
    digestAlgorithm: cmsResult.digestAlgorithm,
    content: env.content,
    contentSha256: toHex(digest),
    verifiedAt: formatListDate(at),
    warnings,
  });
}
