// Crash safety: the CLI runs as a real process and is killed with SIGKILL at
// random moments during `update` and `cache`. Every time, the state file
// parses and equals either the state before or the state after the run;
// nothing in cache/ is ever a partial or unverified file; and the next run
// (which takes over the dead process's lock) finishes the job exactly.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const TRIALS = 25; // per command: 50 kills in all
const AT = '2026-06-01T00:00:00Z';
const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000e001';
const A = '7c9d0e1f-2a3b-4c5d-9e6f-00000000e00a';
const B = '7c9d0e1f-2a3b-4c5d-9e6f-00000000e00b';
const C = '7c9d0e1f-2a3b-4c5d-9e6f-00000000e00c';
const bytesOf = (n: string) => new Uint8Array(readFileSync(join(ROOT, 'vectors/images', n)));
const x86 = bytesOf('tiny-linux-x86_64.img');
const arm = bytesOf('tiny-linux-aarch64.img');
const bsd = bytesOf('tiny-bsd-amd64.raw');
const sha = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const complete = new Set([x86, arm, bsd].map(sha));

let server: TestServer;
let work: string;
let cli: string;

/** Runs the bundled CLI as a process; kills it with SIGKILL after `killAfterMs` (if still running). */
function runChild(args: string[], killAfterMs?: number): Promise<{ code: number | null; signal: string | null; ms: number }> {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: 'ignore', env: { PATH: process.env['PATH'] ?? '' } });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolveRun({ code, signal, ms: Date.now() - t0 });
    });
  });
}

/** The state with the cache directory (which differs per trial) taken out. */
function normalised(path: string): unknown {
  const s = JSON.parse(readFileSync(path, 'utf8'));
  if (s.cache) delete s.cache.dir;
  return s;
}

/** Every file in cache/ is a complete image whose bytes match a checksum the lists gave. */
function assertCacheSound(dir: string): void {
  const cacheDir = join(dir, 'cache');
  if (!existsSync(cacheDir)) return;
  for (const name of readdirSync(cacheDir)) {
    expect(name).toMatch(/^[0-9a-f-]{36}$/);
    expect(complete.has(sha(readFileSync(join(cacheDir, name)))), `${name} in cache/ is not a complete verified image`).toBe(true);
  }
}

function copyTrial(template: { state: string; cache: string }, n: string): { state: string; cache: string } {
  const d = join(work, n);
  mkdirSync(d, { recursive: true });
  const out = { state: join(d, 'state.json'), cache: join(d, 'images') };
  cpSync(template.state, out.state);
  if (existsSync(template.cache)) cpSync(template.cache, out.cache, { recursive: true });
  return out;
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
  }));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-crash-'));
  cli = join(work, 'cli.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/bin.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: cli,
    banner: { js: "import { createRequire as __vmilistRequire } from 'node:module'; const require = __vmilistRequire(import.meta.url);" },
    logLevel: 'error',
  });
  server = await startServer();
  // images trickle in so that kills land in the middle of downloads too
  const slow = (body: Uint8Array) => ({ kind: 'bytes' as const, body, chunkSize: 512, chunkDelayMs: 4 });
  server.set('/x86.img', slow(x86));
  server.set('/arm.img', slow(arm));
  server.set('/bsd.img', slow(bsd));
});
afterAll(async () => server?.close());

describe('crash safety (SIGKILL at random moments)', () => {
  const trust = () => ['--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--at', AT];

  it(`update: ${TRIALS} kills, the state is always the old or the new one`, async () => {
    const v1 = signWithOpenssl(listDocument({ id: LIST_ID, version: '1', images: [imageEntry(A, x86, server.url('/x86.img')), imageEntry(B, arm, server.url('/arm.img'))] }));
    const v2 = signWithOpenssl(
      listDocument({ id: LIST_ID, version: '2', created: '2026-02-01T00:00:00Z', images: [imageEntry(A, bsd, server.url('/bsd.img'), { 'hv:version': '2' }), imageEntry(C, arm, server.url('/arm.img'))] }),
    );
    const tpl = { state: join(work, 'tpl-update', 'state.json'), cache: join(work, 'tpl-update', 'images') };
    server.serve('/list.smime', v1);
    expect((await vmilist(['subscribe', server.url('/list.smime'), '--auto-approve', '--state', tpl.state, ...trust()])).code).toBe(0);
    expect((await vmilist(['cache', '--dir', tpl.cache, '--state', tpl.state, ...trust()])).code).toBe(0);
    server.serve('/list.smime', v2);
    const oldBytes = readFileSync(tpl.state);
    const ref = copyTrial(tpl, 'update-ref');
    const full = await runChild(['update', '--state', ref.state, ...trust()]);
    expect(full.code).toBe(0);
    const newBytes = readFileSync(ref.state);
    expect(newBytes.equals(oldBytes)).toBe(false);

    let killed = 0;
    await pool(
      Array.from({ length: TRIALS }, (_, i) => i),
      4,
      async (i) => {
        const t = copyTrial(tpl, `update-${i}`);
        const r = await runChild(['update', '--state', t.state, ...trust()], Math.random() * full.ms * 1.1);
        if (r.signal === 'SIGKILL') killed++;
        const now = readFileSync(t.state);
        JSON.parse(now.toString('utf8'));
        expect(now.equals(oldBytes) || now.equals(newBytes), `trial ${i}: state is neither old nor new`).toBe(true);
        // the next run takes over the dead run's lock and reaches the same new state
        const again = await vmilist(['update', '--state', t.state, ...trust()]);
        expect(again.code, again.stderr).toBe(0);
        expect(readFileSync(t.state).equals(newBytes), `trial ${i}: rerun differs`).toBe(true);
      },
    );
    expect(killed).toBeGreaterThan(TRIALS / 3);
  });

  it(`cache: ${TRIALS} kills, the state is old or new and cache/ holds only verified images`, async () => {
    // from the state after the update: A changed, B gone, C new
    const tpl = copyTrial({ state: join(work, 'update-ref', 'state.json'), cache: join(work, 'update-ref', 'images') }, 'tpl-cache');
    const oldState = normalised(tpl.state);
    const ref = copyTrial(tpl, 'cache-ref');
    const full = await runChild(['cache', '--dir', ref.cache, '--state', ref.state, ...trust()]);
    expect(full.code).toBe(0);
    const newState = normalised(ref.state);
    expect(newState).not.toEqual(oldState);
    const finalFiles = readdirSync(join(ref.cache, 'cache')).sort();
    expect(finalFiles).toEqual([A, C].sort());

    let killed = 0;
    await pool(
      Array.from({ length: TRIALS }, (_, i) => i),
      4,
      async (i) => {
        const t = copyTrial(tpl, `cache-${i}`);
        const r = await runChild(['cache', '--dir', t.cache, '--state', t.state, ...trust()], Math.random() * full.ms * 1.1);
        if (r.signal === 'SIGKILL') killed++;
        const now = normalised(t.state);
        expect([oldState, newState], `trial ${i}: state is neither old nor new`).toContainEqual(now);
        assertCacheSound(t.cache);
        const again = await vmilist(['cache', '--dir', t.cache, '--state', t.state, ...trust()]);
        expect(again.code, again.stderr).toBe(0);
        expect(normalised(t.state), `trial ${i}: rerun differs`).toEqual(newState);
        expect(readdirSync(join(t.cache, 'cache')).sort()).toEqual(finalFiles);
        assertCacheSound(t.cache);
        expect(readdirSync(join(t.cache, 'partial'))).toEqual([]);
      },
    );
    expect(killed).toBeGreaterThan(TRIALS / 3);
  });

  it('a lock left by a killed run does not block the next run', async () => {
    const t = copyTrial({ state: join(work, 'update-ref', 'state.json'), cache: join(work, 'none') }, 'lock');
    writeFileSync(`${t.state}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: AT, token: 'dead' }));
    const r = await runChild(['update', '--state', t.state, ...trust()]);
    expect(r.code).toBe(0);
    expect(existsSync(`${t.state}.lock`)).toBe(false);
  });
});
