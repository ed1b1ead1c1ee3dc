/** Finding byte strings in bytes, for formats read without decoding them whole. */

/**
 * The first index at or after `from` where `needle` occurs in `hay`, or -1
 * (Boyer–Moore–Horspool: a boundary of 30-odd bytes is looked for in a
 * 60 MB message in about 2 million steps, not 60 million).
 */
export function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const m = needle.length;
  if (m === 0) return from <= hay.length ? Math.max(from, 0) : -1;
  const last = m - 1;
  const skip = new Int32Array(256).fill(m);
  for (let k = 0; k < last; k++) skip[needle[k] as number] = last - k;
  const end = hay.length - m;
  for (let i = Math.max(from, 0); i <= end; ) {
    const c = hay[i + last] as number;
    if (c === needle[last]) {
      let k = last - 1;
      while (k >= 0 && hay[i + k] === needle[k]) k--;
      if (k < 0) return i;
    }
    i += skip[c] as number;
  }
  return -1;
}

/** Whether `needle` occurs in `hay` at `at`. */
export function bytesAt(hay: Uint8Array, needle: Uint8Array, at: number): boolean {
  if (at < 0 || at + needle.length > hay.length) return false;
  for (let k = 0; k < needle.length; k++) if (hay[at + k] !== needle[k]) return false;
  return true;
}
