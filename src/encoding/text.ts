/** Text and bytes: one-char-per-byte (latin1) views, ASCII bytes, UTF-8 encoding. */
const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8');

/** Bytes as a string of one char per byte (indices match byte offsets). */
export function latin1(bytes: Uint8Array): string {
  return asciiText(bytes) ?? latin1Decoder.decode(bytes);
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
