import { expect, test } from 'vitest';
import { readText, REAL } from '../support/files.js';

test('reads a shared fixture in place', async () => {
  const text = await readText(`${REAL}/hepixvmitrust/imagelist.json`);
  expect(text).toContain('hv:imagelist');
});
