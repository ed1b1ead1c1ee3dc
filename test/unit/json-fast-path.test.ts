// The strict JSON fast path (one scan + native JSON.parse) against the
// hand-written reference parser: the same verdict (same error code and
// message, or the same value with the same key order) on the JSON of every
// vectors/ manifest case and list, and on fast-check mutations and generated
// documents aimed at what JSON.parse lets through (duplicate and prototype
// keys, also written with escapes; depth; numbers out of range).
// The scan itself is checked without the fallback: whatever it and JSON.parse
// accept, the reference must accept with an equal value; whatever the
// reference accepts, the scan must too unless a key is written with an escape
// (so valid lists do take the fast path).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { DEFAULT_MAX_DEPTH, parseStrictJson, parseStrictJsonReference, type StrictJsonOptions } from '../../src/model/json.js';
import { jsonStart, parseFast, PIECE_BYTES, WINDOW } from '../../src/model/json-fast.js';
import { parseSmime } from '../../src/smime/mime.js';
import { parseCms } from '../../src/smime/cms.js';
import { loadManifest, vec } from '../support/vectors.js';
import { readBytes } from '../support/files.js';

type Verdict = { ok: true; value: unknown; keys: string } | { ok: false; code: string; message: string };

function verdict(parse: () => unknown): Verdict {
  try {
    const value = parse();
    return { ok: true, value, keys: JSON.stringify(value) };
  } catch (e) {
    if (!(e instanceof VmiListError)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

/**
 * The fast path alone (scan, then JSON.parse of the skeleton and of every
 * piece of a long array), with pieces of `pieceBytes`; undefined where it
 * would hand over to the reference.
 */
function fastOnly(input: string | Uint8Array, maxDepth = DEFAULT_MAX_DEPTH, pieceBytes = PIECE_BYTES, window = WINDOW): { value: unknown } | undefined {
  const bytes = typeof input === 'string' ? utf8.encode(input) : input;
  return parseFast(bytes, jsonStart(bytes, typeof input === 'string' ? 1 : 2), maxDepth, pieceBytes, window);
}

// [piece bytes, window bytes]: the defaults; pieces so small that every array with a comma is
// cut at each one; windows of a line or a few, so pieces start in the window before, or further
// back, or hold more than a window (each way of reading a piece)
const PIECE_SIZES: readonly (readonly [number, number])[] = [[PIECE_BYTES, WINDOW], [1, WINDOW], [5, 3], [1, 1], [24, 8]];

function checkSame(input: string | Uint8Array, options: StrictJsonOptions = {}): Verdict {
  const reference = verdict(() => parseStrictJsonReference(input, options));
  const fast = verdict(() => parseStrictJson(input, options));
  expect(fast).toEqual(reference);
  if (typeof input === 'string' || options.maxBytes === undefined) {
    let text: string | undefined;
    try {
      text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      text = undefined; // not UTF-8: refused before any parsing
    }
    if (text !== undefined) {
      for (const [pieceBytes, window] of PIECE_SIZES) {
        const alone = fastOnly(input, options.maxDepth, pieceBytes, window);
        if (alone) {
          expect(reference.ok).toBe(true);
          if (reference.ok) {
            expect(alone.value).toEqual(reference.value); // -0, key order by JSON text below
            expect(JSON.stringify(alone.value)).toBe(reference.keys);
          }
        } else if (reference.ok && !ESCAPED_KEY.test(text) && !(text.includes('vmilist:long-array:') && pieceBytes < PIECE_BYTES)) {
          // only a key written with an escape (or a string that is a placeholder's text, beside a long array) may go to the reference parser
          throw new Error(`the reference accepts but the fast path (pieces of ${pieceBytes} bytes) hands over: ${text.slice(0, 200)}`);
        }
      }
    }
  }
  return reference;
}

const utf8 = new TextEncoder();
// a string with a backslash escape followed by ':' (a key the scan hands over)
const ESCAPED_KEY = /"(?:[^"\\]|\\.)*\\.(?:[^"\\]|\\.)*"\s*:/;

describe('strict JSON: fast path and reference parser agree', () => {
  test('on the JSON of every vectors/ manifest case and list', async () => {
    const manifest = await loadManifest();
    const texts = new Map<string, Uint8Array>();
    for (const c of manifest.cases) {
      if (c.content) texts.set(c.content, await readBytes(vec(c.content)));
      try {
        const m = parseSmime(await readBytes(vec(c.file)));
        const content = m.content ?? parseCms(m.cms).eContent;
        if (content) texts.set(c.file, content);
      } catch {
        // a malformed message has no JSON to compare
      }
    }
    for (const name of ['alice', 'bad-uuid', 'dialect-sizes', 'endorsers-array', 'two-signers', 'expired-list', 'not-json']) {
      const file = `lists/${name}.${name === 'not-json' ? 'txt' : 'json'}`;
      texts.set(file, await readBytes(vec(file)));
    }
    let accepted = 0;
    for (const [, bytes] of texts) {
      if (checkSame(bytes).ok) accepted++;
      checkSame(bytes, { maxDepth: 3 });
      checkSame(bytes, { maxBytes: 100 });
    }
    expect(texts.size).toBeGreaterThan(20);
    expect(accepted).toBeGreaterThan(10);
  });

  test('on the refusals JSON.parse would let through', () => {
    const cases = [
      '{"a":1,"a":2}',
      '{"a":1,"\\u0061":2}',
      '{"__proto__":{}}',
      '{"\\u005f_proto__":{}}',
      '{"x":{"constructor":1}}',
      '{"prototype":1}',
      '[1e999]',
      '{"n":-1E400}',
      `[${'9'.repeat(400)}]`,
      `{${Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`).join(',')},"k7":1}`,
      `${'['.repeat(65)}${']'.repeat(65)}`,
      `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`,
      '{"a\\"b":1,"a\\"b":2}',
      '{"a\\\\":1,"a\\\\":2}',
      // where a long array is cut: a cut next to no value, two values with no comma, a mark at a piece's start
      '[1,,2]',
      '[1,2,]',
      '[,1,2]',
      '[1,2 3,4]',
      '[1,\uFEFF2,3]',
      '{"a":[1,2,3],"a":[4,5]}',
      '{"x":[{"a":1,"a":2},3]}',
      '[[1,2],[3,4]]]',
      '[[1,2],[3,4]',
      '{"x":[1,2}',
      '{"x":"[1,2,3]",}',
      '{[1,2,3]:1}',
    ];
    for (const c of cases) {
      const v = checkSame(c);
      expect(v.ok, c).toBe(false);
      if (!v.ok) expect(v.code).toBe('ERR_JSON_MALFORMED');
    }
    // and what they must still accept
    for (const c of ['{"a\\"b":1,"a\\\\\\"b":2}', `${'['.repeat(64)}${']'.repeat(64)}`, '[1e308,-0,0.5e-400]', '{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}', '\uFEFF{"x":"\\u00e9"}',
      // long arrays anywhere: under integer-like keys (which JSON.parse orders first), nested, under non-ASCII keys, beside strings that look like arrays
      '{"2":[1,2,3],"1":[4,5,6],"x":"[7,8]"}', '[[1,[2,3,4],5],[6,7],8]', '{"é":[1,"a,b",{"c":[1,2]}],"ü":[]}', '[ 1 , 2 ,\n3 ]',
      // a document holding the text of a placeholder (then read by the reference parser, with the same value)
      '{"a":[1,2,3],"b":"\\u0000vmilist:long-array:0"}', '["\\u0000vmilist:long-array:0",[1,2,3]]', '[[1,2],[3,4]]']) {
      expect(checkSame(c).ok, c).toBe(true);
    }
    // leading U+FEFF: bytes lose the byte-order mark and one more, text one
    expect(checkSame(utf8.encode('\uFEFF\uFEFF[1,2]')).ok).toBe(true);
    expect(checkSame('\uFEFF\uFEFF[1,2]').ok).toBe(false);
    expect(checkSame(utf8.encode('\uFEFF\uFEFF\uFEFF[1,2]')).ok).toBe(false);
  });

  test('on random JSON documents with duplicate, prototype and escaped keys', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'hv:image', 'a"b', 'a\\'));
    const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie('v'), { maxLength: 4 }), fc.array(fc.tuple(key, tie('v')), { maxLength: 20 })),
    })).v;
    // objects are written from [key, value] pairs, so keys can repeat; some keys are written with \\u escapes
    const write = (v: unknown, escape: boolean): string => {
      if (Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) {
        return `{${v.map(([k, x]) => `${escape ? escapeKey(k as string) : JSON.stringify(k)}:${write(x, escape)}`).join(',')}}`;
      }
      if (Array.isArray(v)) return `[${v.map((x) => write(x, escape)).join(',')}]`;
      return JSON.stringify(v) ?? 'null';
    };
    fc.assert(
      fc.property(value, fc.boolean(), fc.integer({ min: 1, max: 8 }), (v, escape, depth) => {
        const text = write(v, escape);
        checkSame(text);
        checkSame(text, { maxDepth: depth });
      }),
      { numRuns: 2000, seed: 15 },
    );
  });

  test('on random mutations of a list', () => {
    const base = JSON.stringify(
      {
        'hv:imagelist': {
          'dc:identifier': '4e186b44-2c64-40ea-97d5-e9e5c0bce059',
          'dc:date:created': '2011-03-10T17:09:12Z',
          'hv:endorser': { 'hv:x509': { 'hv:dn': '/C=DE/O=GermanGrid/CN=Owen Synge', 'hv:ca': '/C=DE/O=GermanGrid/CN=GridKa-CA' } },
          'hv:images': [{ 'hv:image': { 'dc:identifier': '488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d', 'hv:size': 2147483648, 'dc:title': 'é "q" \\ \u2028', 'x:n': [-0.5, 1e-7, 12e3] } }],
          'hv:version': '1',
        },
      },
      null,
      1,
    );
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\n', ' ', 'null', '-1', '1e999', '"__proto__":1,', '"\\u005f_proto__":1,', '"hv:version":"9",', '"hv:v\\u0065rsion":"9",', '\u0000', 'e', '\\"') }),
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), c: fc.integer({ min: 0, max: 0x7f }) }),
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
        let t = base;
        for (const m of muts) {
          const at = t.length === 0 ? 0 : m.at % t.length;
          if (m.kind === 'insert') t = t.slice(0, at) + m.s + t.slice(at);
          else if (m.kind === 'delete') t = t.slice(0, at) + t.slice(at + m.len);
          else if (m.kind === 'duplicate') t = t.slice(0, at + m.len) + t.slice(at);
          else t = t.slice(0, at) + String.fromCharCode(m.c) + t.slice(at + 1);
        }
        if (checkSame(t).ok) accepted++;
        checkSame(utf8.encode(t), { maxDepth: 4 });
      }),
      { numRuns: 5000, seed: 20261202 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});

function escapeKey(k: string): string {
  // every letter as \\u00XX: the same key, written so a byte comparison would miss a duplicate
  return `"${[...k].map((ch) => (/[a-z_]/.test(ch) ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(ch).slice(1, -1))).join('')}"`;
}
