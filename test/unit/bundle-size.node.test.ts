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

  it('measures the real code: verify holds pkijs and the verifier, hashers hold no PKI or schema code', async () => {
    const byName = (n: string) => {
      const e = ENTRIES.find((x) => x.name === n);
      if (!e) throw new Error(`no ${n} entry`);
      return e;
    };
    const verify = (await measureEntry(byName('verify'))).contributors.map((c) => c.contributor);
    expect(verify).toContain('pkijs');
    expect(verify).toContain('src/smime/verify.ts');
    const hashers = (await measureEntry(byName('hashers'))).contributors.map((c) => c.contributor);
    expect(hashers.some((c) => c.startsWith('src/hash/'))).toBe(true);
    for (const heavy of ['pkijs', 'asn1js', 'ajv', 'src/schema/generated/imagelist.validator.js']) expect(hashers).not.toContain(heavy);
  });

  it('the budget check can fail: a 1 KB budget is over', async () => {
    const r = await measureEntry({ name: 'tight', imports: ['parseImageList'], budgetKB: 1 });
    expect(r.gzipKB).toBeGreaterThan(1);
    expect(r.ok).toBe(false);
  });

  it('tree-shakes: parse+validate pulls in no pkijs, asn1js, hash-wasm or ajv runtime', async () => {
    const entry = ENTRIES.find((e) => e.name === 'parse+validate');
    if (!entry) throw new Error('no parse+validate entry');
    const r = await measureEntry(entry);
    const names = r.contributors.map((c) => c.contributor);
    for (const heavy of ['pkijs', 'asn1js', 'hash-wasm', 'ajv', '@noble/hashes']) expect(names).not.toContain(heavy);
  });
});
