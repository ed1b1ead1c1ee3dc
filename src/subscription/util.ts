/**
 * Small helpers shared by the reducer's files: time arguments, safe record
 * access (ids come from users and lists), plain-JSON equality, and id checks.
 */
import { VmiListError } from '../errors.js';
import { formatListDate, parseListDate, toEpochMs } from '../model/dates.js';
import type { Instant } from './types.js';

/** The time argument as epoch ms and its `Z` form. */
export function instant(now: Instant, what = 'now'): { ms: number; at: string } {
  if (now === undefined || now === null) throw new VmiListError('ERR_INPUT', `${what} is required: the reducer never reads a clock`);
  const ms = toEpochMs(now, what);
  return { ms, at: formatListDate(ms) };
}

/** Epoch ms of a date stored in state or a list (`NaN` when unreadable). */
export function dateMs(value: string | undefined): number {
  if (value === undefined) return Number.NaN;
  return parseListDate(value) ?? Number.NaN;
}

/** Own-property lookup, safe for keys such as `constructor`. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Throws `ERR_INPUT` unless `value` can be an id (a record key). */
export function checkId(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '' || FORBIDDEN.has(value)) {
    throw new VmiListError('ERR_INPUT', `${what} must be a non-empty string other than __proto__/constructor/prototype, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Deep equality of plain JSON values (object key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** A copy of `obj` without the listed keys (keeps state free of `undefined`). */
export function without<T extends object, K extends keyof T>(obj: T, ...keys: K[]): Omit<T, K> {
  const out = { ...obj };
  for (const k of keys) delete out[k];
  return out;
}
