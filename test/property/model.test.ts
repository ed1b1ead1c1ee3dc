// Property tests: arbitrary valid lists round-trip; arbitrary mutations of
// list text either parse or end in a VmiListError — never another exception.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseImageList, serializeImageList, validateImageList, VmiListError } from '../../src/index.js';

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const uuid = fc
  .tuple(hex(8), hex(4), hex(4), fc.constantFrom('8', '9', 'a', 'b'), hex(3), hex(12))
  .map(([a, b, c, v, d, e]) => `${a}-${b}-${c}-${v}${d}-${e}`);
const date = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
const text = fc.string({ maxLength: 40 });
const dnPart = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz ABC-.'), minLength: 1, maxLength: 12 });
const dn = fc.array(fc.tuple(fc.constantFrom('C', 'O', 'OU', 'CN', 'DC'), dnPart), { minLength: 1, maxLength: 5 }).map((rdns) => rdns.map(([k, v]) => `/${k}=${v}`).join(''));
const extraKey = fc.constantFrom('ad:vo', 'ad:mpuri', 'ad:user:guid', 'sl:osname', 'x:custom', 'hv:ram_minimum');
const extraValue = fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const extras = fc.dictionary(extraKey, extraValue, { maxKeys: 3 });

const image = fc.record({
  'dc:identifier': uuid,
  'hv:uri': fc.webUrl(),
  'hv:size': fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  'sl:checksum:sha512': hex(128),
  'hv:version': fc.string({ minLength: 1, maxLength: 10 }),
  'dc:title': text,
  'sl:arch': fc.constantFrom('x86_64', 'i386', 'aarch64'),
}).chain((img) => extras.map((x) => ({ ...x, ...img })));

const list = fc
  .record({
    'dc:identifier': uuid,
    'dc:date:created': date,
    'dc:date:expires': date,
    'hv:version': fc.string({ minLength: 1, maxLength: 10 }),
    'dc:title': text,
    'hv:endorser': fc.record({ 'hv:x509': fc.record({ 'hv:dn': dn, 'hv:ca': dn, 'dc:creator': text }) }),
    'hv:images': fc.array(image.map((i) => ({ 'hv:image': i })), { maxLength: 4 }),
  })
  .chain((l) => extras.map((x) => ({ 'hv:imagelist': { ...x, ...l } })));

describe('model properties', () => {
  test('arbitrary valid lists validate, serialise, parse back equal, and serialise identically', () => {
    fc.assert(
      fc.property(list, (doc) => {
        const parsed = validateImageList(doc);
        const text1 = serializeImageList(parsed.document);
        const back = parseImageList(text1);
        expect(back.document).toEqual(doc);
        expect(serializeImageList(back.document)).toBe(text1);
      }),
      { numRuns: 300 },
    );
  });

  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '\n', 'null', '-1', '"__proto__":1,', '1e999', '\u0000', '"hv:version":"9",') }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 80 }) }),
  );

  test('10,000 random mutations of a valid list either parse or throw VmiListError', () => {
    const base = new TextEncoder().encode(
      serializeImageList(
        validateImageList({
          'hv:imagelist': {
            'dc:identifier': '4e186b44-2c64-40ea-97d5-e9e5c0bce059',
            'dc:date:created': '2011-03-10T17:09:12Z',
            'dc:date:expires': '2011-04-07T17:09:12Z',
            'hv:version': '1',
            'hv:endorser': { 'hv:x509': { 'hv:dn': '/C=DE/O=GermanGrid/OU=DESY/CN=Owen Synge', 'hv:ca': '/C=DE/O=GermanGrid/CN=GridKa-CA' } },
            'hv:images': [{ 'hv:image': { 'dc:identifier': '488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d', 'hv:uri': 'http://example.org/a.img', 'hv:size': 2147483648, 'sl:checksum:sha512': 'b'.repeat(128), 'ad:vo': 'x' } }],
          },
        }).document,
      ),
    );
    let accepted = 0;
    let refused = 0;
    let slowest = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (muts) => {
        let bytes: Uint8Array = base;
        for (const m of muts) bytes = mutate(bytes, m);
        const t0 = performance.now();
        try {
          parseImageList(bytes);
          accepted++;
        } catch (e) {
          if (!(e instanceof VmiListError)) throw e;
          refused++;
        }
        slowest = Math.max(slowest, performance.now() - t0);
      }),
      { numRuns: 10_000, seed: 20261125 },
    );
    expect(accepted + refused).toBe(10_000);
    expect(refused).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(1000); // no pathological (hanging) input
  });
});

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'insert'; at: number; s: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate'; at: number; len: number };

function mutate(b: Uint8Array, m: Mutation): Uint8Array {
  const at = b.length === 0 ? 0 : m.at % b.length;
  switch (m.kind) {
    case 'flip': {
      const c = b.slice();
      c[at] = m.byte;
      return c;
    }
    case 'delete':
      return concat(b.subarray(0, at), b.subarray(at + m.len));
    case 'insert':
      return concat(b.subarray(0, at), new TextEncoder().encode(m.s), b.subarray(at));
    case 'truncate':
      return b.subarray(0, at);
    case 'duplicate':
      return concat(b.subarray(0, at + m.len), b.subarray(at));
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
