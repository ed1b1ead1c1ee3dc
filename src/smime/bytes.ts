/**
 * Byte helpers for the S/MIME code: base64 (strict, fast, no per-line string
 * concatenation), PEM, hex, text encoding and the CRLF canonical form that
 * S/MIME signers hash.
 */
import { VmiListError } from '../errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// 0..63 digit, 64 '=', 65 whitespace (skipped), 255 invalid
const DECODE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) DECODE[B64.charCodeAt(i)] = i;
DECODE[61] = 64;
for (const ws of [9, 10, 13, 32]) DECODE[ws] = 65;

/**
 * Decodes base64 from ASCII bytes or text. Line breaks, spaces and tabs are
 * skipped; any other non-alphabet character, data after padding or a bad
 * length is refused (`what` names the part in the message).
 */
export function base64Decode(input: Uint8Array | string, what = 'base64 data'): Uint8Array {
  const src = typeof input === 'string' ? asciiBytes(input) : input;
  const out = new Uint8Array(Math.floor((src.length * 3) / 4) + 3);
  let acc = 0;
  let bits = 0;
  let n = 0;
  let digits = 0;
  let pad = 0;
  for (let i = 0; i < src.length; i++) {
    const v = DECODE[src[i] as number] as number;
    if (v < 64) {
      if (pad > 0) throw new VmiListError('ERR_MIME_MALFORMED', `${what}: base64 data after padding`);
      acc = (acc << 6) | v;
      bits += 6;
      digits++;
      if (bits >= 8) {
        bits -= 8;
        out[n++] = (acc >> bits) & 0xff;
        acc &= (1 << bits) - 1;
      }
    } else if (v === 64) {
      pad++;
      if (pad > 2) throw new VmiListError('ERR_MIME_MALFORMED', `${what}: too much base64 padding`);
    } else if (v !== 65) {
      throw new VmiListError('ERR_MIME_MALFORMED', `${what}: invalid base64 character at offset ${i}`);
    }
  }
  const badLength = pad > 0 ? (digits + pad) % 4 !== 0 : digits % 4 === 1;
  if (badLength) throw new VmiListError('ERR_MIME_MALFORMED', `${what}: base64 data has a bad length`);
  return out.subarray(0, n);
}

/** Encodes bytes as base64 in lines of `width` characters joined by `eol`. */
export function base64Encode(bytes: Uint8Array, width = 64, eol = '\r\n'): string {
  const lines: string[] = [];
  const chunk = (width / 4) * 3;
  for (let off = 0; off < bytes.length; off += chunk) {
    const end = Math.min(off + chunk, bytes.length);
    let line = '';
    for (let i = off; i < end; i += 3) {
      const a = bytes[i] as number;
      const b = i + 1 < end ? (bytes[i + 1] as number) : 0;
      const c = i + 2 < end ? (bytes[i + 2] as number) : 0;
      line += B64[a >> 2];
      line += B64[((a & 3) << 4) | (b >> 4)];
      line += i + 1 < end ? B64[((b & 15) << 2) | (c >> 6)] : '=';
      line += i + 2 < end ? B64[c & 63] : '=';
    }
    lines.push(line);
  }
  return lines.join(eol);
}

const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8');

/** Bytes as a string of one char per byte (indices match byte offsets). */
export function latin1(bytes: Uint8Array): string {
  return asciiText(bytes) ?? latin1Decoder.decode(bytes);
}

/** {@link latin1} for bytes known not to be ASCII (skips the fast try). */
export function latin1Slow(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes);
}

/**
 * The bytes as text when they are all ASCII (then it is also their UTF-8 and
 * latin1 text), else undefined. Pure ASCII decodes identically as UTF-8,
 * which runtimes do many times faster; any byte over 0x7f makes the UTF-8
 * result shorter or replaced, so equal length with no U+FFFD means ASCII.
 */
export function asciiText(bytes: Uint8Array): string | undefined {
  const text = utf8Decoder.decode(bytes);
  return text.length === bytes.length && !text.includes('\uFFFD') ? text : undefined;
}

/** ASCII/latin1 text to bytes, one byte per char (chars above U+00FF are refused). */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c > 255 ? 255 : c;
  }
  return out;
}

const utf8Encoder = new TextEncoder();

/** UTF-8 bytes of a string, or the bytes themselves. */
export function toBytes(input: Uint8Array | string): Uint8Array {
  return typeof input === 'string' ? utf8Encoder.encode(input) : input;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] as number).toString(16).padStart(2, '0');
  return s;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A copy of `bytes` in its own ArrayBuffer (what pkijs/asn1js and WebCrypto like best). */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

/** True when `bytes` has an LF not preceded by CR (i.e. is not CRLF-canonical). */
export function hasBareLf(bytes: Uint8Array): boolean {
  let i = bytes.indexOf(10);
  while (i !== -1) {
    if (i === 0 || bytes[i - 1] !== 13) return true;
    i = bytes.indexOf(10, i + 1);
  }
  return false;
}

/**
 * The CRLF canonical form S/MIME signers hash: every LF not preceded by CR
 * becomes CRLF; CRLF and lone CR are kept. Returns `bytes` itself when it is
 * already canonical (no copy).
 */
export function toCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 13) bare++;
  }
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let o = 0;
  let from = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 13) {
      out.set(bytes.subarray(from, i), o);
      o += i - from;
      out[o++] = 13;
      out[o++] = 10;
      from = i + 1;
    }
  }
  out.set(bytes.subarray(from), o);
  return out;
}

/** One PEM block: its label and DER bytes. */
export interface PemBlock {
  /** The label after BEGIN, e.g. `CERTIFICATE`. */
  readonly label: string;
  /** The decoded bytes. */
  readonly der: Uint8Array;
  /** Header lines inside the block (e.g. `Proc-Type: 4,ENCRYPTED`). */
  readonly headers: readonly string[];
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const label = m[1] as string;
    const body = m[2] as string;
    const headers: string[] = [];
    let b64 = body;
    const blank = /\r?\n\r?\n/.exec(body);
    if (blank && body.slice(0, blank.index).includes(':')) {
      headers.push(...body.slice(0, blank.index).split(/\r?\n/).filter((l) => l.trim() !== ''));
      b64 = body.slice(blank.index + blank[0].length);
    }
    try {
      out.push({ label, der: base64Decode(b64, `PEM ${label}`), headers });
    } catch (cause) {
      throw new VmiListError('ERR_INPUT', `PEM block ${label} is not valid base64`, { cause });
    }
  }
  return out;
}

/** True when the bytes look like PEM text (start with optional whitespace then `-----BEGIN`). */
export function looksLikePem(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++;
  return latin1(bytes.subarray(i, i + 10)) === '-----BEGIN';
}

/** Types a view for WebCrypto/pkijs (our views are never SharedArrayBuffer-backed). */
export function bs(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u as Uint8Array<ArrayBuffer>;
}
