// Gzip budgets measured as a downstream app gets them (the same measurement
// as `npm run size`): dist/ packed with `npm pack`, installed into a
// temporary app, three one-feature apps bundled with esbuild and with vite.
// Uses the dist/ that `npm test` builds first (builds it when missing).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRIES, installPackedApp, measureEntry, ROOT, type BudgetEntry, type BudgetResult, type PackedApp } from '../../scripts/size-budget.mjs';

function explain(r: BudgetResult): string {
  const top = r.contributors
    .slice(0, 8)
    .map((c) => `${(c.bytes / 1024).toFixed(1)} KB ${c.contributor}`)
    .join('; ');
  return `${r.name}: esbuild ${r.esbuild.gzipKB.toFixed(1)} KB, vite ${r.vite.gzipKB.toFixed(1)} KB gzip, budget ${r.budgetKB} KB (esbuild minified contributors: ${top})`;
}

function entry(name: string): BudgetEntry {
  const e = ENTRIES.find((x) => x.name === name);
  if (!e) throw new Error(`no ${name} entry`);
  return e;
}

let app: PackedApp;
const results = new Map<string, BudgetResult>();
async function measured(name: string): Promise<BudgetResult> {
  const known = results.get(name);
  if (known) return known;
  const r = await measureEntry(app.appDir, entry(name));
  results.set(name, r);
  return r;
}

describe('bundle-size budget of the packed package (esbuild and vite, browser, minified, gzip -9)', () => {
  beforeAll(() => {
    app = installPackedApp({ build: !existsSync(resolve(ROOT, 'dist/index.js')) });
  }, 120_000);
  afterAll(() => app?.dispose());

  it('has the three budgets of the issue', () => {
    expect(ENTRIES.map((e) => [e.name, e.budgetKB])).toEqual([
      ['verify', 100],
      ['parse+validate', 8],
      ['hashers', 10],
    ]);
  });

  it('installs the packed tarball, not the source tree', () => {
    expect(existsSync(resolve(app.appDir, 'node_modules/vmilist/dist/index.js'))).toBe(true);
    expect(existsSync(resolve(app.appDir, 'node_modules/vmilist/src'))).toBe(false);
    expect(app.packedBytes).toBeGreaterThan(10_000);
  });

  for (const name of ['verify', 'parse+validate', 'hashers']) {
    it(`${name} ≤ its budget with both bundlers`, async () => {
      const r = await measured(name);
      // a real bundle, not an empty one from a mistyped import
      expect(r.esbuild.bytes).toBeGreaterThan(500);
      expect(r.vite.bytes).toBeGreaterThan(500);
      expect(r.esbuild.gzipKB, explain(r)).toBeLessThanOrEqual(r.budgetKB);
      expect(r.vite.gzipKB, explain(r)).toBeLessThanOrEqual(r.budgetKB);
      expect(r.ok).toBe(true);
    });
  }

  it('tree-shakes per feature: each app holds its own modules and none of the others', async () => {
    const files = async (name: string): Promise<string[]> => (await measured(name)).contributors.map((c) => c.contributor);
    const verify = await files('verify');
    // certificates, CRLs and CMS are read by vmilist's own BER decoder and field readers:
    // pkijs (~85 KB gzip) and asn1js (~17 KB) only sign
    expect(verify).not.toContain('asn1js');
    expect(verify).not.toContain('pkijs');
    expect(verify).toContain('vmilist/dist/x509/ber.js');
    expect(verify).toContain('vmilist/dist/smime/verify.js');
    expect(verify).toContain('vmilist/dist/x509/der.js');
    const hashers = await files('hashers');
    expect(hashers.some((c) => c.startsWith('vmilist/dist/hash/'))).toBe(true);
    for (const heavy of ['pkijs', 'asn1js', 'vmilist/dist/schema/generated/imagelist.schema.js', 'vmilist/dist/smime/verify.js']) expect(hashers).not.toContain(heavy);
    const parse = await files('parse+validate');
    expect(parse).toContain('vmilist/dist/schema/generated/imagelist.schema.js');
    expect(parse).toContain('vmilist/dist/schema/check.js');
    for (const heavy of ['pkijs', 'asn1js', '@noble/hashes', 'vmilist/dist/hash/stream.js']) expect(parse).not.toContain(heavy);
  });

  it('the budget check can fail: a 1 KB budget is over', async () => {
    const r = await measureEntry(app.appDir, { name: 'tight', imports: ['parseImageList'], budgetKB: 1 });
    expect(r.gzipKB).toBeGreaterThan(1);
    expect(r.ok).toBe(false);
  });
});
