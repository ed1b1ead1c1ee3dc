/**
 * The fast path of strict JSON, over the UTF-8 bytes: one pass checks what
 * `JSON.parse` does not (duplicate and prototype keys, nesting depth, numbers
 * out of range) and marks where each long array can be cut between two
 * elements; the runtime's `JSON.parse` then builds the value piece by piece.
 * The document is never held as one string beside its bytes and the value
 * built from it: a 60 MB list costs its bytes, its value and a few windows
 * (256 KiB) and pieces (64 KiB) of text, not a further 60 MB.
 *
 * Whatever the scan or `JSON.parse` refuses, this hands back (undefined) to
 * the reference parser in json.ts, which says what is wrong and where;
 * test/unit/json-fast-path.test.ts pins that both give the same verdict.
 *
 * Why the pieces are the document: the skeleton (the text with every long
 * array replaced by a placeholder string) and every piece (a run of elements
 * between two cuts, each cut a comma of that array) are each parsed by
 * `JSON.parse`, each piece must hold at least one value, and each placeholder
 * must be met exactly once, where a value stands. The text is the skeleton
 * with each placeholder replaced by `[`, its pieces joined with the commas
 * cut at, and `]`; so it is JSON exactly when they all are, and its value is
 * theirs.
 *
 * @internal
 */
import type { JsonObject, JsonValue } from './json.js';
import { latin1 } from '../encoding/text.js';

/** Bytes of elements gathered into one piece before a cut. */
export const PIECE_BYTES = 1 << 16;

// ignoreBOM: a U+FEFF at the start of a piece is text to refuse, not a mark to drop
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Objects with more keys than this check duplicates with a Set instead of comparing with each key so far. */
const SMALL_OBJECT = 16;

/** A long array: where it opens and closes, and the commas to cut at. */
interface LongArray {
  readonly open: number;
  readonly close: number;
  readonly cuts: readonly number[];
}

/**
 * Where the JSON starts: after as many leading U+FEFF as the reference path
 * drops (so both read the same text): from bytes two (the byte-order mark
 * UTF-8 decoding drops, then one more), from a string one.
 */
export function jsonStart(b: Uint8Array, marks: 1 | 2): number {
  let p = 0;
  for (let k = 0; k < marks && b[p] === 0xef && b[p + 1] === 0xbb && b[p + 2] === 0xbf; k++) p += 3;
  return p;
}

/** Decodes UTF-8 strictly; undefined when the bytes are not UTF-8 (the reference path says so). */
function decode(b: Uint8Array, start: number, end: number): string | undefined {
  try {
    return utf8.decode(b.subarray(start, end));
  } catch {
    return undefined;
  }
}

/** `[` + the bytes [start, end) + `]`, decoded; undefined when they are not UTF-8. */
function bracketed(b: Uint8Array, start: number, end: number, scratch: Uint8Array): string | undefined {
  const len = end - start;
  if (len + 2 > scratch.length) {
    // a piece holding one very long element
    const text = decode(b, start, end);
    return text === undefined ? undefined : `[${text}]`;
  }
  scratch[0] = 91; // [
  scratch.set(b.subarray(start, end), 1);
  scratch[len + 1] = 93; // ]
  return decode(scratch, 0, len + 2);
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Bytes scanned as one text: the scan reads the document a window at a time,
 * each ending after a line feed (never inside a token of valid JSON, where a
 * string has no raw line break), decoded one char per byte so that offsets
 * stay byte offsets. A document with no line feed is one window.
 */
export const WINDOW = 1 << 18;

/** What the scan knows between windows. */
interface ScanState {
  depth: number;
  expectKey: boolean;
  /** The keys of the object open at `depth` (absolute byte offset, length pairs), else undefined. */
  keys: number[] | undefined;
  /** Per depth: whether an array; an object's keys (arrays reused between siblings) and their Set once large. */
  readonly isArray: boolean[];
  readonly levels: number[][];
  readonly big: (Set<string> | undefined)[];
  /** Per depth, for arrays: where it opened, its last cut and its cuts so far. */
  readonly opened: number[];
  readonly lastCut: number[];
  readonly cuts: (number[] | undefined)[];
  readonly long: LongArray[];
}

/** Whether the key at byte `at` equals text[start, start + len) (compared in the text when both are in this window). */
function sameKey(b: Uint8Array, text: string, base: number, at: number, start: number, len: number): boolean {
  if (at < base) return sameBytes(b, at, base + start, len);
  const x = at - base;
  for (let k = 0; k < len; k++) if (text.charCodeAt(x + k) !== text.charCodeAt(start + k)) return false;
  return true;
}

function sameBytes(b: Uint8Array, x: number, y: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}

/**
 * One pass over JSON bytes from `start`: the long arrays (with their cuts)
 * when nothing was found that `JSON.parse` would let through, else
 * undefined — also for a key written with a backslash escape, which lists
 * never need. It does not check the syntax (`JSON.parse` does); on bytes
 * that are not JSON its answer means nothing.
 */
function scan(b: Uint8Array, start: number, maxDepth: number, pieceBytes: number, window: number): LongArray[] | undefined {
  const st: ScanState = { depth: 0, expectKey: false, keys: undefined, isArray: [], levels: [], big: [], opened: [], lastCut: [], cuts: [], long: [] };
  for (let base = start; base < b.length; ) {
    const lf = base + window < b.length ? b.indexOf(10, base + window) : -1;
    const to = lf === -1 ? b.length : lf + 1;
    if (!scanWindow(st, b, latin1(b.subarray(base, to)), base, maxDepth, pieceBytes)) return undefined;
    base = to;
  }
  // an array inside a long array is read with the piece that holds it
  const long = st.long;
  return long.filter((a) => !long.some((o) => o.open < a.open && a.close < o.close));
}

/**
 * Scans one window (`text`, from byte `base`); false hands the document to
 * the reference parser. Kept apart from the window loop and from anything
 * rare: V8 optimises this loop while it runs, and one function for windows
 * and all took it 2.5× as long to compile (47 against 18 ms), all of that
 * time spent scanning unoptimised.
 */
function scanWindow(st: ScanState, b: Uint8Array, text: string, base: number, maxDepth: number, pieceBytes: number): boolean {
  const { isArray, levels, big, opened, lastCut, cuts } = st;
  let { depth, expectKey, keys } = st;
  const n = text.length;
  let nextBackslash = -1; // position of the next backslash at or after the scan point (n: none)
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: its closing quote is the first one after an even run of backslashes
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end === -1) return false;
        let k = end - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((end - 1 - k) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (expectKey && keys !== undefined) {
        if (nextBackslash <= i) {
          nextBackslash = text.indexOf('\\', i + 1);
          if (nextBackslash === -1) nextBackslash = n;
        }
        if (nextBackslash < end) return false; // an escaped key: the reference parser decides
        // the common case inline (a call per key is what a cold scan pays most for)
        const len = end - i - 1;
        if ((len === 9 || len === 11) && FORBIDDEN_KEYS.has(text.slice(i + 1, end))) return false;
        if (keys.length < 2 * SMALL_OBJECT) {
          // one char per byte: equal keys are equal bytes (valid UTF-8 has one encoding per string)
          for (let k = 0; k < keys.length; k += 2) if (keys[k + 1] === len && sameKey(b, text, base, keys[k] as number, i + 1, len)) return false;
        } else if (!addLargeObjectKey(st, b, text.slice(i + 1, end), depth, keys)) return false;
        keys.push(base + i + 1, len);
        expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 123 || c === 91) {
      // { or [
      if (++depth > maxDepth) return false;
      if (c === 123) {
        isArray[depth] = false;
        keys = levels[depth] ??= [];
        keys.length = 0;
        big[depth] = undefined;
        expectKey = true;
      } else {
        isArray[depth] = true;
        opened[depth] = base + i;
        lastCut[depth] = base + i;
        cuts[depth] = undefined;
        keys = undefined;
        expectKey = false;
      }
    } else if (c === 125 || c === 93) {
      // } or ]
      if (c === 93 && cuts[depth] !== undefined) closeLong(st, depth, base + i);
      depth--;
      keys = isArray[depth] === false ? levels[depth] : undefined;
      expectKey = false;
    } else if (c === 44) {
      // , — in an array, a place to cut once a piece's worth of elements lies behind
      if (keys !== undefined) expectKey = true;
      else if (isArray[depth] === true && base + i - (lastCut[depth] as number) >= pieceBytes) cutAt(st, depth, base + i);
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      // a number: only an exponent or a long mantissa can leave the double range
      let j = i + 1;
      let exp = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === 101 || d === 69) exp = true;
        else if (!((d >= 48 && d <= 57) || d === 46 || d === 43 || d === 45)) break;
      }
      if ((exp || j - i > 300) && !Number.isFinite(Number(text.slice(i, j)))) return false;
      i = j;
      continue;
    }
    i++;
  }
  st.depth = depth;
  st.expectKey = expectKey;
  st.keys = keys;
  return true;
}

function cutAt(st: ScanState, depth: number, at: number): void {
  (st.cuts[depth] ??= []).push(at);
  st.lastCut[depth] = at;
}

function closeLong(st: ScanState, depth: number, close: number): void {
  st.long.push({ open: st.opened[depth] as number, close, cuts: st.cuts[depth] as number[] });
}

/** A key of a large object (over SMALL_OBJECT keys) open at `depth`, checked against a Set; false when already there. */
function addLargeObjectKey(st: ScanState, b: Uint8Array, key: string, depth: number, keys: number[]): boolean {
  let set = st.big[depth];
  if (set === undefined) {
    set = new Set();
    for (let k = 0; k < keys.length; k += 2) set.add(latin1(b.subarray(keys[k] as number, (keys[k] as number) + (keys[k + 1] as number))));
    st.big[depth] = set;
  }
  if (set.has(key)) return false;
  set.add(key);
  return true;
}

/**
 * Where the skeleton holds long array `k`: a string no JSON text can hold
 * unescaped, written escaped; a document that holds it itself is found out
 * below (it would be met twice) and goes to the reference parser.
 */
function placeholder(k: number): string {
  return `\u0000vmilist:long-array:${k}`;
}

/**
 * The skeleton's value with each placeholder k replaced by `arrays[k]`, or
 * undefined unless each was met exactly once (so a document that holds a
 * placeholder's text itself goes to the reference parser). JSON.parse orders
 * integer-like keys first, so the walk finds them by value, not by order.
 */
function fillPlaceholders(skeleton: JsonValue, arrays: readonly JsonValue[][]): JsonValue | undefined {
  const byText = new Map(arrays.map((a, k) => [placeholder(k), a] as const));
  const met = new Set<JsonValue[]>();
  let twice = false;
  const visit = (v: JsonValue): JsonValue => {
    if (typeof v === 'string') {
      const a = byText.get(v);
      if (a === undefined) return v;
      if (met.has(a)) twice = true;
      met.add(a);
      return a;
    }
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) v[i] = visit(v[i] as JsonValue);
    else if (typeof v === 'object' && v !== null) for (const key of Object.keys(v)) v[key] = visit(v[key] as JsonValue);
    return v;
  };
  const value = visit(skeleton);
  return !twice && met.size === arrays.length ? value : undefined;
}

/**
 * Parses JSON bytes (from `start`, after any byte-order mark) when nothing in
 * them needs the reference parser: `{ value }`, else undefined.
 */
export function parseFast(b: Uint8Array, start: number, maxDepth: number, pieceBytes = PIECE_BYTES, window = WINDOW): { value: JsonValue } | undefined {
  const long = scan(b, start, maxDepth, pieceBytes, window);
  if (long === undefined) return undefined;
  try {
    // the long arrays, piece by piece
    const arrays: JsonValue[][] = [];
    // each piece is copied between brackets into one buffer and decoded from there: one string per piece, not two
    const scratch = new Uint8Array(long.length > 0 ? pieceBytes * 2 + 2 : 0);
    for (const a of long) {
      // the pieces' arrays are joined once at the end: pushing each element into one
      // growing array costs a write barrier per element once that array is old
      const parts: JsonValue[][] = [];
      let pieceStart = a.open + 1;
      for (let k = 0; k <= a.cuts.length; k++) {
        const pieceEnd = k < a.cuts.length ? (a.cuts[k] as number) : a.close;
        const text = bracketed(b, pieceStart, pieceEnd, scratch);
        if (text === undefined) return undefined;
        const items = JSON.parse(text) as JsonValue[];
        if (items.length === 0) return undefined; // `[1,,2]` or `[1,]`: a cut next to no value
        parts.push(items);
        pieceStart = pieceEnd + 1;
      }
      arrays.push(parts.flat());
    }
    // the skeleton: the text with each long array replaced by its placeholder
    let skeleton = '';
    let from = start;
    for (const [k, a] of long.entries()) {
      const part = decode(b, from, a.open);
      if (part === undefined) return undefined;
      skeleton += `${part}${JSON.stringify(placeholder(k))}`;
      from = a.close + 1;
    }
    const rest = decode(b, from, b.length);
    if (rest === undefined) return undefined;
    const value = JSON.parse(skeleton + rest) as JsonValue;
    if (long.length === 0) return { value };
    const filled = fillPlaceholders(value, arrays);
    return filled === undefined ? undefined : { value: filled };
  } catch {
    return undefined; // a syntax error: the reference parser reports it with line and column
  }
}
