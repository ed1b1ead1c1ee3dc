// vmcatcher handlers through the site API, as vmcatcher runs them: the
// handler fixtures (test/fixtures/handlers, shell and Python 3) exit non-zero
// on events they ignore, build paths from CACHE_DIR + DC_IDENTIFIER, read VO,
// call back into a site CLI with the inherited environment and fail on qcow2.
// Every handler still gets every image's events in vmcatcher's order, the
// failures are reported (never retried), and nothing about handlers changes
// the state's image records.
import { existsSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openSite, VmiListError, type HandlerRun, type SiteOptions } from '../../src/node/index.js';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl } from '../support/server.js';

const H = join(ROOT, 'test/fixtures/handlers');
const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000e001';
const Q = '7c9d0e1f-2a3b-4c5d-9e6f-00000000c000'; // qcow2, image VO atlas: the sh handler fails on it
const A = '7C9D0E1F-2A3B-4C5D-9E6F-00000000C001'; // upper case as real AppDB lists write it; list VO applies
const C = '7c9d0e1f-2a3b-4c5d-9e6f-00000000c002';
const AT = '2026-06-01T00:00:00Z';
const STAMP = '2026-06-01_00-00-00';
const image = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'vectors/images', name)));
const x86 = image('tiny-linux-x86_64.img');
const arm = image('tiny-linux-aarch64.img');
const bsd = image('tiny-bsd-amd64.raw');
const uri = (name: string) => pathToFileURL(join(ROOT, 'vectors/images', name)).href;

/** Writes a signed list with list-level ad:vo to `path`. */
function publish(path: string, version: string, created: string, entries: Record<string, unknown>[]): void {
  const doc = listDocument({ id: LIST_ID, version, created, images: entries }) as { 'hv:imagelist': Record<string, unknown> };
  doc['hv:imagelist']['ad:vo'] = 'biomed';
  writeFileSync(path, signWithOpenssl(doc));
}

const v1 = () => [
  imageEntry(Q, arm, uri('tiny-linux-aarch64.img'), { 'hv:format': 'qcow2', 'ad:vo': 'atlas' }),
  imageEntry(A, x86, uri('tiny-linux-x86_64.img'), { 'hv:format': 'raw' }),
  imageEntry(C, bsd, uri('tiny-bsd-amd64.raw'), { 'hv:format': 'raw' }),
];

function setup(handlers: Partial<SiteOptions> = {}) {
  const work = mkdtempSync(join(tmpdir(), 'vmilist-vmc-'));
  const log = join(work, 'handler.log');
  const listFile = join(work, 'list.smime');
  publish(listFile, '1', '2026-01-01T00:00:00Z', v1());
  const runs: HandlerRun[] = [];
  const options: SiteOptions = {
    stateFile: join(work, 'state.json'),
    caDir: join(ROOT, 'vectors/trust'),
    cacheDir: join(work, 'cache'),
    env: { PATH: process.env['PATH'], HANDLER_LOG: log, VMCATCHER_RDBMS: 'sqlite:////var/lib/vmcatcher/vmcatcher.db', VMCATCHER_EVENT_TYPE: 'stale from the caller' },
    now: () => new Date(AT),
    hookTimeoutMs: 20_000,
    onHandlerRun: (r) => runs.push(r),
    ...handlers,
  };
  const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { work, log, listFile, runs, options, lines };
}

const seq = (runs: readonly HandlerRun[], handler: string) => runs.filter((r) => r.handler === handler).map((r) => `${r.event}${r.imageId ? `:${r.imageId}` : ''}`);

describe('vmcatcher handlers through the site API', () => {
  const sh = join(H, 'cache-handler.sh');
  const py = join(H, 'cache-handler.py');
  const sub = join(H, 'sub-handler.sh');

  it('every handler gets every event in vmcatcher order, failures reported, nothing retried; records untouched', async () => {
    const t = setup({ vmcatcherHook: [sh, py], vmcatcherSubHook: [sub] });
    const site = await openSite(t.options);
    const subscribed = await site.subscribe(t.listFile, { newImages: 'approve' });

    // SubscriptionImageNew only to the subscription handler, VO from the image else the list
    expect(t.lines()).toEqual([`sub SubscriptionImageNew ${Q} vo=atlas cache=unset`, `sub SubscriptionImageNew ${A} vo=biomed cache=unset`, `sub SubscriptionImageNew ${C} vo=biomed cache=unset`]);
    expect(subscribed.hooks.handlerRuns.map((r) => `${r.handler === sub}:${r.event}`)).toEqual(Array(3).fill('true:SubscriptionImageNew'));

    const first = await site.syncCache();
    expect(first.errors).toEqual([]);
    const order = ['ProcessPrefix', `AvailablePrefix:${Q}`, `AvailablePostfix:${Q}`, `AvailablePrefix:${A}`, `AvailablePostfix:${A}`, `AvailablePrefix:${C}`, `AvailablePostfix:${C}`, 'ProcessPostfix'];
    expect(seq(first.hooks.handlerRuns, sh)).toEqual(order);
    expect(seq(first.hooks.handlerRuns, py)).toEqual(order);
    expect(first.hooks.handlerRuns.some((r) => r.handler === sub)).toBe(false);
    // one session for the run
    expect(new Set(first.hooks.handlerRuns.map((r) => r.session))).toEqual(new Set([first.hooks.sessionId]));
    // exit codes recorded as the handlers gave them: 1 on ignored events, 2 on qcow2, 0 otherwise
    expect(first.hooks.handlerRuns.filter((r) => r.handler === sh).map((r) => r.exitCode)).toEqual([1, 1, 2, 1, 0, 1, 0, 1]);
    expect(first.hooks.handlerRuns.find((r) => r.handler === sh && r.exitCode === 2)?.message).toContain('qcow2 is not supported');

    const log = t.lines();
    expect(log).toContain(`sh AvailablePostfix ${Q} vo=atlas format=qcow2 session=${first.hooks.sessionId}`);
    expect(log).toContain(`sh AvailablePostfix ${A} vo=biomed format=raw session=${first.hooks.sessionId}`);
    const pyAvail = log.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l)).filter((e) => e.type === 'AvailablePostfix');
    expect(pyAvail.map((e) => [e.id, e.vo, e.exists])).toEqual([
      [Q, 'atlas', true],
      [A, 'biomed', true],
      [C, 'biomed', true],
    ]);
    // the cached file is named as the list writes the identifier
    expect(existsSync(join(t.work, 'cache/cache', A))).toBe(true);
    expect(existsSync(join(t.work, 'cache/cache', A.toLowerCase()))).toBe(false);

    // status and the state file show the failures; a second run retries none of them
    const status = await site.status();
    expect(status.handlerFailures.length).toBe(first.hooks.handlerRuns.filter((r) => !r.ok).length);
    expect(status.warnings.some((w) => w.includes('none retried'))).toBe(true);
    const again = await site.syncCache();
    expect(seq(again.hooks.handlerRuns, sh)).toEqual(['ProcessPrefix', 'ProcessPostfix']);

    // a new version: C dropped, A replaced (new bytes, new version)
    publish(t.listFile, '2', '2026-02-01T00:00:00Z', [v1()[0] as Record<string, unknown>, imageEntry(A, bsd, uri('tiny-bsd-amd64.raw'), { 'hv:format': 'raw', 'hv:version': '2.0.0' })]);
    const update = await site.update();
    expect(update.outcomes[0]?.result).toBe('accepted');
    expect(update.hooks.handlerRuns.filter((r) => r.handler !== sub)).toEqual([]); // no new image: nothing for anyone
    const mark = t.lines().length;
    const second = await site.syncCache();
    const order2 = ['ProcessPrefix', `ExpirePrefix:${A}`, `ExpirePostfix:${A}`, `ExpirePrefix:${C}`, `ExpirePostfix:${C}`, `AvailablePrefix:${A}`, `AvailablePostfix:${A}`, 'ProcessPostfix'];
    expect(seq(second.hooks.handlerRuns, sh)).toEqual(order2);
    expect(seq(second.hooks.handlerRuns, py)).toEqual(order2);
    const log2 = t.lines().slice(mark);
    const oldSha = (v1()[1]?.['hv:image'] as Record<string, string>)['sl:checksum:sha512'];
    // Expire events describe the expired (cached) version, not its replacement
    expect(log2).toContain(`sh ExpirePrefix ${A} cache sha=${oldSha} version=1.0.0`);
    // the handler called the site CLI with the site's own VMCATCHER_RDBMS
    expect(log2).toContain(`site-cli --expire ${A} rdbms=sqlite:////var/lib/vmcatcher/vmcatcher.db`);
    expect(log2).toContain(`sh ExpirePostfix ${A} expire file=${A}.${STAMP}`);
    expect(log2).toContain(`sh ExpirePostfix ${C} expire file=${C}.${STAMP}`);
    expect(existsSync(join(t.work, 'cache/expired', `${A}.${STAMP}`))).toBe(true);
    const pyEvents = log2.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(pyEvents.every((e) => e.rdbms === 'sqlite:////var/lib/vmcatcher/vmcatcher.db')).toBe(true);
    expect(pyEvents.filter((e) => e.type.startsWith('Expire')).every((e) => e.exists === true)).toBe(true);
    expect(second.hooks.handlerRuns.filter((r) => r.handler === sh && r.event.startsWith('Expire')).every((r) => r.ok)).toBe(true);

    // the same cycle with no handlers at all leaves the same image records
    const bare = setup();
    publish(bare.listFile, '1', '2026-01-01T00:00:00Z', v1());
    const plain = await openSite({ ...bare.options, onHandlerRun: undefined });
    await plain.subscribe(bare.listFile, { newImages: 'approve' });
    await plain.syncCache();
    publish(bare.listFile, '2', '2026-02-01T00:00:00Z', [v1()[0] as Record<string, unknown>, imageEntry(A, bsd, uri('tiny-bsd-amd64.raw'), { 'hv:format': 'raw', 'hv:version': '2.0.0' })]);
    await plain.update();
    await plain.syncCache();
    const records = async (s: typeof site) => {
      const f = await s.read();
      return { images: f.state.images, cache: Object.fromEntries(Object.entries(f.cache.images).map(([k, v]) => [k, v.sha512])) };
    };
    const withHandlers = await records(site);
    const withUuidList = withHandlers.images.map((r) => r.uuid);
    expect(withUuidList).toContain(A);
    expect(await records(plain)).toEqual(withHandlers);
  });

  it('a file an earlier version cached under the lower-case name is renamed to the list\'s spelling, not downloaded again', async () => {
    const t = setup();
    const site = await openSite(t.options);
    await site.subscribe(t.listFile, { newImages: 'approve' });
    await site.syncCache();
    renameSync(join(t.work, 'cache/cache', A), join(t.work, 'cache/cache', A.toLowerCase()));
    const r = await site.syncCache();
    expect(r.actions).toEqual([]);
    expect(existsSync(join(t.work, 'cache/cache', A))).toBe(true);
    expect(existsSync(join(t.work, 'cache/cache', A.toLowerCase()))).toBe(false);
  });

  it('a hanging handler is killed at its timeout and reported; the run completes', async () => {
    const t = setup({ vmcatcherHook: [join(H, 'hang.sh')], hookTimeoutMs: 500 });
    const site = await openSite(t.options);
    await site.subscribe(t.listFile, { newImages: 'approve' });
    const r = await site.syncCache();
    expect(r.errors).toEqual([]);
    expect(r.actions.filter((a) => a.action === 'downloaded')).toHaveLength(3);
    const hung = r.hooks.handlerRuns.filter((x) => x.timedOut);
    expect(hung.map((x) => x.event)).toEqual(['AvailablePrefix', 'AvailablePrefix', 'AvailablePrefix']);
    expect(hung[0]?.message).toContain('timed out');
    expect(seq(r.hooks.handlerRuns, join(H, 'hang.sh'))).toHaveLength(8);
  });

  it('a missing handler is ERR_IO naming the path, before anything runs', async () => {
    const t = setup();
    const missing = join(t.work, 'no-such-handler');
    await expect(openSite({ ...t.options, vmcatcherHook: [missing] })).rejects.toThrow(VmiListError);
    await expect(openSite({ ...t.options, vmcatcherHook: [missing] })).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringContaining(missing) });
    await expect(openSite({ ...t.options, vmcatcherSubHook: ['no-such-handler-on-path --flag'] })).rejects.toMatchObject({ code: 'ERR_IO', message: expect.stringContaining('no-such-handler-on-path') });
    const cli = await vmilist(['cache', '--state', join(t.work, 'state.json'), '--dir', join(t.work, 'cache'), '--vmcatcher-hook', missing], { env: { PATH: process.env['PATH'] } });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain(missing);
    expect(existsSync(join(t.work, 'state.json'))).toBe(false);
  });

  it('the CLI exits 0 with handler failures reported on stderr and in --json', async () => {
    const t = setup();
    const env = { ...t.options.env };
    const common = ['--state', join(t.work, 'state.json'), '--ca-dir', join(ROOT, 'vectors/trust'), '--vmcatcher-hook', sh];
    expect((await vmilist(['subscribe', t.listFile, '--auto-approve', ...common], { env })).code).toBe(0);
    const c = await vmilist(['cache', '--dir', join(t.work, 'cache'), '--json', ...common], { env });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stderr).toContain(`failed on AvailablePostfix ${Q} (exit status 2: qcow2 is not supported); recorded, not retried`);
    const out = JSON.parse(c.stdout);
    expect(out.hooks.handlerRuns.map((r: HandlerRun) => r.exitCode)).toEqual([1, 1, 2, 1, 0, 1, 0, 1]);
    const st = await vmilist(['status', '--json', ...common.slice(0, 4)], { env });
    expect(JSON.parse(st.stdout).handlerFailures.length).toBe(6);
  });
});

describe('native hooks through the site API', () => {
  it('what waits in the outbox is delivered by the next run holding the lock, cache included, with the same event id', async () => {
    const t = setup();
    const once = join(t.work, 'fail-once');
    writeFileSync(once, '');
    const hook = `if [ "$VMILIST_EVENT_TYPE" = image.added ] && [ -e '${once}' ]; then rm '${once}'; exit 7; fi; echo "$VMILIST_EVENT_ID $VMILIST_EVENT_TYPE $VMILIST_EVENT_IMAGE_ID" >> "$HANDLER_LOG"`;
    const site = await openSite({ ...t.options, hooks: [hook] });
    const first = await site.subscribe(t.listFile, { newImages: 'approve' });
    expect(first.hooks.hookFailures.map((f) => f.event.type)).toEqual(['image.added']);
    const failedId = first.hooks.hookFailures[0]?.event.id;
    // the failed event holds back the later ones for this hook; all stay in the outbox
    expect(first.hooks.pendingHookEvents).toBe(3);
    expect(t.lines().map((l) => l.split(' ')[1])).toEqual(['subscription.added', 'list.accepted']);

    // a cache run (no subscription events of its own) delivers them first, in order
    const c = await site.syncCache();
    expect(c.hooks.hookFailures).toEqual([]);
    const lines = t.lines();
    expect(lines.slice(2, 5).map((l) => l.split(' ').slice(1).join(' '))).toEqual([`image.added ${Q}`, `image.added ${A}`, `image.added ${C}`]);
    expect(lines[2]?.split(' ')[0]).toBe(failedId);
    expect(lines.slice(5).map((l) => l.split(' ')[1])).toEqual(['cache.available', 'cache.available', 'cache.available']);
    expect((await site.read()).outbox).toEqual([]);
  });
});
