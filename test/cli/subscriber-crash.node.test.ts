// Crash safety: the CLI runs as a real process and is killed with SIGKILL at
// random moments during `update` and `cache`, with and without a --hook
// (15 runs per command and hook mode, at least 50 kills in all). Every time: the state
// file parses (and, without hooks, equals the state before or after the
// run); nothing in cache/ is ever a partial or unverified file; the next run
// (which takes over the dead run's lock) converges on the uninterrupted
// result; and the hook sees every event of the uninterrupted run, none it
// did not, and a repeat only ever with the same VMILIST_EVENT_ID.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const TRIALS = 15; // per command and hook mode: 60 runs, almost all of them killed
const KILL_BY = 0.95; // kill within this share of an uninterrupted run's time
let kills = 0;
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

interface Trial {
  state: string;
  cache: string;
  log: string;
}

/** The state with what differs per trial (the cache directory) taken out. */
function normalised(path: string): unknown {
  const s = JSON.parse(readFileSync(path, 'utf8'));
  expect(s.format).toBe('vmilist-subscriber');
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

/** A hook that appends `id type image` per event to `log`. */
const hookArgs = (t: Trial, hooked: boolean) => (hooked ? ['--hook', `printf '%s %s %s\\n' "$VMILIST_EVENT_ID" "$VMILIST_EVENT_TYPE" "$VMILIST_EVENT_IMAGE_ID" >> '${t.log}'`] : []);

/** Delivered events by id (session start/end events are per run by nature and left out). */
function delivered(log: string): Map<string, Set<string>> {
  const byId = new Map<string, Set<string>>();
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  for (const line of text.split('\n')) {
    const [id, type, image = ''] = line.split(' ');
    if (!id || !type || /process\.(start|end)$/.test(type)) continue;
    const seen = byId.get(id) ?? new Set<string>();
    seen.add(`${type} ${image}`);
    byId.set(id, seen);
  }
  return byId;
}

/** No event lost, none made up, a duplicate only with the same id. */
function assertEvents(trialLog: string, refLog: string, label: string): void {
  const got = delivered(trialLog);
  const want = delivered(refLog);
  expect([...got.keys()].sort(), `${label}: delivered event ids`).toEqual([...want.keys()].sort());
  const contents = new Set<string>();
  for (const [id, seen] of got) {
    expect(seen.size, `${label}: event ${id} delivered with different contents`).toBe(1);
    const content = [...seen][0] as string;
    expect(contents.has(content), `${label}: the same event (${content}) under two ids`).toBe(false);
    contents.add(content);
  }
}

function copyTrial(template: Trial, n: string): Trial {
  const d = join(work, n);
  mkdirSync(d, { recursive: true });
  const out = { state: join(d, 'state.json'), cache: join(d, 'images'), log: join(d, 'hook.log') };
  cpSync(template.state, out.state);
  if (existsSync(template.cache)) cpSync(template.cache, out.cache, { recursive: true });
  return out;
}

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
    }),
  );
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-crash-'));
  cli = await bundleCli(work);
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

  describe.each([false, true])('with a hook: %s', (hooked) => {
    const tag = hooked ? 'hook' : 'plain';

    it(`update: ${TRIALS} kills; the state stays valid and a rerun converges${hooked ? ', every event delivered' : ''}`, async () => {
      const v1 = signWithOpenssl(listDocument({ id: LIST_ID, version: '1', images: [imageEntry(A, x86, server.url('/x86.img')), imageEntry(B, arm, server.url('/arm.img'))] }));
      const v2 = signWithOpenssl(
        listDocument({ id: LIST_ID, version: '2', created: '2026-02-01T00:00:00Z', images: [imageEntry(A, bsd, server.url('/bsd.img'), { 'hv:version': '2' }), imageEntry(C, arm, server.url('/arm.img'))] }),
      );
      const tpl: Trial = { state: join(work, `tpl-update-${tag}`, 'state.json'), cache: join(work, `tpl-update-${tag}`, 'images'), log: join(work, `tpl-update-${tag}`, 'hook.log') };
      const listPath = `/list-${tag}.smime`;
      server.serve(listPath, v1);
      expect((await vmilist(['subscribe', server.url(listPath), '--auto-approve', '--state', tpl.state, ...trust()])).code).toBe(0);
      expect((await vmilist(['cache', '--dir', tpl.cache, '--state', tpl.state, ...trust()])).code).toBe(0);
      server.serve(listPath, v2);
      const oldBytes = readFileSync(tpl.state);
      const ref = copyTrial(tpl, `update-ref-${tag}`);
      const full = await runBundled(cli, ['update', '--state', ref.state, ...trust(), ...hookArgs(ref, hooked)]);
      expect(full.code, full.stderr).toBe(0);
      const newBytes = readFileSync(ref.state);
      expect(newBytes.equals(oldBytes)).toBe(false);
      if (hooked) expect(delivered(ref.log).size).toBeGreaterThan(0);

      let killed = 0;
      await pool(
        Array.from({ length: TRIALS }, (_, i) => i),
        4,
        async (i) => {
          const t = copyTrial(tpl, `update-${tag}-${i}`);
          const r = await runBundled(cli, ['update', '--state', t.state, ...trust(), ...hookArgs(t, hooked)], { killAfterMs: Math.random() * full.ms * KILL_BY });
          if (r.signal === 'SIGKILL') {
            killed++;
            kills++;
          }
          const now = readFileSync(t.state);
          normalised(t.state); // parses, and is a subscriber state
          // without hooks there is one write: old or new; with hooks, the outbox is saved step by step
          if (!hooked) expect(now.equals(oldBytes) || now.equals(newBytes), `trial ${i}: state is neither old nor new`).toBe(true);
          // the next run takes over the dead run's lock and reaches the same new state
          const again = await runBundled(cli, ['update', '--state', t.state, ...trust(), ...hookArgs(t, hooked)]);
          expect(again.code, again.stderr).toBe(0);
          expect(readFileSync(t.state).equals(newBytes), `trial ${i}: rerun differs`).toBe(true);
          if (hooked) assertEvents(t.log, ref.log, `update trial ${i}`);
        },
      );
      expect(killed).toBeGreaterThan(TRIALS / 3);
    });

    it(`cache: ${TRIALS} kills; cache/ holds only verified images and a rerun converges${hooked ? ', every event delivered' : ''}`, async () => {
      // from the state after the update: A changed, B gone, C new
      const base = join(work, `update-ref-${tag}`);
      const tpl = copyTrial({ state: join(base, 'state.json'), cache: join(base, 'images'), log: '' }, `tpl-cache-${tag}`);
      const oldState = normalised(tpl.state);
      const ref = copyTrial(tpl, `cache-ref-${tag}`);
      const full = await runBundled(cli, ['cache', '--dir', ref.cache, '--state', ref.state, ...trust(), ...hookArgs(ref, hooked)]);
      expect(full.code, full.stderr).toBe(0);
      const newState = normalised(ref.state);
      expect(newState).not.toEqual(oldState);
      const finalFiles = readdirSync(join(ref.cache, 'cache')).sort();
      expect(finalFiles).toEqual([A, C].sort());
      if (hooked) expect(delivered(ref.log).size).toBeGreaterThan(0);

      let killed = 0;
      await pool(
        Array.from({ length: TRIALS }, (_, i) => i),
        4,
        async (i) => {
          const t = copyTrial(tpl, `cache-${tag}-${i}`);
          const r = await runBundled(cli, ['cache', '--dir', t.cache, '--state', t.state, ...trust(), ...hookArgs(t, hooked)], { killAfterMs: Math.random() * full.ms * KILL_BY });
          if (r.signal === 'SIGKILL') {
            killed++;
            kills++;
          }
          const now = normalised(t.state);
          if (!hooked) expect([oldState, newState], `trial ${i}: state is neither old nor new`).toContainEqual(now);
          assertCacheSound(t.cache);
          const again = await runBundled(cli, ['cache', '--dir', t.cache, '--state', t.state, ...trust(), ...hookArgs(t, hooked)]);
          expect(again.code, again.stderr).toBe(0);
          expect(normalised(t.state), `trial ${i}: rerun differs`).toEqual(newState);
          expect(readdirSync(join(t.cache, 'cache')).sort()).toEqual(finalFiles);
          assertCacheSound(t.cache);
          expect(readdirSync(join(t.cache, 'partial'))).toEqual([]);
          if (hooked) assertEvents(t.log, ref.log, `cache trial ${i}`);
        },
      );
      expect(killed).toBeGreaterThan(TRIALS / 3);
    });
  });

  it('a lock left by a killed run does not block the next run; nor does an empty one', async () => {
    for (const content of [JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: AT, token: 'dead' }), '']) {
      const t = copyTrial({ state: join(work, 'update-ref-plain', 'state.json'), cache: join(work, 'none'), log: '' }, `lock-${content.length}`);
      writeFileSync(`${t.state}.lock`, content);
      const r = await runBundled(cli, ['update', '--state', t.state, ...trust()]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(`${t.state}.lock`)).toBe(false);
    }
  });

  it('killed at least 50 times in all (runs before this one)', () => {
    expect(kills).toBeGreaterThanOrEqual(50);
  });
});
