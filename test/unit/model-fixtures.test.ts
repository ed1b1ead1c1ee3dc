// The real lists of ../shared/fixtures/real are parsed or refused exactly as
// SOURCES.md and DESIGN.md predict, and the accepted ones round-trip.
import { describe, expect, test } from 'vitest';
import { parseImageList, serializeImageList, VmiListError, imagesOf, type ParsedImageList } from '../../src/index.js';
import { exists, readText, REAL } from '../support/files.js';
import { payloadOf } from '../support/mime-payload.js';

const haveFixtures = await exists(`${REAL}/SOURCES.md`);
const d = haveFixtures ? describe : describe.skip;
if (!haveFixtures) console.warn('skipped: ../shared/fixtures/real is not beside the project (CI always has it)');

type Verdict = { ok: true; warnings: 'none' | 'some'; images: number } | { ok: false; code: string; path: string };

const unsigned: Record<string, Verdict> = {
  'hepixvmitrust/imagelist.json': { ok: true, warnings: 'none', images: 1 },
  'cloudkeeper/imagelist01.unsigned': { ok: true, warnings: 'some', images: 2 },
  'cloudkeeper/structures/image_list10.json': { ok: true, warnings: 'some', images: 2 },
  // legacy form without the hv:imagelist wrapper, otherwise complete
  'cloudkeeper/structures/image_list07.json': { ok: true, warnings: 'some', images: 2 },
  // fragments and incomplete lists: refused, naming what is missing
  'cloudkeeper/structures/image_list01.json': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist' },
  'cloudkeeper/structures/image_list02.json': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist' },
  'cloudkeeper/structures/image_list05.json': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist/hv:version' },
  'cloudkeeper/structures/image_list06.json': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist/hv:endorser' },
};

const signedPayloads: Record<string, Verdict> = {
  'hepixvmitrust/README.md.signed-example.smime': { ok: true, warnings: 'none', images: 1 },
  'cloudkeeper/imagelist01.signed': { ok: true, warnings: 'some', images: 2 },
  // list identifiers with the non-RFC-4122 variant groups cccc / eeee / gggg
  'cloudkeeper/imagelist02.signed': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist/dc:identifier' },
  'cloudkeeper/imagelist03.signed': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist/dc:identifier' },
  'cloudkeeper/imagelist04.signed': { ok: false, code: 'ERR_SCHEMA_INVALID', path: '/hv:imagelist/dc:identifier' },
  'cloudkeeper/imagelist_invalid.signed': { ok: true, warnings: 'some', images: 2 },
};

function check(text: string, verdict: Verdict, source: string): ParsedImageList | undefined {
  if (verdict.ok) {
    const parsed = parseImageList(text, { source });
    expect(imagesOf(parsed.list)).toHaveLength(verdict.images);
    if (verdict.warnings === 'none') expect(parsed.warnings).toEqual([]);
    else expect(parsed.warnings.length).toBeGreaterThan(0);
    return parsed;
  }
  let error: unknown;
  try {
    parseImageList(text, { source });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(VmiListError);
  const e = error as VmiListError;
  expect(e.code).toBe(verdict.code);
  expect(e.issues.map((i) => i.path)).toContain(verdict.path);
  expect(e.message).toContain(source);
  return undefined;
}

function roundTrip(parsed: ParsedImageList, original: unknown): void {
  const once = serializeImageList(parsed.document);
  const again = parseImageList(once);
  expect(serializeImageList(again.document)).toBe(once);
  expect(again.warnings.filter((w) => !/several endorsers|per-image expiry|not lower case/.test(w.message))).toEqual([]);
  // every field the original carried, known or not, is still there
  const orig = (original as Record<string, unknown>)['hv:imagelist'] ?? original;
  const back = again.list as Record<string, unknown>;
  for (const key of Object.keys(orig as object)) expect(back, key).toHaveProperty([key]);
  const origImages = ((orig as Record<string, unknown>)['hv:images'] ?? []) as { 'hv:image': Record<string, unknown> }[];
  origImages.forEach((entry, i) => {
    const img = imagesOf(again.list)[i] as Record<string, unknown>;
    for (const [k, v] of Object.entries(entry['hv:image'])) {
      if (k === 'hv:size') expect(img[k]).toBe(Number(v));
      else expect(img[k], k).toEqual(v);
    }
  });
}

d('real unsigned lists', () => {
  for (const [file, verdict] of Object.entries(unsigned)) {
    test(`${file} → ${verdict.ok ? 'accepted' : verdict.code}`, async () => {
      const text = await readText(`${REAL}/${file}`);
      const parsed = check(text, verdict, file);
      if (parsed) roundTrip(parsed, JSON.parse(text));
    });
  }

  test('strict mode refuses every dialect the lenient mode reports', async () => {
    const text = await readText(`${REAL}/cloudkeeper/imagelist01.unsigned`);
    const lenient = parseImageList(text);
    expect(() => parseImageList(text, { strict: true })).toThrowError(VmiListError);
    try {
      parseImageList(text, { strict: true });
    } catch (e) {
      expect((e as VmiListError).issues).toHaveLength(lenient.warnings.length);
    }
    // the original hepixvmitrust list has no dialect: strict accepts it
    const clean = await readText(`${REAL}/hepixvmitrust/imagelist.json`);
    expect(parseImageList(clean, { strict: true }).warnings).toEqual([]);
  });

  test('AppDB fields are kept as written (strings stay strings)', async () => {
    const parsed = parseImageList(await readText(`${REAL}/cloudkeeper/imagelist01.unsigned`));
    const img = imagesOf(parsed.list)[0] as Record<string, unknown>;
    expect(parsed.list['ad:vo']).toBe('some1.vo.net');
    expect(img['hv:ram_minimum']).toBe('512');
    expect(img['ad:user:fullname']).toBe('Bruce Wayne');
    expect(img['hv:size']).toBe(121243136);
    expect(serializeImageList(parsed.document)).toContain('"ad:mpuri": "https://appdb.somewhere.net/store/vo/image/c0482bc2-bf41-5d49-aaaa-a750174a186b:484/"');
  });
});

d('payloads of the real signed messages', () => {
  for (const [file, verdict] of Object.entries(signedPayloads)) {
    test(`${file} → ${verdict.ok ? 'accepted' : verdict.code}`, async () => {
      const payload = payloadOf(await readText(`${REAL}/${file}`));
      const parsed = check(payload, verdict, file);
      if (parsed) roundTrip(parsed, JSON.parse(payload));
    });
  }
});
