// Hooks: environments (native and vmcatcher compat), no interpolation of list
// data into a command line, timeouts, and the durable outbox.
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  deliverOutbox,
  enqueueEvents,
  hookKey,
  nativeEnvironment,
  runHook,
  vmcatcherEnvironment,
  type HookEvent,
  type HookSpec,
  type OutboxEntry,
} from '../../src/node/hooks.js';

const image = {
  'dc:identifier': '7C9D0E1F-2A3B-4C5D-9E6F-000000001001',
  'dc:title': 'TinyLinux $(touch /tmp/pwned) `id`',
  'dc:description': '',
  'hv:size': 8192,
  'hv:uri': 'https://images.example.org/x.img',
  'hv:version': '1.0.0',
  'sl:checksum:sha512': 'ab'.repeat(64),
  'sl:os': 'Linux',
  'ad:mpuri': 'https://appdb.example.org/x',
  'ad:vo': 'dteam',
};
const ev = (over: Partial<HookEvent> = {}): HookEvent => ({
  id: 'e1',
  type: 'cache.available',
  at: '2026-06-01T00:00:00Z',
  subscription: 'sub',
  listId: '5e0f1a2b-3c4d-4e5f-8a6b-000000000001',
  imageId: image['dc:identifier'],
  image,
  ...over,
});
const ctx = {
  env: { PATH: process.env['PATH'], VMCATCHER_EVENT_SL_ARCH: 'stale from parent', VMCATCHER_RDBMS: 'sqlite:////var/lib/vmcatcher.db', HOME: '/root' },
  sessionId: '11111111-2222-4333-8444-555555555555',
  cacheDirs: { cache: '/c/cache', download: '/c/partial/', expire: '/c/expired' },
};

describe('vmcatcher environment', () => {
  it('sets exactly the documented variables, per-image ones only when non-empty', () => {
    const env = vmcatcherEnvironment(ev(), ctx);
    const vm = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('VMCATCHER_')));
    expect(vm).toEqual({
      VMCATCHER_EVENT_TYPE: 'AvailablePostfix',
      VMCATCHER_EVENT_UUID_SESSION: ctx.sessionId,
      VMCATCHER_CACHE_DIR_CACHE: '/c/cache/',
      VMCATCHER_CACHE_DIR_DOWNLOAD: '/c/partial/',
      VMCATCHER_CACHE_DIR_EXPIRE: '/c/expired/',
      VMCATCHER_EVENT_DC_IDENTIFIER: image['dc:identifier'],
      VMCATCHER_EVENT_DC_TITLE: image['dc:title'],
      VMCATCHER_EVENT_HV_SIZE: '8192',
      VMCATCHER_EVENT_HV_URI: image['hv:uri'],
      VMCATCHER_EVENT_HV_VERSION: '1.0.0',
      VMCATCHER_EVENT_SL_CHECKSUM_SHA512: image['sl:checksum:sha512'],
      VMCATCHER_EVENT_SL_OS: 'Linux',
      VMCATCHER_EVENT_AD_MPURI: image['ad:mpuri'],
      VMCATCHER_EVENT_VO: 'dteam',
      // as the list writes it: $VMCATCHER_CACHE_DIR_CACHE$VMCATCHER_EVENT_DC_IDENTIFIER is the file
      VMCATCHER_EVENT_FILENAME: image['dc:identifier'],
      VMCATCHER_EVENT_IL_DC_IDENTIFIER: '5e0f1a2b-3c4d-4e5f-8a6b-000000000001',
      // the site's own setting, kept (handlers call vmcatcher's tools with it)
      VMCATCHER_RDBMS: 'sqlite:////var/lib/vmcatcher.db',
    });
    expect(env['HOME']).toBe('/root');
  });

  it('takes VO from the image, else from the list; FILENAME from the expired copy', () => {
    const { 'ad:vo': _vo, ...noVo } = image;
    expect(vmcatcherEnvironment(ev({ image: noVo, listVo: 'biomed' }), ctx)['VMCATCHER_EVENT_VO']).toBe('biomed');
    expect(vmcatcherEnvironment(ev({ listVo: 'biomed' }), ctx)['VMCATCHER_EVENT_VO']).toBe('dteam');
    expect('VMCATCHER_EVENT_VO' in vmcatcherEnvironment(ev({ image: noVo }), ctx)).toBe(false);
    const gone = vmcatcherEnvironment(ev({ type: 'cache.expired', fileName: `${image['dc:identifier']}.2026-06-01_00-00-00` }), ctx);
    expect(gone['VMCATCHER_EVENT_FILENAME']).toBe(`${image['dc:identifier']}.2026-06-01_00-00-00`);
    expect(gone['VMCATCHER_EVENT_DC_IDENTIFIER']).toBe(image['dc:identifier']);
  });

  it('maps event types and refuses those without an equivalent', () => {
    const types: Record<string, string> = {
      'cache.process.start': 'ProcessPrefix',
      'cache.available.before': 'AvailablePrefix',
      'cache.available': 'AvailablePostfix',
      'cache.expire.before': 'ExpirePrefix',
      'cache.expired': 'ExpirePostfix',
      'cache.process.end': 'ProcessPostfix',
    };
    for (const [t, v] of Object.entries(types)) expect(vmcatcherEnvironment(ev({ type: t }), ctx)['VMCATCHER_EVENT_TYPE']).toBe(v);
    expect(() => vmcatcherEnvironment(ev({ type: 'list.accepted' }), ctx)).toThrow();
    // SubscriptionImageNew goes to the subscription handler only, never to the cache handler
    expect(() => vmcatcherEnvironment(ev({ type: 'image.added' }), ctx)).toThrow();
    expect(vmcatcherEnvironment(ev({ type: 'image.added' }), ctx, 'vmcatcher-sub')['VMCATCHER_EVENT_TYPE']).toBe('SubscriptionImageNew');
    expect(() => vmcatcherEnvironment(ev({ type: 'cache.available' }), ctx, 'vmcatcher-sub')).toThrow();
    const proc = vmcatcherEnvironment({ id: 'p', type: 'cache.process.start', at: 'x' }, ctx);
    expect(Object.keys(proc).filter((k) => k.startsWith('VMCATCHER_EVENT_')).sort()).toEqual(['VMCATCHER_EVENT_TYPE', 'VMCATCHER_EVENT_UUID_SESSION']);
  });

  it('native environment carries the event id, type and image file', () => {
    const env = nativeEnvironment(ev(), ctx);
    expect(env['VMILIST_EVENT_ID']).toBe('e1');
    expect(env['VMILIST_EVENT_TYPE']).toBe('cache.available');
    expect(env['VMILIST_EVENT_IMAGE_FILE']).toBe(`/c/cache/${image['dc:identifier']}`);
  });
});

describe('runHook', () => {
  it('passes data in env and JSON on stdin, never through the shell', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-hook-'));
    const out = join(d, 'out');
    const hook: HookSpec = { command: `cat > '${out}.json'; printf '%s' "$VMCATCHER_EVENT_DC_TITLE" > '${out}.title'`, mode: 'vmcatcher' };
    const r = await runHook(hook, ev(), { ...ctx, env: { ...ctx.env, PWNED_DIR: d } });
    expect(r.ok).toBe(true);
    expect(readFileSync(`${out}.title`, 'utf8')).toBe(image['dc:title']);
    expect(JSON.parse(readFileSync(`${out}.json`, 'utf8'))).toEqual(ev());
    expect(existsSync('/tmp/pwned')).toBe(false);
  });

  it('reports failures and kills a hook that runs too long', async () => {
    const fail = await runHook({ command: 'echo boom >&2; exit 3', mode: 'native' }, ev(), ctx);
    expect(fail).toMatchObject({ ok: false, exitCode: 3, timedOut: false });
    expect(fail.output).toContain('boom');
    const t0 = Date.now();
    const slow = await runHook({ command: 'sleep 30', mode: 'native' }, ev(), ctx, 300);
    expect(slow.ok).toBe(false);
    expect(slow.timedOut).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

describe('outbox', () => {
  const native: HookSpec = { command: 'true', mode: 'native' };
  const compat: HookSpec = { command: 'true', mode: 'vmcatcher' };

  it('enqueues per applicable hook, skips events nobody gets, never twice', () => {
    const events = [ev({ id: 'a', type: 'list.accepted' }), ev({ id: 'b', type: 'cache.process.start' }), ev({ id: 'c', type: 'image.added' })];
    const box = enqueueEvents([], events, [native, compat]);
    expect(box.map((e) => [e.event.id, e.pending])).toEqual([
      ['a', [hookKey(native)]],
      ['b', [hookKey(compat)]],
      ['c', [hookKey(native)]],
    ]);
    expect(enqueueEvents(box, events, [native, compat])).toHaveLength(3);
    expect(enqueueEvents([], events, [])).toEqual([]);
  });

  it('delivers in order, stops a failing hook for the run, keeps what failed, saves after each run', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-outbox-'));
    const log = join(d, 'log');
    const flag = join(d, 'fail-on-b');
    writeFileSync(flag, '');
    // fails for event b while the flag file exists
    const cmd = `if [ "$VMILIST_EVENT_ID" = b ] && [ -e '${flag}' ]; then exit 1; fi; echo "$VMILIST_EVENT_ID" >> '${log}'`;
    const hook: HookSpec = { command: cmd, mode: 'native' };
    let box: OutboxEntry[] = enqueueEvents([], ['a', 'b', 'c'].map((id) => ev({ id, type: 'image.added' })), [hook]);
    const saves: string[][] = [];
    const save = async (o: OutboxEntry[]) => void saves.push(o.map((e) => e.event.id));
    const r1 = await deliverOutbox(box, { ...ctx, hooks: [hook], save });
    expect(readFileSync(log, 'utf8')).toBe('a\n');
    expect(r1.delivered).toBe(1);
    expect(r1.failed.map((f) => f.event.id)).toEqual(['b']);
    expect(r1.outbox.map((e) => [e.event.id, e.attempts])).toEqual([
      ['b', 1],
      ['c', 0],
    ]);
    expect(saves).toEqual([['b', 'c'], ['b', 'c']]);
    box = r1.outbox;
    // a run without that hook configured leaves its deliveries waiting
    const r2 = await deliverOutbox(box, { ...ctx, hooks: [], save });
    expect(r2.outbox).toEqual(box);
    (await import('node:fs')).unlinkSync(flag);
    const r3 = await deliverOutbox(box, { ...ctx, hooks: [hook], save });
    expect(r3.outbox).toEqual([]);
    expect(readFileSync(log, 'utf8')).toBe('a\nb\nc\n'); // a never again
  });
});
