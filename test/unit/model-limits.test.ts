import { describe, expect, it } from 'vitest';
import { parseImageList, VmiListError } from '../../src/index.js';
import { readText } from '../support/files.js';

// Sizes must be exact in every JSON reader: above 2^53 - 1 they are not.
describe('hv:size limits', () => {
  const withSize = async (size: string): Promise<string> =>
    (await readText('vectors/lists/alice.json')).replace(/"hv:size": \d+/, `"hv:size": ${size}`);

  it('accepts the largest exact integer', async () => {
    const { list } = parseImageList(await withSize(String(Number.MAX_SAFE_INTEGER)));
    expect(list['hv:images'][0]?.['hv:image']['hv:size']).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each(['9007199254740992', '1152921504606846977', '"18446744073709551616"'])('refuses %s, which would be rounded', async (size) => {
    let caught: unknown;
    try {
      parseImageList(await withSize(size));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VmiListError);
    expect((caught as VmiListError).code).toBe('ERR_SCHEMA_INVALID');
    expect((caught as VmiListError).message).toContain('hv:size');
  });
});
