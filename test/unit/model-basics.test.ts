import { describe, expect, test } from 'vitest';
import { nullFields } from '../../src/model/builders.js';
import {
  bumpVersion,
  canonicalListDate,
  compareVersions,
  parseListDate,
  addImages,
  createImageMetadata,
  createListTemplate,
  parseImageList,
  serializeImageList,
  validateImageList,
  imageListIssues,
  VmiListError,
} from '../../src/index.js';

describe('version order (the Python subscriber\'s)', () => {
  test.each([
    ['1.10', '1.9', 1],
    ['1.0.1', '1.0', 1],
    ['1', '1', 0],
    ['0.0.10', '0.0.9', 1],
    ['3.3.0-1', '3.3.0', 1],
    ['3.3.0-2', '3.3.0-10', -1],
    ['20150618211400', '20141029', 1],
    ['1.a', '1.1', -1], // a numeric part beats a text part
    ['1.b', '1.a', 1],
    ['2/1', '2.1', 0],
    ['010', '10', 0],
    ['99999999999999999999', '99999999999999999998', 1], // no overflow
  ])('%s vs %s → %i', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
    expect(compareVersions(b, a)).toBe(sign === 0 ? 0 : -sign);
  });

  test.each([
    ['0.0.9', '0.0.10'],
    ['1', '2'],
    ['3.3.0-1', '3.3.0-2'],
    ['20150618211400', '20150618211401'],
    ['release', 'release.1'],
    ['1.09', '1.10'],
  ])('bump %s → %s, always newer', (v, next) => {
    expect(bumpVersion(v)).toBe(next);
    expect(compareVersions(bumpVersion(v), v)).toBe(1);
  });
});

describe('list dates', () => {
  test.each([
    ['2011-03-10T17:09:12Z', '2011-03-10T17:09:12Z'],
    ['2011-03-03', '2011-03-03T00:00:00Z'],
    ['2016-10-26T12:41:44+02:00', '2016-10-26T10:41:44Z'],
    ['2016-10-26T12:41:44.500-0130', '2016-10-26T14:11:44Z'],
    ['2011-03-10 17:09:12', '2011-03-10T17:09:12Z'],
  ])('%s → %s', (input, out) => {
    expect(canonicalListDate(input)).toBe(out);
  });
  test.each(['2011-02-30', '2011-13-01', 'yesterday', '2011-03-10T25:00:00Z', '', '2011-3-1'])('%j is not a date', (v) => {
    expect(parseListDate(v)).toBeUndefined();
  });
});

const UUID = '4e186b44-2c64-40ea-97d5-e9e5c0bce059';
const SHA = 'a'.repeat(128);
function minimalList(extra: Record<string, unknown> = {}, image: Record<string, unknown> = {}) {
  return {
    'hv:imagelist': {
      'dc:identifier': UUID,
      'dc:date:created': '2026-01-01T00:00:00Z',
      'dc:date:expires': '2026-02-01T00:00:00Z',
      'hv:version': '1',
      'hv:endorser': { 'hv:x509': { 'hv:dn': '/C=DE/O=GermanGrid/CN=A', 'hv:ca': '/C=DE/O=GermanGrid/CN=GridKa-CA' } },
      'hv:images': [{ 'hv:image': { 'dc:identifier': '488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d', 'hv:uri': 'https://x/y.img', 'hv:size': 10, 'sl:checksum:sha512': SHA, ...image } }],
      ...extra,
    },
  };
}

describe('schema and dialects', () => {
  test('a minimal list is valid; never-accepted values are refused with their path', () => {
    expect(validateImageList(minimalList()).warnings).toEqual([]);
    const cases: [Record<string, unknown>, Record<string, unknown>, string][] = [
      [{ 'dc:identifier': '488ddcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d' }, {}, '/hv:imagelist/dc:identifier'],
      [{}, { 'dc:identifier': 'not-a-uuid' }, '/hv:imagelist/hv:images/0/hv:image/dc:identifier'],
      [{}, { 'sl:checksum:sha512': 'abc' }, '/hv:imagelist/hv:images/0/hv:image/sl:checksum:sha512'],
      [{}, { 'hv:size': -1 }, '/hv:imagelist/hv:images/0/hv:image/hv:size'],
      [{}, { 'hv:size': '12x' }, '/hv:imagelist/hv:images/0/hv:image/hv:size'],
      [{}, { 'hv:size': 1.5 }, '/hv:imagelist/hv:images/0/hv:image/hv:size'],
      [{ 'hv:version': 1 }, {}, '/hv:imagelist/hv:version'],
      [{ 'dc:date:expires': '2011-02-30' }, {}, '/hv:imagelist/dc:date:expires'],
      [{ 'dc:date:created': 'soon' }, {}, '/hv:imagelist/dc:date:created'],
      [{ 'hv:endorser': { 'hv:x509': { 'hv:dn': 'nobody' } } }, {}, '/hv:imagelist/hv:endorser/hv:x509/hv:ca'],
    ];
    for (const [extra, image, path] of cases) {
      const issues = imageListIssues(minimalList(extra, image));
      expect(issues.map((i) => i.path), path).toContain(path);
    }
  });

  test('dialects are accepted with warnings and refused in strict mode', () => {
    const legacy = minimalList()['hv:imagelist'];
    const { 'hv:images': _drop, ...noImages } = legacy;
    const variants = [
      legacy, // no wrapper
      { 'hv:imagelist': noImages }, // no hv:images
      minimalList({}, { 'hv:size': '10' }),
      minimalList({ 'dc:date:created': '2026-01-01' }),
      minimalList({}, { 'dc:date:expires': '2026-01-15T00:00:00Z' }),
      minimalList({}, { 'hv:format': 'OVA' }),
      minimalList({ 'hv:endorser': [minimalList()['hv:imagelist']['hv:endorser'], minimalList()['hv:imagelist']['hv:endorser']] }),
    ];
    for (const v of variants) {
      const parsed = validateImageList(v);
      expect(parsed.warnings.length).toBeGreaterThan(0);
      expect(() => validateImageList(v, { strict: true })).toThrowError(/strict mode/);
    }
    expect(validateImageList(variants[2]).list['hv:images'][0]?.['hv:image']['hv:size']).toBe(10);
    expect(validateImageList(variants[1]).list['hv:images']).toEqual([]);
  });

  test('a value not in lower case is noted once per key and value, at its first image, with the count', () => {
    const list = minimalList();
    const image = list['hv:imagelist']['hv:images'][0]?.['hv:image'] as Record<string, unknown>;
    const images = ['QEMU', 'KVM', 'QEMU', 'QEMU', 'kvm'].map((hypervisor, i) => ({ 'hv:image': { ...image, 'dc:identifier': `488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3${i}`, 'hv:hypervisor': hypervisor } }));
    const parsed = validateImageList({ 'hv:imagelist': { ...list['hv:imagelist'], 'hv:images': images } });
    expect(parsed.warnings).toEqual([
      { path: '/hv:imagelist/hv:images/0/hv:image/hv:hypervisor', message: '"QEMU" is not lower case (here and in 2 more images); kept as written, compared case-insensitively' },
      { path: '/hv:imagelist/hv:images/1/hv:image/hv:hypervisor', message: '"KVM" is not lower case; kept as written, compared case-insensitively' },
    ]);
    // kept as written
    expect(parsed.list['hv:images'].map((e) => e['hv:image']['hv:hypervisor'])).toEqual(['QEMU', 'KVM', 'QEMU', 'QEMU', 'kvm']);
    expect(() => validateImageList({ 'hv:imagelist': { ...list['hv:imagelist'], 'hv:images': images } }, { strict: true })).toThrowError(/strict mode/);
  });

  test('validateImageList does not change its argument', () => {
    const v = minimalList({}, { 'hv:size': '10' });
    const before = JSON.stringify(v);
    validateImageList(v);
    expect(JSON.stringify(v)).toBe(before);
    expect(() => validateImageList({ f: () => 1 })).toThrowError(VmiListError);
  });

  test('serialize is stable and sorted; parse → serialize reproduces it byte for byte', () => {
    const text = serializeImageList(validateImageList(minimalList({ 'zz:custom': { b: 1, a: [2] } })).document);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"dc:date:created"')).toBeLessThan(text.indexOf('"hv:version"'));
    expect(serializeImageList(parseImageList(text).document)).toBe(text);
    expect(text).toContain('"zz:custom": {\n      "a": [\n        2\n      ],\n      "b": 1\n    }');
  });
});

describe('endorser builders (vmilisttool flow)', () => {
  const env = {
    HVMIL_DC_TITLE: 'My list',
    HVMIL_HV_URI: 'https://example.org/list.smime',
    HVMIL_HV_VERSION: '0.0.9',
    HVMILE_HV_DN: '/C=DE/O=GermanGrid/CN=Jane',
    HVMILE_HV_CA: '/C=DE/O=GermanGrid/CN=GridKa-CA',
    HVMILI_SL_OS: 'Linux',
    HVMILI_HV_SIZE: '999',
    HVMILI_DC_TITLE: 'An image',
  };
  test('template honours HVMIL_*/HVMILE_* and reports the nulls left', () => {
    const doc = createListTemplate({ env, now: new Date('2026-01-01T00:00:00Z'), uuid: UUID });
    const list = doc['hv:imagelist'] as Record<string, unknown>;
    expect(list['dc:title']).toBe('My list');
    expect(list['hv:version']).toBe('0.0.9');
    expect(list['dc:date:expires']).toBe('2026-01-29T00:00:00Z');
    expect(nullFields(doc)).toEqual([
      '/hv:imagelist/dc:description',
      '/hv:imagelist/dc:source',
      '/hv:imagelist/hv:endorser/hv:x509/dc:creator',
      '/hv:imagelist/hv:endorser/hv:x509/hv:email',
    ]);
  });
  test('image metadata: measured size/checksum win over HVMILI_*; add merges and replaces by UUID', () => {
    const meta = createImageMetadata({ size: 10, sha512: SHA.toUpperCase() }, { env, uuid: '488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d' });
    const image = meta['hv:image'] as Record<string, unknown>;
    expect(image['hv:size']).toBe(10);
    expect(image['sl:checksum:sha512']).toBe(SHA);
    expect(image['sl:os']).toBe('Linux');
    const template = createListTemplate({ env, now: new Date('2026-01-01T00:00:00Z'), uuid: UUID });
    const first = addImages(template, [meta]);
    expect(first.added).toEqual(['488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d']);
    const second = addImages(first.document, [{ 'hv:image': { ...image, 'hv:version': '2' } }]);
    expect(second.replaced).toEqual(['488dcdc4-9ab1-4fc8-a7ba-b7a5428ecb3d']);
    expect((second.document['hv:imagelist'] as { 'hv:images': unknown[] })['hv:images']).toHaveLength(1);
    expect((template['hv:imagelist'] as { 'hv:images': unknown[] })['hv:images']).toHaveLength(0);
  });
});
