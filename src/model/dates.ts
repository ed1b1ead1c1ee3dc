/**
 * Dates in image lists. Every tool writes `%Y-%m-%dT%H:%M:%SZ`; the original
 * README prose shows plain `2011-03-03`, and some producers add fractions or
 * offsets. All are read; output is always the `Z` form.
 */
import { VmiListError } from '../errors.js';

const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an image-list date to epoch milliseconds, or `undefined` when it is
 * not a date. A date with a time but no zone is read as UTC (what the Python
 * tools mean), a plain date as midnight UTC.
 */
export function parseListDate(value: string): number | undefined {
  const m = DATE_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  let ms = Date.UTC(year, month - 1, day, Number(h), Number(mi), Math.min(Number(s), 59));
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  if (frac) ms += Math.floor(Number(frac) * 1000);
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    if (Number(digits.slice(0, 2)) > 23 || Number(digits.slice(2, 4)) > 59) return undefined;
    ms -= sign * offset * 60_000;
  }
  return ms;
}

/** Formats epoch milliseconds as `%Y-%m-%dT%H:%M:%SZ`. */
export function formatListDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Converts any accepted date form to the canonical `Z` form, or `undefined`. */
export function canonicalListDate(value: string): string | undefined {
  const ms = parseListDate(value);
  return ms === undefined ? undefined : formatListDate(ms);
}

/** Accepts a `Date`, epoch milliseconds, or a date string; returns epoch milliseconds. */
export function toEpochMs(at: Date | number | string, what = 'time'): number {
  const ms =
    typeof at === 'number' ? at : typeof at === 'string' ? parseListDate(at) ?? Number.NaN : at.getTime();
  if (!Number.isFinite(ms)) throw new VmiListError('ERR_INPUT', `${what} is not a valid date: ${String(at)}`);
  return ms;
}
