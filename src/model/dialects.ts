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
 * warnings. `doc` must be a fresh copy the caller owns.
 */
export function normalizeDialects(doc: JsonValue): { doc: JsonValue; warnings: Warning[] } {
  const warnings: Warning[] = [];
  if (!isObject(doc)) return { doc, warnings };
  let root: JsonObject = doc;
  if (!('hv:imagelist' in root) && LIST_FIELDS.some((f) => f in root)) {
    warnings.push({ path: '/', message: 'legacy list without the hv:imagelist wrapper; read as wrapped' });
    root = { 'hv:imagelist': root };
  }
  const list = root['hv:imagelist'];
  if (!isObject(list)) return { doc: root, warnings };
  const base = '/hv:imagelist';
  if (!('hv:images' in list)) {
    warnings.push({ path: `${base}/hv:images`, message: 'missing; read as an empty list of images' });
    list['hv:images'] = [];
  }
  normalizeDate(list, 'dc:date:created', base, warnings);
  normalizeDate(list, 'dc:date:expires', base, warnings);
  if (Array.isArray(list['hv:endorser'])) {
    warnings.push({ path: `${base}/hv:endorser`, message: `several endorsers (${list['hv:endorser'].length}); any of them may sign` });
  }
  const images = list['hv:images'];
  if (Array.isArray(images)) {
    images.forEach((entry, i) => {
      if (isObject(entry) && isObject(entry['hv:image'])) normalizeImage(entry['hv:image'], `${base}/hv:images/${i}/hv:image`, warnings);
    });
  }
  return { doc: root, warnings };
}

function normalizeDate(obj: JsonObject, key: string, base: string, warnings: Warning[]): void {
  const v = obj[key];
  if (typeof v !== 'string') return;
  const canonical = canonicalListDate(v);
  if (canonical !== undefined && canonical !== v) {
    warnings.push({ path: `${base}/${key}`, message: `date ${JSON.stringify(v)} read as ${canonical}` });
    obj[key] = canonical;
  }
}

function normalizeImage(image: JsonObject, base: string, warnings: Warning[]): void {
  const size = image['hv:size'];
  if (typeof size === 'string' && /^[0-9]{1,16}$/.test(size)) {
    warnings.push({ path: `${base}/hv:size`, message: `size given as the string ${JSON.stringify(size)}; read as a number` });
    image['hv:size'] = Number(size);
  }
  const sum = image['sl:checksum:sha512'];
  // the cheap test first: nearly every checksum is already lower case
  if (typeof sum === 'string' && sum !== sum.toLowerCase() && /^[0-9a-fA-F]{128}$/.test(sum)) {
    warnings.push({ path: `${base}/sl:checksum:sha512`, message: 'upper-case hex; read as lower case' });
    image['sl:checksum:sha512'] = sum.toLowerCase();
  }
  if ('dc:date:expires' in image) {
    warnings.push({ path: `${base}/dc:date:expires`, message: 'per-image expiry (AppDB dialect)' });
    normalizeDate(image, 'dc:date:expires', base, warnings);
  }
  for (const key of ['hv:format', 'hv:hypervisor']) {
    const v = image[key];
    if (typeof v === 'string' && v !== v.toLowerCase()) {
      warnings.push({ path: `${base}/${key}`, message: `${JSON.stringify(v)} is not lower case; kept as written, compared case-insensitively` });
    }
  }
}
