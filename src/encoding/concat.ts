/**
 * One byte array from many. A lone plain `Uint8Array` is returned as it is
 * (no copy of a whole file); anything else is copied, a lone Node `Buffer`
 * too, since its `slice()` shares memory where a Uint8Array's copies.
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const first = parts[0];
  if (parts.length === 1 && first?.constructor === Uint8Array) return first;
  let total = 0;
  for (const p of parts) total += p.byteLength;
  const out = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.byteLength;
  }
  return out;
}
