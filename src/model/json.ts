/**
 * Strict JSON: the parser every image list goes through. `JSON.parse` silently
 * keeps the last of two duplicate keys, so an attacker could show one value to
 * a human reader and another to the program; this parser refuses duplicates,
 * prototype-polluting keys, deep nesting and oversized input, and says where.
 */
import { DEFAULTS } from '../defaults.js';
import { VmiListError } from '../errors.js';
import { jsonStart, parseFast } from './json-fast.js';

/** Any JSON value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Limits for {@link parseStrictJson}. */
export interface StrictJsonOptions {
  /** Largest accepted input in bytes (UTF-8). Default 64 MiB. */
  maxBytes?: number;
  /** Deepest accepted nesting of arrays/objects. Default 64. */
  maxDepth?: number;
  /** Name used in error messages (a file name or URL). */
  source?: string;
  /**
   * Accept text after the top-level value (used to pull a list out of a
   * message for `vmilist validate`). Default false.
   */
  allowTrailing?: boolean;
}

/** The default size cap for a list: 64 MiB (`DEFAULTS.maxListBytes`). */
export const DEFAULT_MAX_LIST_BYTES: number = DEFAULTS.maxListBytes;
/** The default nesting cap (`DEFAULTS.maxJsonDepth`). */
export const DEFAULT_MAX_DEPTH: number = DEFAULTS.maxJsonDepth;

const NEEDS_SLOW_PATH = /[\\\u0000-\u001f]/;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 bytes strictly (invalid sequences are an error, not U+FFFD). */
export function decodeUtf8(bytes: Uint8Array, source?: string): string {
  try {
    return utf8.decode(bytes);
  } catch (cause) {
    throw new VmiListError('ERR_JSON_MALFORMED', `${where(source)}is not valid UTF-8`, { cause });
  }
}

function where(source: string | undefined): string {
  return source ? `${source}: ` : '';
}

/** Line and column (both 1-based) of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Parses JSON text or UTF-8 bytes strictly.
 *
 * One pass over the bytes (json-fast.ts) checks what `JSON.parse` does not —
 * duplicate keys, prototype keys, nesting depth, numbers out of range — and
 * the runtime's native `JSON.parse` builds the value, long arrays piece by
 * piece. Whatever the scan or `JSON.parse` refuses goes to the hand-written
 * reference parser, which says exactly what is wrong and where (so both
 * paths give the same verdict; test/unit/json-fast-path.test.ts pins it).
 *
 * @throws VmiListError `ERR_JSON_MALFORMED` for input over `maxBytes`, syntax errors, duplicate keys, `__proto__`/`constructor`/`prototype`
 *   keys, or nesting deeper than `maxDepth`, with line and column.
 */
export function parseStrictJson(input: string | Uint8Array, options: StrictJsonOptions = {}): JsonValue {
  checkSize(input, options);
  if (!options.allowTrailing) {
    const bytes = typeof input === 'string' ? utf8Encoder.encode(input) : input;
    const fast = parseFast(bytes, jsonStart(bytes, typeof input === 'string' ? 1 : 2), options.maxDepth ?? DEFAULT_MAX_DEPTH);
    if (fast !== undefined) return fast.value;
  }
  return referenceParse(textOf(input, options.source), options).value;
}

const utf8Encoder = new TextEncoder();

/**
 * The hand-written strict parser alone (no native fast path): the reference
 * {@link parseStrictJson} must agree with. Internal, for tests.
 *
 * @internal
 */
export function parseStrictJsonReference(input: string | Uint8Array, options: StrictJsonOptions = {}): JsonValue {
  return referenceParse(checkedText(input, options), options).value;
}

/** Like {@link parseStrictJson}, also returning the offset where the value ended. */
export function parseStrictJsonWithEnd(
  input: string | Uint8Array,
  options: StrictJsonOptions = {},
): { value: JsonValue; end: number; text: string } {
  return referenceParse(checkedText(input, options), options);
}

// The size cap (before anything is decoded).
function checkSize(input: string | Uint8Array, options: StrictJsonOptions): void {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_LIST_BYTES;
  const byteLength = typeof input === 'string' ? utf8Length(input, maxBytes) : input.byteLength;
  if (byteLength > maxBytes) {
    // The size cap is a property of acceptable list documents, hence a JSON error (issue #3).
    throw new VmiListError(
      'ERR_JSON_MALFORMED',
      `${where(options.source)}input is ${byteLength} bytes, too large: over the limit of ${maxBytes} bytes`,
    );
  }
}

// The size cap, then strict UTF-8 decoding, without a byte-order mark.
function checkedText(input: string | Uint8Array, options: StrictJsonOptions): string {
  checkSize(input, options);
  return textOf(input, options.source);
}

// Strict UTF-8 decoding, without a byte-order mark.
function textOf(input: string | Uint8Array, source: string | undefined): string {
  const text = typeof input === 'string' ? input : decodeUtf8(input, source);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function referenceParse(text: string, options: StrictJsonOptions): { value: JsonValue; end: number; text: string } {
  const parser = new Parser(text, options.maxDepth ?? DEFAULT_MAX_DEPTH, options.source);
  parser.skipWs();
  const value = parser.value(0);
  const end = parser.pos;
  parser.skipWs();
  if (!options.allowTrailing && parser.pos < text.length) parser.fail('unexpected text after the JSON value');
  return { value, end, text };
}

// Counts UTF-8 bytes, stopping early once over the cap (so a huge string is not walked twice).
function utf8Length(s: string, cap: number): number {
  if (s.length * 3 <= cap) return s.length; // cannot exceed: exact count not needed
  let n = 0;
  for (let i = 0; i < s.length && n <= cap; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

class Parser {
  pos = 0;
  // keys/indices from the root to the value being read, for error messages
  private readonly path: (string | number)[] = [];
  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly source: string | undefined,
  ) {}

  fail(message: string, at = this.pos): never {
    const { line, column } = lineColumn(this.text, at);
    const field = this.path.length > 0 ? ` (in /${this.path.join('/')})` : '';
    throw new VmiListError('ERR_JSON_MALFORMED', `${where(this.source)}line ${line}, column ${column}: ${message}${field}`, {
      issues: [{ path: `/${this.path.join('/')}`, message: `line ${line}, column ${column}: ${message}` }],
    });
  }

  skipWs(): void {
    const t = this.text;
    let p = this.pos;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 10 || c === 13 || c === 9) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.object(depth + 1);
      case 91: // [
        return this.array(depth + 1);
      case 34: // "
        return this.string();
      case 116: // t
        return this.literal('true', true);
      case 102: // f
        return this.literal('false', false);
      case 110: // n
        return this.literal('null', null);
      default:
        if (c === 45 || (c >= 48 && c <= 57)) return this.number();
        if (Number.isNaN(c)) this.fail('unexpected end of input');
        this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
    }
  }

  literal<T extends JsonValue>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return value;
    }
    this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`);
  }

  number(): number {
    const re = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) this.fail('malformed number');
    this.pos += m[0].length;
    const n = Number(m[0]);
    if (!Number.isFinite(n)) this.fail('number out of range', this.pos - m[0].length);
    return n;
  }

  string(): string {
    const t = this.text;
    const start = ++this.pos; // after the opening quote
    // fast path: no escapes and no control characters up to the next quote
    const quote = t.indexOf('"', start);
    if (quote >= 0) {
      const raw = t.slice(start, quote);
      if (!NEEDS_SLOW_PATH.test(raw)) {
        this.pos = quote + 1;
        return raw;
      }
    }
    let p = start;
    let escaped = false;
    for (;;) {
      const c = t.charCodeAt(p);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        p += 2;
        continue;
      }
      if (Number.isNaN(c)) this.fail('unterminated string', start - 1);
      if (c < 0x20) this.fail('control character (e.g. a line break) inside a string', p);
      p++;
    }
    if (p > t.length) this.fail('unterminated string', start - 1);
    this.pos = p + 1;
    if (!escaped) return t.slice(start, p);
    try {
      return JSON.parse(t.slice(start - 1, p + 1)) as string;
    } catch {
      return this.fail('invalid escape sequence in string', start - 1);
    }
  }

  array(depth: number): JsonValue[] {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    this.pos++;
    const out: JsonValue[] = [];
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      return out;
    }
    for (let i = 0; ; i++) {
      this.skipWs();
      this.path.push(i);
      out.push(this.value(depth));
      this.path.pop();
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        return out;
      }
      this.fail(Number.isNaN(c) ? 'unexpected end of input in array' : "expected ',' or ']' in array");
    }
  }

  object(depth: number): JsonObject {
    if (depth > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
    this.pos++;
    const out: JsonObject = {};
    const seen = new Set<string>();
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWs();
      const keyAt = this.pos;
      if (this.text.charCodeAt(this.pos) !== 34) {
        this.fail(Number.isNaN(this.text.charCodeAt(this.pos)) ? 'unexpected end of input in object' : 'expected a quoted key');
      }
      const key = this.string();
      if (FORBIDDEN_KEYS.has(key)) this.fail(`forbidden key ${JSON.stringify(key)}`, keyAt);
      if (seen.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      seen.add(key);
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 58) this.fail("expected ':' after key");
      this.pos++;
      this.skipWs();
      this.path.push(key);
      out[key] = this.value(depth);
      this.path.pop();
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 125) {
        this.pos++;
        return out;
      }
      this.fail(Number.isNaN(c) ? 'unexpected end of input in object' : "expected ',' or '}' in object");
    }
  }
}
