/**
 * `vmilist sign` writes the signed list with 0o666 less the umask, as any
 * Unix tool does, so a web server can serve the endorser's directory; a
 * private umask still gives a private file. Runs the real CLI in a child
 * process, because the umask belongs to the process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const V = join(ROOT, 'vectors');
const dir = mkdtempSync(join(tmpdir(), 'vmilist-sign-umask-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function signWithUmask(umask: string, out: string): { status: number | null; stderr: string } {
  const args = [
    'sign', join(V, 'lists/alice.json'),
    '--cert', join(V, 'pki/alice.pem'),
    '--key', join(V, 'pki/alice.key.pem'),
    '-o', out,
    '--write-list', `${out}.json`,
  ];
  const quoted = args.map((a) => `'${a}'`).join(' ');
  const r = spawnSync('sh', ['-c', `umask ${umask} && exec "${process.execPath}" --import tsx src/cli/bin.ts ${quoted}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

describe('vmilist sign honours the umask', () => {
  for (const [umask, mode] of [
    ['022', 0o644],
    ['077', 0o600],
    ['002', 0o664],
  ] as const) {
    it(`umask ${umask} → signed list and written list are ${mode.toString(8)}`, () => {
      const out = join(dir, `signed-${umask}.smime`);
      const r = signWithUmask(umask, out);
      expect(r.status, r.stderr).toBe(0);
      expect((statSync(out).mode & 0o777).toString(8)).toBe(mode.toString(8));
      expect((statSync(`${out}.json`).mode & 0o777).toString(8)).toBe(mode.toString(8));
    });
  }
});
