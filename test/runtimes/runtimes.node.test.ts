/**
 * Other runtimes as users run them: every example under Deno exactly as
 * written (no --sloppy-imports: the examples import 'vmilist', which is
 * the built package), and the manifest script's exit status, which must
 * say when a verdict differs from the manifest. Needs dist/ (npm run build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const DENO = join(ROOT, 'node_modules/.bin/deno');
const haveDist = existsSync(join(ROOT, 'dist/index.js'));
const haveDeno = existsSync(DENO);
const reason = !haveDist ? 'no dist/ (run npm run build)' : !haveDeno ? 'no deno in node_modules/.bin' : '';
if (reason) console.warn(`runtime tests skipped: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'vmilist-runtimes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(cmd: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.ts'));

describe.skipIf(reason !== '')('runtimes', () => {
  for (const example of examples) {
    it(`deno runs examples/${example} as written`, () => {
      const r = run(DENO, ['run', '--allow-all', `examples/${example}`]);
      expect(r.out).not.toMatch(/Module not found|sloppy/i);
      expect(r.status, r.out).toBe(0);
    });
  }

  it('manifest-verdicts.mjs exits 0 when every case agrees and 1 on a mismatch (node and deno)', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'vectors/manifest.json'), 'utf8')) as {
      cases: { name: string; expect: { ok: boolean; code?: string } }[];
    };
    // one real case, with its expected verdict turned around
    const first = manifest.cases.find((c) => c.expect.ok);
    if (!first) throw new Error('the manifest has no valid case');
    const flipped = { ...manifest, cases: [{ ...first, expect: { ok: false, code: 'ERR_SIGNATURE_INVALID' } }] };
    const agreeing = { ...manifest, cases: [first] };
    writeFileSync(join(dir, 'flipped.json'), JSON.stringify(flipped));
    writeFileSync(join(dir, 'agreeing.json'), JSON.stringify(agreeing));
    const script = 'test/runtimes/manifest-verdicts.mjs';
    for (const [cmd, pre] of [
      [process.execPath, []],
      [DENO, ['run', '--allow-read']],
    ] as const) {
      const bad = run(cmd, [...pre, script, join(dir, 'flipped.json')]);
      expect(bad.out).toContain('"mismatches":1');
      expect(bad.status, bad.out).toBe(1);
      const good = run(cmd, [...pre, script, join(dir, 'agreeing.json')]);
      expect(good.out).toContain('"mismatches":0');
      expect(good.status, good.out).toBe(0);
    }
  });
});
