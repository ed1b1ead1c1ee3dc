/**
 * Step 1: the MIME envelope. Finds the signed content (bytes exactly as
 * received) and the CMS blob in a `multipart/signed` (detached) or
 * `application/pkcs7-mime` (opaque) message, or takes a bare CMS blob (DER or
 * PEM). Anything ambiguous — two Content-Type headers, a missing or unfound
 * boundary, an unknown protocol, an encoding other than base64 for the
 * signature — is refused with `ERR_MIME_MALFORMED`, never guessed around.
 */
import { VmiListError } from '../errors.js';
import { base64Decode } from '../encoding/base64.js';
import { looksLikePem, pemBlocks } from '../encoding/pem.js';
import { asciiText, latin1, latin1Slow, toBytes } from '../encoding/text.js';

/** What {@link parseSmime} found. */
export interface ParsedSmime {
  /** `detached`: content and signature in separate parts; `opaque`: content inside the CMS. */
  readonly kind: 'detached' | 'opaque';
  /** The signed content part, bytes exactly as received (detached only). */
  readonly content?: Uint8Array;
  /** The CMS ContentInfo (DER/BER). */
  readonly cms: Uint8Array;
  /** Top-level MIME headers, names lower-cased (empty for bare CMS). */
  readonly headers: Readonly<Record<string, string>>;
  /** The `micalg` parameter, when given (informative only; the CMS decides). */
  readonly micalg?: string;
}

/** A parsed `Content-Type` value. */
export interface ContentType {
  /** `type/subtype`, lower-cased. */
  readonly type: string;
  /** Parameters, names lower-cased. */
  readonly params: Readonly<Record<string, string>>;
}

function malformed(message: string): VmiListError {
  return new VmiListError('ERR_MIME_MALFORMED', message);
}

const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);
const OPAQUE_TYPES = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

/**
 * Parses an S/MIME message (text or bytes) or a bare CMS blob.
 *
 * @throws VmiListError `ERR_MIME_MALFORMED` for anything that is not one
 *   unambiguous signed message.
 */
export function parseSmime(input: string | Uint8Array): ParsedSmime {
  return readSmime(input).message;
}

/**
 * {@link parseSmime}, also handing on the detached content as text when the
 * message is ASCII: a slice of the text the MIME parts were found in, so the
 * verifier decodes the message once (internal).
 */
export function readSmime(input: string | Uint8Array): { message: ParsedSmime; contentText?: string } {
  const bytes = toBytes(input);
  if (bytes.length === 0) throw malformed('the message is empty');
  if (bytes[0] === 0x30) return { message: { kind: 'opaque', cms: bytes, headers: {} } };
  if (looksLikePem(bytes)) return { message: { kind: 'opaque', cms: pemCms(latin1(bytes)), headers: {} } };
  if (looksLikeJson(bytes)) {
    throw malformed('the input is not signed: it is plain JSON, not an S/MIME message (check an unsigned list with `vmilist validate` / validateImageList)');
  }
  const ascii = asciiText(bytes);
  const text = ascii ?? latin1Slow(bytes);
  const top = splitHeaders(text, 0, 'message');
  const ct = contentTypeOf(top.headers, 'message');
  if (ct.type === 'multipart/signed') {
    const message = detached(bytes, text, top, ct);
    const { start, end } = message;
    return ascii === undefined ? { message: message.parsed } : { message: message.parsed, contentText: ascii.slice(start, end) };
  }
  if (OPAQUE_TYPES.has(ct.type)) {
    const smimeType = ct.params['smime-type'];
    if (smimeType !== undefined && smimeType.toLowerCase() !== 'signed-data') {
      throw malformed(`message: smime-type=${smimeType} is not signed-data`);
    }
    requireBase64(top.headers, 'message');
    const cms = base64Decode(bytes.subarray(top.bodyStart), 'message body');
    return { message: { kind: 'opaque', cms, headers: top.headers } };
  }
  throw malformed(`message: Content-Type ${ct.type} is not a signed S/MIME type (multipart/signed or application/pkcs7-mime)`);
}

// an unsigned list handed to verify: JSON text starts with `{` (after optional BOM and whitespace)
function looksLikeJson(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13) i++;
  return bytes[i] === 0x7b;
}

function pemCms(text: string): Uint8Array {
  let blocks;
  try {
    blocks = pemBlocks(text).filter((b) => b.label === 'PKCS7' || b.label === 'CMS');
  } catch (cause) {
    throw new VmiListError('ERR_MIME_MALFORMED', 'PEM CMS block is not valid base64', { cause });
  }
  if (blocks.length !== 1) throw malformed(`expected one PEM PKCS7/CMS block, found ${blocks.length}`);
  return (blocks[0] as { der: Uint8Array }).der;
}

interface HeaderBlock {
  readonly headers: Record<string, string>;
  readonly bodyStart: number;
}

/** Splits headers from body at the first empty line (LF or CRLF); unfolds continuation lines. */
function splitHeaders(text: string, start: number, what: string): HeaderBlock {
  const headers: Record<string, string> = {};
  let pos = start;
  let last: string | undefined;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    if (nl === -1) throw malformed(`${what}: headers are not followed by an empty line`);
    const line = text.slice(pos, text[nl - 1] === '\r' && nl - 1 >= pos ? nl - 1 : nl);
    pos = nl + 1;
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && last !== undefined) {
      headers[last] = `${headers[last] ?? ''} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) throw malformed(`${what}: "${line.slice(0, 60)}" is not a header line`);
    const name = line.slice(0, colon).toLowerCase();
    if (name in headers) throw malformed(`${what}: header ${line.slice(0, colon)} appears twice`);
    headers[name] = line.slice(colon + 1).trim();
    last = name;
  }
  return { headers, bodyStart: pos };
}

/** Parses `type/subtype; a=b; c="d"`. */
export function parseContentType(value: string, what = 'Content-Type'): ContentType {
  const semi = value.indexOf(';');
  const type = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) throw malformed(`${what}: "${type}" is not a media type`);
  const params: Record<string, string> = {};
  let rest = semi === -1 ? '' : value.slice(semi + 1);
  const PARAM = /^\s*([A-Za-z0-9!#$&^_.+-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s"]*))\s*(?:;|$)/;
  while (rest.trim() !== '') {
    const m = PARAM.exec(rest);
    if (!m) throw malformed(`${what}: cannot read parameters "${rest.trim().slice(0, 60)}"`);
    const name = (m[1] as string).toLowerCase();
    if (name in params) throw malformed(`${what}: parameter ${name} appears twice`);
    params[name] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string);
    rest = rest.slice(m[0].length);
  }
  return { type, params };
}

function contentTypeOf(headers: Record<string, string>, what: string): ContentType {
  const v = headers['content-type'];
  if (v === undefined) throw malformed(`${what}: no Content-Type header`);
  return parseContentType(v, `${what} Content-Type`);
}

function requireBase64(headers: Record<string, string>, what: string): void {
  const cte = headers['content-transfer-encoding'];
  if (cte === undefined || cte.toLowerCase() !== 'base64') {
    throw malformed(`${what}: Content-Transfer-Encoding is ${cte ?? 'missing'}, expected base64`);
  }
}

function detached(bytes: Uint8Array, text: string, top: HeaderBlock, ct: ContentType): { parsed: ParsedSmime; start: number; end: number } {
  const protocol = ct.params.protocol?.toLowerCase();
  if (protocol === undefined) throw malformed('multipart/signed without a protocol parameter');
  if (!SIGNATURE_TYPES.has(protocol)) throw malformed(`multipart/signed protocol ${protocol} is not application/pkcs7-signature`);
  const boundary = ct.params.boundary;
  if (!boundary) throw malformed('multipart/signed without a boundary parameter');
  const cte = top.headers['content-transfer-encoding']?.toLowerCase();
  if (cte !== undefined && !['7bit', '8bit', 'binary'].includes(cte)) {
    throw malformed(`multipart/signed with Content-Transfer-Encoding ${cte}`);
  }
  const dash = `--${boundary}`;
  // the first delimiter: at the start of the body or at the start of a line
  let first = text.startsWith(dash, top.bodyStart) ? top.bodyStart : text.indexOf(`\n${dash}`, top.bodyStart);
  if (first === -1) throw malformed(`boundary "${boundary}" not found in the message`);
  if (first !== top.bodyStart) first += 1;
  const contentStart = afterDelimiterLine(text, first + dash.length, boundary);
  const second = text.indexOf(`\n${dash}`, contentStart - 1);
  if (second === -1) throw malformed('multipart/signed has only one part (no signature part)');
  const contentEnd = second > 0 && text[second - 1] === '\r' && second - 1 >= contentStart ? second - 1 : second;
  const afterSecond = second + 1 + dash.length;
  if (text.startsWith('--', afterSecond)) throw malformed('multipart/signed has no signature part');
  const sigStart = afterDelimiterLine(text, afterSecond, boundary);
  const close = text.indexOf(`\n${dash}`, sigStart - 1);
  if (close === -1) throw malformed('the signature part is not closed by the boundary');
  if (!text.startsWith('--', close + 1 + dash.length)) throw malformed('multipart/signed has more than two parts');
  const sigHeaders = splitHeaders(text, sigStart, 'signature part');
  const sigType = contentTypeOf(sigHeaders.headers, 'signature part');
  if (!SIGNATURE_TYPES.has(sigType.type)) throw malformed(`signature part has Content-Type ${sigType.type}`);
  requireBase64(sigHeaders.headers, 'signature part');
  if (sigHeaders.bodyStart > close + 1) throw malformed('signature part has no body');
  const cms = base64Decode(bytes.subarray(sigHeaders.bodyStart, close), 'signature part');
  if (cms.length === 0) throw malformed('signature part is empty');
  const micalg = ct.params.micalg;
  const parsed: ParsedSmime = {
    kind: 'detached',
    content: bytes.subarray(contentStart, contentEnd),
    cms,
    headers: top.headers,
    ...(micalg !== undefined ? { micalg } : {}),
  };
  return { parsed, start: contentStart, end: contentEnd };
}

// after `--boundary`: optional transport padding (spaces/tabs), then the line break
function afterDelimiterLine(text: string, pos: number, boundary: string): number {
  let p = pos;
  while (text[p] === ' ' || text[p] === '\t') p++;
  if (text[p] === '\r' && text[p + 1] === '\n') return p + 2;
  if (text[p] === '\n') return p + 1;
  throw malformed(`boundary "${boundary}" is not followed by a line break`);
}
