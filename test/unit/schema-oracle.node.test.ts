// src/schema/check.ts against ajv, the reference: the same schema compiled by
// ajv (draft 2020-12, allErrors, strict) and walked by check.ts must report
// the same errors (instancePath, keyword, params) in the same order, for the
// vectors, for every property of a full list set to values of every kind or
// removed, and for random JSON put anywhere in a list.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schemaErrors, type SchemaError } from '../../src/schema/check.js';
import compact from '../../src/schema/generated/imagelist.schema.js';

const root = new URL('../..', import.meta.url).pathname;
const ajv = new Ajv2020({ allErrors: true, strict: true, unicodeRegExp: true });
const reference = ajv.compile(JSON.parse(readFileSync(join(root, 'schemas/imagelist.schema.json'), 'utf8')));

function ajvErrors(value: unknown): SchemaError[] {
  if (reference(value)) return [];
  return (reference.errors ?? []).map((e) => ({ instancePath: e.instancePath, keyword: e.keyword, params: e.params }));
}

function same(value: unknown): void {
  expect(schemaErrors(compact, value)).toEqual(ajvErrors(value));
}

const full = (): Record<string, unknown> => ({
  'hv:imagelist': {
    'dc:identifier': '0c1c1d5d-2f9b-4c7a-8a3e-1a2b3c4d5e6f',
    'dc:date:created': '2011-03-10T17:09:12Z',
    'dc:date:expires': '2011-04-07T17:09:12Z',
    'dc:source': 'x',
    'dc:title': 't',
    'dc:description': 'd',
    'hv:uri': 'https://x',
    'hv:version': '1',
    'hv:endorser': { 'hv:x509': { 'dc:creator': 'J', 'hv:ca': '/C=DE/O=G/CN=CA', 'hv:dn': '/C=DE/O=G/CN=J', 'hv:email': 'a@b' } },
    'hv:images': [
      {
        'hv:image': {
          'dc:identifier': '0c1c1d5d-2f9b-4c7a-8a3e-1a2b3c4d5e6f',
          'hv:uri': 'https://i',
          'hv:size': 10,
          'sl:checksum:sha512': 'a'.repeat(128),
          'dc:title': 't',
          'dc:description': 'd',
          'dc:date:expires': '2011-04-07',
          'hv:version': '1',
          'hv:hypervisor': 'kvm',
          'hv:format': 'raw',
          'sl:arch': 'x86_64',
          'sl:os': 'Linux',
          'sl:osversion': '9',
          'sl:comments': '',
        },
      },
    ],
  },
});

/** Every path to a property of `o`. */
function paths(o: unknown, pre: string[] = []): string[][] {
  if (!o || typeof o !== 'object') return [];
  return Object.entries(o).flatMap(([k, v]) => [[...pre, k], ...paths(v, [...pre, k])]);
}

function withValue(path: string[], value: unknown, remove = false): Record<string, unknown> {
  const doc = full();
  let at = doc as Record<string, unknown>;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (remove) delete at[last];
  else at[last] = value;
  return doc;
}

const VALUES: unknown[] = [
  0, -0, 1, -1, 1.5, 2 ** 53 - 1, 2 ** 53, 1e308, Infinity, -Infinity, NaN,
  '', 'a', 'ab', 'abc', '😀😀', '\ud800x', '/C', 'C=DE', 'not a dn', '2011-13-01', '2011-03-10', '0'.repeat(128), 'g'.repeat(128),
  // checksum edge cases
  'aF09'.repeat(32), 'a'.repeat(127), 'a'.repeat(129), `${'a'.repeat(127)}@`, `${'a'.repeat(127)}\``, `${'a'.repeat(127)}G`, `${'a'.repeat(126)}😀`, `${'a'.repeat(127)}\u0661`,
  '0C1C1D5D-2F9B-4C7A-BA3E-1A2B3C4D5E6F', '0c1c1d5d-2f9b-4c7a-7a3e-1a2b3c4d5e6f',
  null, true, false, [], [1], [{}], [{ 'hv:x509': {} }], {}, { 'hv:image': {} }, { 'hv:x509': { 'hv:dn': 'CN=x', 'hv:ca': 'CN=y' } },
];

describe('src/schema/check.ts reports what ajv reports', () => {
  it('for the list vectors', () => {
    const dir = join(root, 'vectors/lists');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) same(JSON.parse(readFileSync(join(dir, f), 'utf8')));
  });

  it('for a full list and for values that are no list at all', () => {
    expect(schemaErrors(compact, full())).toEqual([]);
    for (const v of [...VALUES, undefined]) same(v);
  });

  it('for every property set to a value of every kind, or removed', () => {
    let failing = 0;
    for (const p of paths(full())) {
      for (const v of VALUES) {
        const doc = withValue(p, v);
        if (ajvErrors(doc).length > 0) failing++;
        same(doc);
      }
      same(withValue(p, undefined, true));
    }
    // the corpus really exercises errors, not just valid lists
    expect(failing).toBeGreaterThan(500);
  });

  it('for endorser arrays, many bad images, sparse arrays and odd keys', () => {
    const list = (f: (l: Record<string, unknown>) => void): unknown => {
      const d = full();
      f(d['hv:imagelist'] as Record<string, unknown>);
      return d;
    };
    same(list((l) => (l['hv:endorser'] = [l['hv:endorser'], l['hv:endorser']])));
    same(list((l) => (l['hv:endorser'] = [l['hv:endorser'], {}])));
    same(list((l) => (l['hv:endorser'] = [])));
    same(list((l) => (l['hv:images'] = [1, {}, { 'hv:image': { 'hv:size': -1.5 } }, ...(l['hv:images'] as unknown[])])));
    // eslint-disable-next-line no-sparse-arrays
    same(list((l) => (l['hv:images'] = [, (l['hv:images'] as unknown[])[0]])));
    same(list((l) => (l['x~/y'] = { 'hv:image': 1 })));
  });

  it('for random JSON put anywhere in a list', () => {
    const all = paths(full());
    fc.assert(
      fc.property(fc.constantFrom(...all), fc.jsonValue({ maxDepth: 3 }), fc.boolean(), (p, v, remove) => {
        same(withValue(p, v, remove));
      }),
      { numRuns: 300 },
    );
  });
});
