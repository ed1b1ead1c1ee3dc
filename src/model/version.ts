/**
 * Version order of `hv:version`, as the Python subscriber (vmcatcher) compares
 * them: split on `-`, `,`, `.` and `/`; numeric parts compare as integers; a
 * numeric part beats a text part; text parts compare as strings; on an equal
 * prefix the longer version wins (`1.10` > `1.9`, `1.0.1` > `1.0`).
 */

const SEPARATORS = /[-,./]/;

/** Negative when `a` is older than `b`, positive when newer, 0 when equal. */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = a.split(SEPARATORS);
  const pb = b.split(SEPARATORS);
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const c = comparePart(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return Math.sign(pa.length - pb.length);
}

const DIGITS = /^[0-9]+$/;

function comparePart(x: string, y: string): number {
  const xn = DIGITS.test(x);
  const yn = DIGITS.test(y);
  if (xn && yn) {
    // compare as integers without overflow: strip leading zeros, then length, then text
    const xs = x.replace(/^0+(?=.)/, '');
    const ys = y.replace(/^0+(?=.)/, '');
    if (xs.length !== ys.length) return Math.sign(xs.length - ys.length);
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  }
  if (xn) return 1;
  if (yn) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The next version, as the Python publisher bumps it: the last numeric part
 * is incremented (`0.0.9` → `0.0.10`, `3.3.0-1` → `3.3.0-2`); a version with
 * no numeric part gets `.1` appended.
 */
export function bumpVersion(version: string): string {
  const m = /^(.*?)([0-9]+)([^0-9]*)$/.exec(version);
  if (!m) return `${version}.1`;
  const [, head = '', num = '0', tail = ''] = m;
  const next = (BigInt(num) + 1n).toString().padStart(num.length, '0');
  return head + next + tail;
}
