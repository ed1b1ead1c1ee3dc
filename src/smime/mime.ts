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
import { bytesAt, indexOfBytes } from '../encoding/search.js';
import { asciiBytes, latin1, toBytes } from '../encoding/text.js';

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
 * Parses an S/MIME message (text or bytes) or a bare CMS blob. The message
 * is read as bytes: headers are decoded line by line and boundaries looked
 * for in the bytes, so a large list is never also held as one string.
 *
 * @throws VmiListError `ERR_MIME_MALFORMED` for anything that is not one
 *   unambiguous signed message.
 */
export function parseSmime(input: string | Uint8Array): ParsedSmime {
  const bytes = toBytes(input);
  if (bytes.length === 0) throw malformed('the message is empty');
  if (bytes[0] === 0x30) return { kind: 'opaque', cms: bytes, headers: {} };
  if (looksLikePem(bytes)) return { kind: 'opaque', cms: pemCms(latin1(bytes)), headers: {} };
  if (looksLikeJson(bytes)) {
    throw malformed('the input is not signed: it is plain JSON, not an S/MIME message (check an unsigned list with `vmilist validate` / validateImageList)');
  }
  const top = splitHeaders(bytes, 0, 'message');
  const ct = contentTypeOf(top.headers, 'message');
  if (ct.type === 'multipart/signed') return detached(bytes, top, ct);
  if (OPAQUE_TYPES.has(ct.type)) {
    const smimeType = ct.params['smime-type'];
    if (smimeType !== undefined && smimeType.toLowerCase() !== 'signed-data') {
      throw malformed(`message: smime-type=${smimeType} is not signed-data`);
    }
    requireBase64(top.headers, 'message');
    const cms = base64Decode(bytes.subarray(top.bodyStart), 'message body');
    return { kind: 'opaque', cms, headers: top.headers };
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

/** Splits headers from body at the first empty line (LF or CRLF); unfolds continuation lines. Lines are read one char per byte. */
function splitHeaders(bytes: Uint8Array, start: number, what: string): HeaderBlock {
  const headers: Record<string, string> = {};
  let pos = start;
  let last: string | undefined;
  for (;;) {
    const nl = bytes.indexOf(10, pos);
    if (nl === -1) throw malformed(`${what}: headers are not followed by an empty line`);
    const line = latin1(bytes.subarray(pos, bytes[nl - 1] === 13 && nl - 1 >= pos ? nl - 1 : nl));
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

const CR = 13;
const LF = 10;
const DASH_DASH = asciiBytes('--');

function detached(bytes: Uint8Array, top: HeaderBlock, ct: ContentType): ParsedSmime {
  const protocol = ct.params.protocol?.toLowerCase();
  if (protocol === undefined) throw malformed('multipart/signed without a protocol parameter');
  if (!SIGNATURE_TYPES.has(protocol)) throw malformed(`multipart/signed protocol ${protocol} is not application/pkcs7-signature`);
  const boundary = ct.params.boundary;
  if (!boundary) throw malformed('multipart/signed without a boundary parameter');
  const cte = top.headers['content-transfer-encoding']?.toLowerCase();
  if (cte !== undefined && !['7bit', '8bit', 'binary'].includes(cte)) {
    throw malformed(`multipart/signed with Content-Transfer-Encoding ${cte}`);
  }
  // the delimiter as bytes, one per char, as the headers were read
  const delimiterLine = asciiBytes(`\n--${boundary}`);
  const dash = delimiterLine.subarray(1);
  // the first delimiter: at the start of the body or at the start of a line
  let first = bytesAt(bytes, dash, top.bodyStart) ? top.bodyStart : indexOfBytes(bytes, delimiterLine, top.bodyStart);
  if (first === -1) throw malformed(`boundary "${boundary}" not found in the message`);
  if (first !== top.bodyStart) first += 1;
  const contentStart = afterDelimiterLine(bytes, first + dash.length, boundary);
  const second = indexOfBytes(bytes, delimiterLine, contentStart - 1);
  if (second === -1) throw malformed('multipart/signed has only one part (no signature part)');
  const contentEnd = second > 0 && bytes[second - 1] === CR && second - 1 >= contentStart ? second - 1 : second;
  const afterSecond = second + 1 + dash.length;
  if (bytesAt(bytes, DASH_DASH, afterSecond)) throw malformed('multipart/signed has no signature part');
  const sigStart = afterDelimiterLine(bytes, afterSecond, boundary);
  const close = indexOfBytes(bytes, delimiterLine, sigStart - 1);
  if (close === -1) throw malformed('the signature part is not closed by the boundary');
  if (!bytesAt(bytes, DASH_DASH, close + 1 + dash.length)) throw malformed('multipart/signed has more than two parts');
  const sigHeaders = splitHeaders(bytes, sigStart, 'signature part');
  const sigType = contentTypeOf(sigHeaders.headers, 'signature part');
  if (!SIGNATURE_TYPES.has(sigType.type)) throw malformed(`signature part has Content-Type ${sigType.type}`);
  requireBase64(sigHeaders.headers, 'signature part');
  if (sigHeaders.bodyStart > close + 1) throw malformed('signature part has no body');
  const cms = base64Decode(bytes.subarray(sigHeaders.bodyStart, close), 'signature part');
  if (cms.length === 0) throw malformed('signature part is empty');
  const micalg = ct.params.micalg;
  return {
    kind: 'detached',
    content: bytes.subarray(contentStart, contentEnd),
    cms,
    headers: top.headers,
    ...(micalg !== undefined ? { micalg } : {}),
  };
}

// after `--boundary`: optional transport padding (spaces/tabs), then the line break
function afterDelimiterLine(bytes: Uint8Array, pos: number, boundary: string): number {
  let p = pos;
  while (bytes[p] === 32 || bytes[p] === 9) p++;
  if (bytes[p] === CR && bytes[p + 1] === LF) return p + 2;
  if (bytes[p] === LF) return p + 1;
  throw malformed(`boundary "${boundary}" is not followed by a line break`);
}
