/**
 * Writing image lists: keys sorted (as the Python tools' `sort_keys=True`),
 * two-space indent, LF line ends, a final newline. The output is stable: the
 * same list always gives the same bytes, and parse → serialize reproduces
 * what serialize wrote.
 */
import type { JsonValue } from './json.js';
import type { ImageList, ImageListDocument } from './types.js';

/** Serialises a list (or a whole document) to canonical JSON text. */
export function serializeImageList(list: ImageList | ImageListDocument): string {
  const doc = 'hv:imagelist' in list ? list : { 'hv:imagelist': list };
  return `${JSON.stringify(sortKeys(doc as unknown as JsonValue), null, 2)}\n`;
}

/** Serialises any JSON value with sorted keys, as {@link serializeImageList} does. */
export function serializeJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value as JsonValue), null, 2)}\n`;
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, JsonValue> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v !== undefined) out[key] = sortKeys(v);
  }
  return out;
}
