/**
 * Byte helpers for the S/MIME code: equality, own buffers for WebCrypto and
 * pkijs, and the CRLF canonical form that S/MIME signers hash. (Base64, PEM,
 * hex and text encodings are in src/encoding.)
 */

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

/** Types a view for WebCrypto/pkijs (our views are never SharedArrayBuffer-backed). */
export function bs(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u as Uint8Array<ArrayBuffer>;
}
