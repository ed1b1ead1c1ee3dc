// The streamed --json writer prints exactly what JSON.stringify does, for any
// JSON value and for arrays long enough to be written in batches, and waits
// for each write before producing the next piece.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { writeJsonLine } from '../../src/cli/json-stream.js';

async function collect(value: unknown): Promise<{ text: string; writes: number }> {
  let text = '';
  let writes = 0;
  let pending = false;
  await writeJsonLine(async (t) => {
    expect(pending).toBe(false); // never a write while the previous one waits
    pending = true;
    await new Promise((r) => setTimeout(r, 0));
    text += t;
    writes++;
    pending = false;
  }, value);
  return { text, writes };
}

describe('writeJsonLine', () => {
  test('prints JSON.stringify(value) and a newline for any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (v) => {
        expect((await collect(v)).text).toBe(`${JSON.stringify(v)}\n`);
      }),
      { numRuns: 300 },
    );
  });

  test('streams a long array in several writes with the same text', async () => {
    const images = Array.from({ length: 3000 }, (_, i) => ({ 'hv:image': { 'dc:identifier': `id-${i}`, 'hv:size': i, t: 'x'.repeat(40), nested: [i, { a: null }] } }));
    const value = { ok: true, list: { 'dc:title': 't', 'hv:images': images, 'hv:version': '1', skipped: undefined }, warnings: [] };
    const { text, writes } = await collect(value);
    expect(text).toBe(`${JSON.stringify(value)}\n`);
    expect(writes).toBeGreaterThan(2);
  });
});
