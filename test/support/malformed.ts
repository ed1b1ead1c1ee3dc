/**
 * Malformed and tampered messages made from the signed vectors, each with the
 * code vmilist must give and what `openssl smime -verify` says about the same
 * bytes. Shared by the unit test (every runtime) and the openssl cross-check.
 */
import { base64Decode, base64Encode } from '../../src/encoding/base64.js';
import { readBytes, readText } from './files.js';
import { vec } from './vectors.js';

/** One case: a whole S/MIME message and the verdicts expected for it. */
export interface MalformedCase {
  readonly name: string;
  readonly message: Uint8Array;
  readonly code: 'ERR_MIME_MALFORMED' | 'ERR_SIGNATURE_INVALID';
  /** What openssl smime -verify -noverify prints on stderr for it. */
  readonly openssl: RegExp;
  /** Words our message must contain. */
  readonly says: RegExp;
}

const latin1 = new TextDecoder('latin1');
const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);

/** The base64 body of the signature part of a detached message: [start, end) offsets in the text. */
function signatureBody(text: string): [number, number] {
  const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
  if (!boundary) throw new Error('no boundary');
  const part = text.indexOf('Content-Type: application/x-pkcs7-signature');
  const start = text.indexOf('\n\n', part) + 2;
  const end = text.indexOf(`\n--${boundary}--`, start) + 1;
  if (part < 0 || start < 2 || end < 1) throw new Error('no signature part');
  return [start, end];
}

/** The message with its signature part holding `der` instead. */
function withSignature(text: string, der: Uint8Array): Uint8Array {
  const [start, end] = signatureBody(text);
  return bytesOf(`${text.slice(0, start)}${base64Encode(der, 64, '\n')}\n${text.slice(end)}`);
}

/** The DER of the signature part. */
function signatureDer(text: string): Uint8Array {
  const [start, end] = signatureBody(text);
  return base64Decode(text.slice(start, end));
}

/** Offset of the value of the TLV at `off` (short and long definite lengths). */
function valueStart(der: Uint8Array, off: number): number {
  const first = der[off + 1] as number;
  return off + 2 + (first & 0x80 ? first & 0x7f : 0);
}

/** Offsets of the children of the constructed TLV at `off`. */
function children(der: Uint8Array, off: number): number[] {
  const lengthOf = (o: number): number => {
    const first = der[o + 1] as number;
    if (!(first & 0x80)) return first;
    let n = 0;
    for (let i = 0; i < (first & 0x7f); i++) n = n * 256 + (der[o + 2 + i] as number);
    return n;
  };
  const end = valueStart(der, off) + lengthOf(off);
  const out: number[] = [];
  for (let o = valueStart(der, off); o < end; o = valueStart(der, o) + lengthOf(o)) out.push(o);
  return out;
}

function flipTag(der: Uint8Array, at: number, to: number): Uint8Array {
  const out = der.slice();
  out[at] = to;
  return out;
}

/** A fixed pseudo-random byte string (xorshift), never starting like DER. */
function noise(length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  out[0] = 0x5a;
  return out;
}

/** About half of the base64 text, cut where one digit is left over (4n + 1 digits: no byte count fits). */
function badLengthPrefix(b64: string): string {
  let k = Math.floor(b64.length / 2);
  while (b64.slice(0, k).replace(/\s/g, '').length % 4 !== 1) k++;
  return b64.slice(0, k);
}

const NOT_CMS = /Error reading S\/MIME message/;

/** Every case, built from vectors/signed. */
export async function malformedCases(): Promise<MalformedCase[]> {
  const detached = await readText(vec('signed/alice-sha512.smime'));
  const opaque = await readText(vec('signed/alice-opaque.smime'));
  const sha1 = await readText(vec('signed/alice-sha1.smime'));
  const der = signatureDer(detached);
  const [sigStart, sigEnd] = signatureBody(detached);
  const sigB64 = detached.slice(sigStart, sigEnd);

  // ContentInfo ::= SEQUENCE { contentType OID, [0] EXPLICIT SignedData }
  const [oidAt, explicitAt] = children(der, 0) as [number, number];
  const signedDataAt = valueStart(der, explicitAt);
  const sd = children(der, signedDataAt);
  const versionAt = sd[0] as number;
  const signerInfosAt = sd[sd.length - 1] as number;

  const opaqueBody = opaque.indexOf('\n\n') + 2;
  const cutOpaque = opaqueBody + Math.floor((opaque.length - opaqueBody) * 0.6);
  // keep whole base64 lines (65 chars with the LF) so the cut is a shorter DER, not a base64 fault
  const cutLines = opaqueBody + Math.floor((cutOpaque - opaqueBody) / 65) * 65;

  return [
    {
      name: 'signature part base64 cut in the middle (whole lines kept)',
      message: bytesOf(`${detached.slice(0, sigStart)}${sigB64.slice(0, Math.floor(sigB64.length / 2 / 65) * 65)}${detached.slice(sigEnd)}`),
      code: 'ERR_MIME_MALFORMED',
      openssl: NOT_CMS,
      says: /not valid DER\/BER/,
    },
    {
      name: 'signature part base64 cut mid-line (a bad base64 length)',
      message: bytesOf(`${detached.slice(0, sigStart)}${badLengthPrefix(sigB64)}\n${detached.slice(sigEnd)}`),
      code: 'ERR_MIME_MALFORMED',
      openssl: NOT_CMS,
      says: /signature part: base64 data has a bad length/,
    },
    { name: 'signature part holding 1 KiB of random bytes', message: withSignature(detached, noise(1024)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not valid DER\/BER|not a CMS/ },
    { name: 'opaque message cut at 60% of its body', message: bytesOf(opaque.slice(0, cutLines)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not valid DER\/BER/ },
    { name: 'tag flip: ContentInfo SEQUENCE → SET', message: withSignature(detached, flipTag(der, 0, 0x31)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not a CMS ContentInfo/ },
    { name: 'tag flip: contentType OID → OCTET STRING', message: withSignature(detached, flipTag(der, oidAt, 0x04)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not a CMS ContentInfo/ },
    { name: 'tag flip: [0] EXPLICIT content → [1]', message: withSignature(detached, flipTag(der, explicitAt, 0xa1)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not a CMS ContentInfo/ },
    { name: 'tag flip: SignedData version INTEGER → OCTET STRING', message: withSignature(detached, flipTag(der, versionAt, 0x04)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not a SignedData structure/ },
    { name: 'tag flip: signerInfos SET → SEQUENCE', message: withSignature(detached, flipTag(der, signerInfosAt, 0x30)), code: 'ERR_MIME_MALFORMED', openssl: NOT_CMS, says: /not a SignedData structure/ },
    {
      // parses, but does not verify: the change is reported, not the SHA-1 policy
      name: 'SHA-1 list changed after signing',
      message: bytesOf(sha1.replace("Alice's images\",", "Alice's imagez\",")),
      code: 'ERR_SIGNATURE_INVALID',
      openssl: /digest failure|Verification failure/,
      says: /changed after signing/,
    },
  ];
}

/** An unsigned list (plain JSON) as the bytes a user hands to verify. */
export async function unsignedList(): Promise<Uint8Array> {
  return readBytes(vec('lists/alice.json'));
}

/** The text of a message (for the CLI tests that write it to a file). */
export function messageText(c: MalformedCase): string {
  return latin1.decode(c.message);
}
