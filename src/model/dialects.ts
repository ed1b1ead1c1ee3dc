/**
 * Dialects of real image lists (see docs/decisions.md and the README's
 * "Real-world lists"; vectors/lists/dialect-sizes.json is one),
 * rewritten into the canonical wire form, each rewrite reported as a warning:
 * the legacy form without the `hv:imagelist` wrapper, a missing `hv:images`,
 * `hv:size` as a digit string, non-`Z` dates, upper-case checksums, several
 * endorsers, per-image expiry, upper-case `hv:format`/`hv:hypervisor`.
 * Anything else that is wrong is left for the schema to refuse.
 */
import type { JsonObject, JsonValue } from './json.js';
import type { Warning } from './types.js';
import { canonicalListDate } from './dates.js';

const LIST_FIELDS = ['dc:identifier', 'dc:date:created', 'dc:date:expires', 'hv:version', 'hv:endorser', 'hv:images'];

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Rewrites dialect forms of a parsed document in place and returns the
 * warnings, and whether anything was rewritten (not every warning is a
 * rewrite: upper-case `hv:format` is only noted). `doc` must be a fresh copy
 * the caller owns.
 */
export function normalizeDialects(doc: JsonValue): { doc: JsonValue; warnings: Warning[]; rewritten: boolean } {
  const warnings: Warning[] = [];
  if (!isObject(doc)) return { doc, warnings, rewritten: false };
  let root: JsonObject = doc;
  let rewritten = false;
  if (!('hv:imagelist' in root) && LIST_FIELDS.some((f) => f in root)) {
    warnings.push({ path: '/', message: 'legacy list without the hv:imagelist wrapper; read as wrapped' });
    root = { 'hv:imagelist': root };
    rewritten = true;
  }
  const list = root['hv:imagelist'];
  if (!isObject(list)) return { doc: root, warnings, rewritten };
  const base = '/hv:imagelist';
  if (!('hv:images' in list)) {
    warnings.push({ path: `${base}/hv:images`, message: 'missing; read as an empty list of images' });
    list['hv:images'] = [];
    rewritten = true;
  }
  if (normalizeDate(list, 'dc:date:created', base, warnings)) rewritten = true;
  if (normalizeDate(list, 'dc:date:expires', base, warnings)) rewritten = true;
  if (Array.isArray(list['hv:endorser'])) {
    warnings.push({ path: `${base}/hv:endorser`, message: `several endorsers (${list['hv:endorser'].length}); any of them may sign` });
  }
  const images = list['hv:images'];
  if (Array.isArray(images)) {
    // a value not in lower case is kept and only noted: once per key and value, at its first image,
    // with the count (an AppDB list writes "QEMU" in every one of its images)
    const cased = new CasedNotes();
    for (let i = 0; i < images.length; i++) {
      const entry = images[i];
      if (isObject(entry) && isObject(entry['hv:image']) && normalizeImage(entry['hv:image'], i, warnings, cased)) rewritten = true;
    }
    for (const { path, value, count } of cased.byKeyValue.values()) {
      const where = count === 1 ? '' : ` (here and in ${count - 1} more image${count === 2 ? '' : 's'})`;
      warnings.push({ path, message: `${JSON.stringify(value)} is not lower case${where}; kept as written, compared case-insensitively` });
    }
  }
  return { doc: root, warnings, rewritten };
}

/** Rewrites a date to its `Z` form; true when it did. */
function normalizeDate(obj: JsonObject, key: string, base: string, warnings: Warning[]): boolean {
  const v = obj[key];
  if (typeof v !== 'string') return false;
  const canonical = canonicalListDate(v);
  if (canonical === undefined || canonical === v) return false;
  warnings.push({ path: `${base}/${key}`, message: `date ${JSON.stringify(v)} read as ${canonical}` });
  obj[key] = canonical;
  return true;
}

type CasedNote = { path: string; value: string; count: number };

/** Values not in lower case, once per key and value (the last note per key kept at hand: a list repeats one value). */
class CasedNotes {
  readonly byKeyValue = new Map<string, CasedNote>();
  private readonly last: (CasedNote | undefined)[] = [];

  note(k: number, key: string, value: string, index: number): void {
    const last = this.last[k];
    if (last !== undefined && last.value === value) {
      last.count++;
      return;
    }
    let seen = this.byKeyValue.get(`${key}\u0000${value}`);
    if (seen) seen.count++;
    else this.byKeyValue.set(`${key}\u0000${value}`, (seen = { path: imageField(index, key), value, count: 1 }));
    this.last[k] = seen;
  }
}

const CASED_KEYS = ['hv:format', 'hv:hypervisor'] as const;

// the paths of an image and its fields, built only when there is something to say about them
function imagePath(index: number): string {
  return `/hv:imagelist/hv:images/${index}/hv:image`;
}

function imageField(index: number, key: string): string {
  return `${imagePath(index)}/${key}`;
}

/** Rewrites an image's dialect forms; true when any was rewritten. */
function normalizeImage(image: JsonObject, index: number, warnings: Warning[], cased: CasedNotes): boolean {
  let rewritten = false;
  const size = image['hv:size'];
  if (typeof size === 'string' && /^[0-9]{1,16}$/.test(size)) {
    warnings.push({ path: imageField(index, 'hv:size'), message: `size given as the string ${JSON.stringify(size)}; read as a number` });
    image['hv:size'] = Number(size);
    rewritten = true;
  }
  const sum = image['sl:checksum:sha512'];
  // the cheap test first: nearly every checksum is already lower case
  if (typeof sum === 'string' && sum !== sum.toLowerCase() && /^[0-9a-fA-F]{128}$/.test(sum)) {
    warnings.push({ path: imageField(index, 'sl:checksum:sha512'), message: 'upper-case hex; read as lower case' });
    image['sl:checksum:sha512'] = sum.toLowerCase();
    rewritten = true;
  }
  if ('dc:date:expires' in image) {
    warnings.push({ path: imageField(index, 'dc:date:expires'), message: 'per-image expiry (AppDB dialect)' });
    if (normalizeDate(image, 'dc:date:expires', imagePath(index), warnings)) rewritten = true;
  }
  for (let k = 0; k < CASED_KEYS.length; k++) {
    const key = CASED_KEYS[k] as string;
    const v = image[key];
    if (typeof v === 'string' && v !== v.toLowerCase()) cased.note(k, key, v, index);
  }
  return rewritten;
}
