/**
 * Reading image lists: strict JSON → dialect normalisation → schema → the
 * checks a schema cannot express. Every refusal is a VmiListError whose
 * message names the source and the first problem, with all problems in
 * `issues`.
 */
import { VmiListError, type Issue } from '../errors.js';
import { DEFAULT_MAX_ISSUES, listIssues, schemaReport } from '../schema/validate.js';
import { parseListDate } from './dates.js';
import { normalizeDialects } from './dialects.js';
import { parseStrictJson, type JsonValue, type StrictJsonOptions } from './json.js';
import type { ImageList, ImageListDocument, Warning } from './types.js';

/** Options for {@link parseImageList} and {@link validateImageList}. */
export interface ParseOptions extends Omit<StrictJsonOptions, 'allowTrailing'> {
  /** Refuse every dialect form instead of accepting it with a warning. Default false. */
  strict?: boolean;
}

/** A list that passed parsing and the schema. */
export interface ParsedImageList {
  /** The whole document, `{"hv:imagelist": …}`, in canonical form. */
  readonly document: ImageListDocument;
  /** The list itself (`document['hv:imagelist']`). */
  readonly list: ImageList;
  /** Dialect forms that were accepted, with where they were. */
  readonly warnings: readonly Warning[];
}

/**
 * Parses and validates an image list from JSON text or UTF-8 bytes.
 *
 * @throws VmiListError `ERR_JSON_MALFORMED` (syntax, duplicate keys, depth,
 *   size cap), `ERR_SCHEMA_INVALID` (with every issue).
 */
export function parseImageList(input: string | Uint8Array, options: ParseOptions = {}): ParsedImageList {
  const value = parseStrictJson(input, options);
  return checkDocument(value, options);
}

/**
 * Validates an already-parsed value (e.g. from `JSON.parse`) as an image
 * list. The value is copied, never changed.
 */
export function validateImageList(value: unknown, options: ParseOptions = {}): ParsedImageList {
  let copy: JsonValue;
  try {
    copy = structuredClone(value) as JsonValue;
  } catch (cause) {
    throw new VmiListError('ERR_INPUT', 'value is not plain JSON data', { cause });
  }
  return checkDocument(copy, options);
}

/** Every problem of `value` as an image list (empty when valid); never throws for data. */
export function imageListIssues(value: unknown, options: Pick<ParseOptions, 'strict'> = {}): Issue[] {
  try {
    validateImageList(value, options);
    return [];
  } catch (e) {
    if (e instanceof VmiListError) return e.issues.length > 0 ? [...e.issues] : [{ path: '/', message: e.message }];
    throw e;
  }
}

// documents whose value is exactly the JSON they were read from (no dialect rewritten)
const asRead = new WeakSet<object>();

/**
 * True when `document` came out of {@link parseImageList} (or the verifier)
 * with no dialect form rewritten: its value is that of the JSON text it was
 * read from, so that text may be shown in its place (internal, for the CLI).
 *
 * @internal
 */
export function isAsRead(document: object): boolean {
  return asRead.has(document);
}

function checkDocument(value: JsonValue, options: ParseOptions): ParsedImageList {
  const { doc, warnings, rewritten } = normalizeDialects(value);
  const schema = schemaReport(doc);
  // the first issues of every kind, counted in full; never one array entry per image beyond the cap
  const found = schema.issues.concat(semanticIssues(doc));
  let total = schema.total + found.length - schema.issues.length;
  if (options.strict && warnings.length > 0) {
    for (const w of warnings.slice(0, DEFAULT_MAX_ISSUES)) found.push({ path: w.path, message: `dialect refused in strict mode: ${w.message}` });
    total += warnings.length;
  }
  if (total > 0) {
    const issues = listIssues(found, total);
    const first = issues[0] as Issue;
    const more = total > 1 ? ` (and ${total - 1} more)` : '';
    const src = options.source ? `${options.source}: ` : '';
    throw new VmiListError('ERR_SCHEMA_INVALID', `${src}${first.path} ${first.message}${more}`, { issues });
  }
  const document = doc as unknown as ImageListDocument;
  if (!rewritten) asRead.add(document);
  return { document, list: document['hv:imagelist'], warnings };
}

// What the schema cannot say: dates that match the pattern but do not exist (2011-02-30).
function semanticIssues(doc: JsonValue): Issue[] {
  const issues: Issue[] = [];
  const list = (doc as { 'hv:imagelist'?: Record<string, unknown> } | null)?.['hv:imagelist'];
  if (typeof list !== 'object' || list === null) return issues;
  for (const key of ['dc:date:created', 'dc:date:expires']) {
    const v = list[key];
    if (typeof v === 'string' && parseListDate(v) === undefined) issues.push({ path: `/hv:imagelist/${key}`, message: 'is not a real date' });
  }
  const images = list['hv:images'];
  if (Array.isArray(images)) {
    images.forEach((entry: unknown, i) => {
      const image = (entry as { 'hv:image'?: Record<string, unknown> } | null)?.['hv:image'];
      const v = typeof image === 'object' && image !== null ? image['dc:date:expires'] : undefined;
      if (typeof v === 'string' && parseListDate(v) === undefined) {
        issues.push({ path: `/hv:imagelist/hv:images/${i}/hv:image/dc:date:expires`, message: 'is not a real date' });
      }
    });
  }
  return issues;
}
