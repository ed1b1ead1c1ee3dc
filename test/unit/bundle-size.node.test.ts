// Gzip budgets for tree-shaken browser bundles of the public entry (the same
// measurement as `node scripts/size-budget.mjs`).
import { describe, expect, it } from 'vitest';
import { ENTRIES, measureEntry, type BudgetResult } from '../../scripts/size-budget.mjs';

function explain(r: BudgetResult): string {
  const top = r.contributors
    .slice(0, 8)
    .map((c) => `${(c.bytes / 1024).toFixed(1)} KB ${c.contributor}`)
    .join('; ');
  return `${r.name}: ${r.gzipKB.toFixed(1)} KB gzip > ${r.budgetKB} KB (minified contributors: ${top})`;
}

describe('bundle-size budget (esbuild, browser, esm, minified, gzip -9)', () => {
  it('has the three budgets of the issue', () => {
    expect(ENTRIES.map((e) => [e.name, e.budgetKB])).toEqual([
      ['verify', 120],
      ['parse+validate', 15],
      ['hashers', 12],
    ]);
  });

  for (const entry of ENTRIES) {
    it(`${entry.name} (${entry.imports.join(', ')}) ≤ ${entry.budgetKB} KB gzip`, async () => {
      const r = await measureEntry(entry);
      // a real bundle, not an empty one from a mistyped import
      expect(r.bytes).toBeGreaterThan(500);
      expect(r.gzipBytes).toBeLessThan(r.bytes);
      expect(r.ok, explain(r)).toBe(true);
      expect(r.gzipKB).toBeLessThanOrEqual(entry.budgetKB);
    });
  }

  it('tree-shakes: parse+validate pulls in no pkijs, asn1js, hash-wasm or ajv runtime', async () => {
    const entry = ENTRIES.find((e) => e.name === 'parse+validate');
    if (!entry) throw new Error('no parse+validate entry');
    const r = await measureEntry(entry);
    const names = r.contributors.map((c) => c.contributor);
    for (const heavy of ['pkijs', 'asn1js', 'hash-wasm', 'ajv', '@noble/hashes']) expect(names).not.toContain(heavy);
  });
});
