/**
 * Base64 as MIME and PEM carry it: strict decoding (line breaks, spaces and
 * tabs skipped, anything else refused), fast, with no per-line string
 * concatenation; encoding in fixed-width lines.
 */
import { VmiListError } from '../errors.js';
import { asciiBytes } from './text.js';

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
