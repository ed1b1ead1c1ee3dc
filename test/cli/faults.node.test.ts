// The subscriber under faults, through the CLI: a trickling image server, two
// cache runs sharing one --dir with a kill, a full disk, hostile text.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, statSync, truncateSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const AT = '2026-06-01T00:00:00Z';
const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000f001';
const SLOW = '7c9d0e1f-2a3b-4c5d-9e6f-00000000f00a';
const BIG = '7c9d0e1f-2a3b-4c5d-9e6f-00000000f00b';
const sha = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const tiny = new Uint8Array(readFileSync(join(ROOT, 'vectors/images/tiny-linux-x86_64.img')));
// big enough that a kill lands in the middle of its download
const big = new Uint8Array(randomBytes(3 * 1024 * 1024));

let server: TestServer;
let work: string;
let cli: string;
const trust = () => ['--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--at', AT];

/** Runs the bundled CLI as a process; SIGKILL after `killAfterMs`. */
const runChild = (args: string[], killAfterMs?: number) => runBundled(cli, args, killAfterMs === undefined ? {} : { killAfterMs });

async function subscribed(name: string, images: Record<string, unknown>[]): Promise<string> {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  const path = `/${name}.smime`;
  server.serve(path, signWithOpenssl(listDocument({ id: LIST_ID, version: '1', images })));
  const state = join(d, 'state.json');
  const r = await vmilist(['subscribe', server.url(path), '--auto-approve', '--state', state, ...trust()]);
  expect(r.code, r.stderr).toBe(0);
  return state;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-faults-'));
  cli = await bundleCli(work);
  server = await startServer();
  server.set('/slow.img', { kind: 'bytes', body: tiny, chunkSize: 1, chunkDelayMs: 1000 }); // 1 byte/s
  server.serve('/fast.img', tiny);
  server.set('/big.img', { kind: 'bytes', body: big, chunkSize: 16 * 1024, chunkDelayMs: 2 });
});
afterAll(async () => server?.close());

describe('cache under faults', () => {
  it('abandons a 1 byte/s download at the speed floor, counts a failed attempt and releases the lock', async () => {
    const state = await subscribed('slow', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    const dir = join(work, 'slow', 'images');
    const r = await vmilist(['cache', '--dir', dir, '--state', state, '--min-speed', '64', '--speed-window', '1', ...trust()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/slower than 64 bytes\/s/);
    expect(r.stderr).toMatch(/attempt 1 of 3/);
    const file = JSON.parse(readFileSync(state, 'utf8'));
    expect(file.cache.failures[SLOW].attempts).toBe(1);
    expect(existsSync(`${state}.lock`)).toBe(false);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
    expect(readdirSync(join(dir, 'partial'))).toEqual([]);
    // and the next run can take the lock at once
    expect((await vmilist(['update', '--state', state, ...trust()])).code).toBe(0);
  });

  it('a live holder keeps its lock however old the lock file; a run that lost its lock writes nothing (no rollback)', async () => {
    const state = await subscribed('stolen', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    // a live process's lock, 7 h old: not stale
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(`${state}.lock`, JSON.stringify({ pid: holder.pid, host: hostname(), since: '2026-05-31T17:00:00Z', token: 'live' }));
      const old = new Date(Date.now() - 7 * 3600_000);
      utimesSync(`${state}.lock`, old, old);
      const r = await vmilist(['update', '--state', state, ...trust()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`locked by process ${holder.pid}`));
      expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8')).token).toBe('live');
    } finally {
      holder.kill('SIGKILL');
      unlinkSync(`${state}.lock`);
    }
    // a cache run stuck on a slow download; meanwhile its lock is taken and a newer state written
    const dir = join(work, 'stolen', 'images');
    const run = runChild(['cache', '--dir', dir, '--state', state, '--min-speed', '64', '--speed-window', '2', ...trust()]);
    for (let i = 0; i < 100 && !existsSync(`${state}.lock`); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(`${state}.lock`)).toBe(true);
    writeFileSync(`${state}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: AT, token: 'thief' }));
    const newer = JSON.parse(readFileSync(state, 'utf8'));
    newer.checks.newer = { checkedAt: '2026-06-01T00:00:01Z' };
    writeFileSync(state, JSON.stringify(newer));
    const done = await run;
    expect(done.code, done.stderr).toBe(2);
    expect(done.stderr).toMatch(/no longer holds the lock/);
    expect(JSON.parse(readFileSync(state, 'utf8'))).toEqual(newer); // not rolled back
    expect(JSON.parse(readFileSync(`${state}.lock`, 'utf8')).token).toBe('thief'); // not removed either
    unlinkSync(`${state}.lock`);
  });

  it('a run killed after moving an expired file out but before saying so: the next run delivers cache.expired', async () => {
    const state = await subscribed('expired', [imageEntry(SLOW, tiny, server.url('/fast.img'))]);
    const dir = join(work, 'expired', 'images');
    expect((await vmilist(['cache', '--dir', dir, '--state', state, ...trust()])).code).toBe(0);
    server.serve('/expired.smime', signWithOpenssl(listDocument({ id: LIST_ID, version: '2', created: '2026-02-01T00:00:00Z', images: [] })));
    expect((await vmilist(['update', '--state', state, ...trust()])).code).toBe(0);
    // what the killed run did: the file moved to expired/, the state not yet saved
    mkdirSync(join(dir, 'expired'), { recursive: true });
    renameSync(join(dir, 'cache', SLOW), join(dir, 'expired', SLOW));
    const log = join(work, 'expired', 'hook.log');
    const hook = ['--hook', `printf '%s %s\\n' "$VMILIST_EVENT_TYPE" "$VMILIST_EVENT_IMAGE_ID" >> '${log}'`];
    const r = await vmilist(['cache', '--dir', dir, '--state', state, ...hook, ...trust()], { env: { PATH: process.env['PATH'] } });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`cache.expired ${SLOW}`);
    expect(JSON.parse(readFileSync(state, 'utf8')).cache.images).toEqual({});
  });

  it('the same, when the expired file was replaced by a newer version: the next run still delivers its cache.expired', async () => {
    const state = await subscribed('replaced', [imageEntry(SLOW, tiny, server.url('/fast.img'))]);
    const dir = join(work, 'replaced', 'images');
    expect((await vmilist(['cache', '--dir', dir, '--state', state, ...trust()])).code).toBe(0);
    const newer = tiny.slice();
    newer[0] = (newer[0] as number) ^ 0xff;
    server.serve('/newer.img', newer);
    server.serve('/replaced.smime', signWithOpenssl(listDocument({ id: LIST_ID, version: '2', created: '2026-02-01T00:00:00Z', images: [imageEntry(SLOW, newer, server.url('/newer.img'))] })));
    expect((await vmilist(['update', '--state', state, ...trust()])).code).toBe(0);
    // what the killed run did: the old version moved to expired/, the state not yet saved
    mkdirSync(join(dir, 'expired'), { recursive: true });
    renameSync(join(dir, 'cache', SLOW), join(dir, 'expired', SLOW));
    const log = join(work, 'replaced', 'hook.log');
    const hook = ['--hook', `printf '%s %s %s\\n' "$VMILIST_EVENT_TYPE" "$VMILIST_EVENT_IMAGE_ID" "$VMILIST_EVENT_IMAGE_SHA512" >> '${log}'`];
    const r = await vmilist(['cache', '--dir', dir, '--state', state, ...hook, ...trust()], { env: { PATH: process.env['PATH'] } });
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toContain(`cache.expired ${SLOW} ${sha(tiny)}`); // about the old version
    expect(lines).toContain(`cache.available ${SLOW} ${sha(newer)}`);
    expect(sha(new Uint8Array(readFileSync(join(dir, 'cache', SLOW))))).toBe(sha(newer));
  });

  it('refuses deadline flags that are not numbers', async () => {
    const state = await subscribed('flags', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    const r = await vmilist(['cache', '--dir', join(work, 'flags', 'images'), '--state', state, '--download-timeout', 'soon', ...trust()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--download-timeout/);
  });

  it('two cache runs on one --dir (different --state), one killed: cache/ never holds a wrong file, status never counts one', async () => {
    const entry = imageEntry(BIG, big, server.url('/big.img'));
    for (let trial = 0; trial < 6; trial++) {
      const stateA = await subscribed(`two-a-${trial}`, [entry]);
      const stateB = await subscribed(`two-b-${trial}`, [entry]);
      const dir = join(work, `two-${trial}`);
      const a = runChild(['cache', '--dir', dir, '--state', stateA, ...trust()], 150 + trial * 120);
      await new Promise((r) => setTimeout(r, 60));
      const b = await runChild(['cache', '--dir', dir, '--state', stateB, ...trust()]);
      const killed = await a;
      expect(killed.signal === 'SIGKILL' || killed.code === 0 || killed.code === 2, killed.stderr).toBe(true);
      // B either cached the image or failed cleanly; whatever is in cache/ is right
      expect([0, 2], b.stderr).toContain(b.code);
      const assertSound = () => {
        for (const name of existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')) : []) {
          expect(sha(readFileSync(join(dir, 'cache', name))), `trial ${trial}: cache/${name} is not the verified image`).toBe(sha(big));
        }
      };
      assertSound();
      for (const state of [stateA, stateB]) {
        const status = JSON.parse((await vmilist(['status', '--state', state, '--json', ...trust()])).stdout);
        if (status.cache?.cached > 0) expect(sha(readFileSync(join(dir, 'cache', BIG)))).toBe(sha(big));
      }
      // the killed run's state converges on a rerun, and nothing of the dead run is left
      const again = await runChild(['cache', '--dir', dir, '--state', stateA, ...trust()]);
      expect(again.code, again.stderr).toBe(0);
      assertSound();
      expect(readdirSync(join(dir, 'cache'))).toEqual([BIG]);
      expect(readdirSync(join(dir, 'partial'))).toEqual([]);
    }
  });
});

/** Mounts a small tmpfs at a fresh directory (root only); undefined where mounting is not allowed. */
function smallDisk(sizeKb: number): string | undefined {
  const d = mkdtempSync(join(tmpdir(), 'vmilist-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', d], { stdio: 'ignore' });
    return d;
  } catch {
    return undefined;
  }
}

/** Fills the file system of `dir` with `filler`, then frees `leave` bytes of it. */
function fill(dir: string, leave: number): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch {
    /* ENOSPC: full */
  } finally {
    closeSync(fd);
  }
  if (leave > 0) truncateSync(filler, Math.max(0, statSync(filler).size - leave));
  return filler;
}

const disk = process.getuid?.() === 0 ? smallDisk(512) : undefined;
describe.skipIf(disk === undefined)('a full disk (a 512 KiB tmpfs; needs root to mount, skipped otherwise)', () => {
  afterAll(() => {
    if (disk) execFileSync('umount', [disk]);
  });

  it('a state write that fails for space is ERR_IO exit 2, leaves the state byte-identical, no lock and no temp file', async () => {
    const source = await subscribed('disk', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    const state = join(disk!, 'state.json');
    copyFileSync(source, state);
    const before = readFileSync(state);
    const filler = fill(disk!, 4096); // room for the lock, not for a new state
    const later = ['--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--at', '2026-06-02T00:00:00Z'];
    const r = await vmilist(['update', '--state', state, ...later]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ERR_IO: .*no space left on device/);
    expect(readFileSync(state).equals(before)).toBe(true);
    expect(readdirSync(disk!).sort()).toEqual(['filler', 'state.json']);
    // completely full: even the lock cannot be written, and none is left behind
    fill(disk!, 0);
    const full = await vmilist(['update', '--state', state, ...later]);
    expect(full.code, full.stderr).toBe(2);
    expect(full.stderr).toMatch(/ERR_IO: cannot create lock file .*no space left on device/);
    expect(readdirSync(disk!).filter((n) => n.includes('lock'))).toEqual([]);
    // space again: the next run goes through
    unlinkSync(filler);
    const ok = await vmilist(['update', '--state', state, ...later]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('not enough free space for an image is ERR_IO exit 2 (an I/O problem, not a verdict on the image)', async () => {
    const state = await subscribed('disk-cache', [imageEntry(BIG, big, server.url('/big.img'))]);
    const dir = join(disk!, 'images');
    const r = await vmilist(['cache', '--dir', dir, '--state', state, '--json', ...trust()]);
    expect(r.code, r.stderr).toBe(2);
    const out = JSON.parse(r.stdout);
    expect(out.actions[0].error.code).toBe('ERR_IO');
    expect(out.actions[0].error.message).toMatch(/free/);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
    expect(readdirSync(join(dir, 'partial'))).toEqual([]);
  });
});
