import { describe, expect, test } from 'vitest';
import { parseStrictJson, VmiListError, DEFAULT_MAX_DEPTH } from '../../src/index.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VmiListError);
    return (e as VmiListError).code;
  }
  throw new Error('expected a VmiListError');
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('strict JSON', () => {
  test('agrees with JSON.parse on ordinary documents', () => {
    const docs = ['{}', '[]', '{"a":[1,2.5,-3e2,true,false,null,"x\\u00e9\\n"]}', ' \t\r\n{"k" : {"n":{"m":[]}}} ', '"\\ud83d\\ude00"', '0', '-0.5E+3'];
    for (const d of docs) expect(parseStrictJson(d)).toEqual(JSON.parse(d));
  });

  test('accepts UTF-8 bytes, strips a BOM, refuses invalid UTF-8', () => {
    expect(parseStrictJson(new TextEncoder().encode('\ufeff{"é":1}'))).toEqual({ é: 1 });
    expect(codeOf(() => parseStrictJson(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])))).toBe('ERR_JSON_MALFORMED');
  });

  test('refuses duplicate keys, naming the key and the line', () => {
    const text = '{\n  "hv:version": "1",\n  "hv:version": "2"\n}';
    expect(codeOf(() => parseStrictJson(text))).toBe('ERR_JSON_MALFORMED');
    expect(messageOf(() => parseStrictJson(text))).toMatch(/line 3, column 3: duplicate key "hv:version"/);
  });

  test('refuses prototype-polluting keys', () => {
    for (const k of ['__proto__', 'constructor', 'prototype']) {
      expect(codeOf(() => parseStrictJson(`{"a":{"${k}":{"polluted":true}}}`))).toBe('ERR_JSON_MALFORMED');
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test(`refuses nesting deeper than ${DEFAULT_MAX_DEPTH}, accepts exactly ${DEFAULT_MAX_DEPTH}`, () => {
    const ok = '['.repeat(DEFAULT_MAX_DEPTH) + ']'.repeat(DEFAULT_MAX_DEPTH);
    expect(() => parseStrictJson(ok)).not.toThrow();
    const deep = '['.repeat(DEFAULT_MAX_DEPTH + 1) + ']'.repeat(DEFAULT_MAX_DEPTH + 1);
    expect(codeOf(() => parseStrictJson(deep))).toBe('ERR_JSON_MALFORMED');
    // a very deep document fails fast and does not overflow the stack
    expect(codeOf(() => parseStrictJson('['.repeat(200_000)))).toBe('ERR_JSON_MALFORMED');
  });

  test('refuses input over the size cap as malformed (too large)', () => {
    expect(codeOf(() => parseStrictJson('[1,2,3]', { maxBytes: 4 }))).toBe('ERR_JSON_MALFORMED');
    expect(codeOf(() => parseStrictJson(new Uint8Array(10), { maxBytes: 4 }))).toBe('ERR_JSON_MALFORMED');
    expect(codeOf(() => parseStrictJson(`"${'é'.repeat(3)}"`, { maxBytes: 7 }))).toBe('ERR_JSON_MALFORMED');
  });

  test.each([
    ['{"a":1,}', /expected a quoted key/],
    ['{"a":1', /end of input/],
    ['[1 2]', /expected ','/],
    ['{"a":"line\nbreak"}', /line 1, column 11: control character/],
    ['{"a":tru}', /unexpected character/],
    ['{"a":01}', /expected ','/],
    ['{"a":"\\x"}', /invalid escape/],
    ['{"a":1} trailing', /after the JSON value/],
    ['', /end of input/],
    ['{"a":1e999}', /out of range/],
    ['"unterminated', /unterminated string/],
  ])('refuses %j with a located message', (text, re) => {
    expect(codeOf(() => parseStrictJson(text, { source: 'list.json' }))).toBe('ERR_JSON_MALFORMED');
    const msg = messageOf(() => parseStrictJson(text, { source: 'list.json' }));
    expect(msg).toMatch(/^list\.json: line \d+, column \d+: /);
    expect(msg).toMatch(re);
  });
});
