import { resolve } from 'node:path';
import { VmiListError } from '../../errors.js';
import { runnable } from '../../subscription/index.js';
import type { ImageRecord } from '../../subscription/types.js';
import { ImageCache } from '../../node/cache.js';
import type { HookEvent } from '../../node/hooks.js';
import type { TrustStore } from '../../node/truststore.js';
import { parseCommandArgs } from '../args.js';
import { printJson, usageError, type CliContext, type Command } from '../context.js';
import { progressReporter } from '../progress.js';
import { DEADLINE_HELP, DEADLINE_OPTIONS, deadlinesOf } from '../deadlines.js';
import {
  HOOK_HELP,
  HOOK_OPTIONS,
  STATE_HELP,
  STATE_OPTIONS,
  cliEventId,
  deliver,
  hooksOf,
  loadTrust,
  newSessionId,
  openStore,
  readFile,
  runTime,
  withEvents,
  type SubscriberFile,
  type TrustValues,
} from '../subscriber.js';

const USAGE = 'vmilist cache [--dir DIR] [--delete-expired] [--verify] [--max-attempts N] [--retry-failed] [options] [--json]';

/** What the cache run did to one image. */
interface Action {
  uuid: string;
  action: 'downloaded' | 'adopted' | 'expired' | 'deleted' | 'failed' | 'skipped';
  reason?: string;
  error?: { code: string; message: string };
}

export const command: Command = {
  name: 'cache',
  summary: 'download approved current images, verify them, expire what is no longer runnable',
  help: `Usage: ${USAGE}

Brings the image cache in line with the state: every current (endorsed and
approved) image not yet cached is downloaded into a file private to the run in DIR/partial
while its SHA-512 is computed, aborted as soon as it grows past hv:size,
and moved into DIR/cache/<uuid> only when size and checksum match; files of
images that are no longer runnable (expired, denied, unsubscribed, or
replaced by a new version) are moved to DIR/expired/<uuid> (or deleted with
--delete-expired). File names are image UUIDs, never taken from URLs.
Free space is checked against hv:size before each download. A download that
fails is tried again on later runs, at most --max-attempts times for the
same image version. A progress bar per image is drawn on a terminal only.

  --dir DIR             cache root (default $VMILIST_CACHE_DIR, else the last
                        --dir recorded in the state)
  --delete-expired      delete files of expired images instead of moving them
  --verify              re-hash every cached file (default: trust the size and
                        the checksum recorded when it was downloaded)
  --max-attempts N      failed downloads per image version before giving up (default 3)
  --retry-failed        try images again that reached --max-attempts
  --at TIME             as of TIME (ISO 8601) instead of now
  --allow-http          download images over plain http (the checksum still
                        protects them)
  --ca-dir DIR          CAs trusted for TLS besides the system roots (default
                        $X509_CERT_DIR, else /etc/grid-security/certificates when present)
${DEADLINE_HELP}
${STATE_HELP}
${HOOK_HELP}
  In vmcatcher mode the events are ProcessPrefix, AvailablePrefix (the
  verified file is in VMCATCHER_CACHE_DIR_DOWNLOAD), AvailablePostfix (now in
  VMCATCHER_CACHE_DIR_CACHE), ExpirePrefix, ExpirePostfix and ProcessPostfix.
  --json                print {"ok":…,"dir":…,"actions":[{uuid,action,…}]}

Exit codes: 0 everything cached; 1 an image failed its checks (checksum,
size) or a hook failed; 2 an image could not be downloaded, or usage or I/O error.`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      {
        dir: { type: 'string' },
        'delete-expired': { type: 'boolean' },
        verify: { type: 'boolean' },
        'max-attempts': { type: 'string' },
        'retry-failed': { type: 'boolean' },
        at: { type: 'string' },
        'allow-http': { type: 'boolean' },
        'ca-dir': { type: 'string' },
        ...DEADLINE_OPTIONS,
        ...STATE_OPTIONS,
        ...HOOK_OPTIONS,
      },
      { min: 0, max: 0, usage: USAGE },
    );
    const now = runTime(ctx, values.at);
    const maxAttempts = values['max-attempts'] === undefined ? 3 : Number(values['max-attempts']);
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw usageError('--max-attempts must be a whole number ≥ 1');
    const deadlines = deadlinesOf(values);
    const hooks = hooksOf(values);
    const store = openStore(ctx, values);
    const trust = await tlsTrust(ctx, values);

    return store.withLock(async () => {
      let file = await readFile(store);
      const dirValue = values.dir ?? ctx.env['VMILIST_CACHE_DIR'] ?? file.cache.dir;
      if (dirValue === undefined) throw usageError('no cache directory: give --dir DIR (or set VMILIST_CACHE_DIR)');
      const cache = new ImageCache(resolve(ctx.cwd, dirValue));
      await cache.init();
      await cache.cleanPartials();
      const sessionId = newSessionId();
      const cacheDirs = { cache: cache.cacheDir, download: cache.partialDir, expire: cache.expiredDir };
      const actions: Action[] = [];
      const errors: VmiListError[] = [];
      let hookFailures = 0;

      // With hooks, every step is saved before its hook runs (the outbox is
      // durable); without, one write at the end: a crash then leaves the old
      // state, and the next run adopts verified files it finds in cache/.
      const emit = async (events: HookEvent[]) => {
        const next = withEvents(file, events, hooks);
        if (next === file || next.outbox.length === file.outbox.length) return;
        file = next;
        await store.write(file);
        const d = await deliver(ctx, store, file, hooks, values, { sessionId, cacheDirs, command: 'cache' });
        file = d.file;
        hookFailures += d.failed;
      };
      const event = (type: HookEvent['type'], rec?: Pick<ImageRecord, 'uuid' | 'subscription' | 'listId' | 'image'>, salt = ''): HookEvent => ({
        id: cliEventId(type, rec?.uuid ?? '', rec?.image['sl:checksum:sha512'] ?? '', salt),
        type,
        at: now.iso,
        ...(rec ? { subscription: rec.subscription, listId: rec.listId, imageId: rec.uuid, image: rec.image } : {}),
      });
      const setRecords = (images: SubscriberFile['cache']['images'], failures: SubscriberFile['cache']['failures'] = file.cache.failures) => {
        file = { ...file, cache: { ...file.cache, images, failures } };
      };

      await emit([event('cache.process.start', undefined, sessionId)]);

      // file names are lower-case UUIDs; lists may spell them in upper case
      const known = new Map((file.state.images as readonly ImageRecord[]).map((r) => [r.uuid.toLowerCase(), r] as const));
      const want = new Map<string, ImageRecord>();
      for (const r of runnable(file.state) as ImageRecord[]) want.set(r.uuid.toLowerCase(), r);

      const expire = async (uuid: string, reason: string) => {
        const rec = known.get(uuid);
        await emit(rec ? [event('cache.expire.before', rec, now.iso)] : []);
        await cache.expire(uuid, { delete: values['delete-expired'] === true });
        const { [uuid]: _gone, ...rest } = file.cache.images;
        setRecords(rest);
        actions.push({ uuid, action: values['delete-expired'] ? 'deleted' : 'expired', reason });
        if (!values.json) ctx.stdout(`${values['delete-expired'] ? 'deleted' : 'expired'} ${uuid} (${reason})\n`);
        await emit(rec ? [event('cache.expired', rec, now.iso)] : []);
      };

      // what is on disk against what should be
      const missing: ImageRecord[] = [];
      for (const uuid of await cache.list()) {
        const rec = want.get(uuid);
        if (!rec) {
          await expire(uuid, describeGone(known.get(uuid)));
          continue;
        }
        const record = file.cache.images[uuid];
        const check = await cache.check(rec.image, { verify: values.verify === true, ...(record ? { known: record } : {}) });
        if (check.state === 'cached') {
          if (record?.sha512 !== rec.image['sl:checksum:sha512']) {
            // a verified file without a record: a run was cut short after moving it in
            setRecords({ ...file.cache.images, [uuid]: { sha512: rec.image['sl:checksum:sha512'], size: rec.image['hv:size'], cachedAt: now.iso } });
            actions.push({ uuid, action: 'adopted' });
            await emit([event('cache.available', rec)]);
          }
          continue;
        }
        await expire(uuid, 'replaced by a new version');
      }
      const onDisk = new Set(await cache.list());
      const stale = Object.keys(file.cache.images).filter((u) => !onDisk.has(u));
      if (stale.length > 0) {
        const images = { ...file.cache.images };
        for (const u of stale) delete images[u];
        setRecords(images);
        // a run killed between moving a file out and saying so: say it now (no event lost)
        const gone = stale.map((u) => known.get(u)).filter((r): r is ImageRecord => r !== undefined && !want.has(r.uuid.toLowerCase()));
        await emit(gone.map((r) => event('cache.expired', r, now.iso)));
      }
      for (const [uuid, rec] of [...want].sort(([a], [b]) => a.localeCompare(b))) if (!onDisk.has(uuid)) missing.push(rec);

      for (const rec of missing) {
        const uuid = rec.uuid.toLowerCase();
        const img = rec.image;
        const url = img['hv:uri'];
        const failure = file.cache.failures[uuid];
        const sameVersion = failure?.sha512 === img['sl:checksum:sha512'];
        if (sameVersion && failure.attempts >= maxAttempts && !values['retry-failed']) {
          actions.push({ uuid, action: 'skipped', reason: `failed ${failure.attempts} times (last: ${failure.lastError})` });
          ctx.stderr(`vmilist cache: skipping image ${uuid} of subscription ${rec.subscription} (${url}): failed ${failure.attempts} times, last ${failure.lastAt}: ${failure.lastError}; use --retry-failed\n`);
          continue;
        }
        const bar = progressReporter(ctx, `${uuid.slice(0, 8)} ${String(img['dc:title'] ?? '').slice(0, 30)}`);
        try {
          await cache.download(url, img, {
            allowHttp: values['allow-http'] === true,
            ...deadlines,
            ...(trust ? { ca: trust.trustAnchors } : {}),
            onProgress: bar.update,
            beforePromote: () => emit([event('cache.available.before', rec)]),
          });
          bar.done();
          const { [uuid]: _ok, ...failures } = file.cache.failures;
          setRecords({ ...file.cache.images, [uuid]: { sha512: img['sl:checksum:sha512'], size: img['hv:size'], cachedAt: now.iso } }, failures);
          actions.push({ uuid, action: 'downloaded' });
          if (!values.json) ctx.stdout(`cached ${uuid} ${img['dc:title'] ?? ''} (${img['hv:size']} bytes, SHA-512 verified)\n`);
          await emit([event('cache.available', rec)]);
        } catch (e) {
          bar.done();
          const err = e instanceof VmiListError ? e : new VmiListError('ERR_IO', String(e));
          const named = new VmiListError(err.code, `image ${uuid} of subscription ${rec.subscription} (${url}): ${err.message}`, { cause: err });
          errors.push(named);
          actions.push({ uuid, action: 'failed', error: named.toJSON() });
          const attempts = (sameVersion ? failure.attempts : 0) + 1;
          setRecords(file.cache.images, { ...file.cache.failures, [uuid]: { sha512: img['sl:checksum:sha512'], attempts, lastError: `${err.code}: ${err.message}`, lastAt: now.iso } });
          if (!values.json) ctx.stderr(`vmilist cache: ${named.code}: ${named.message} (attempt ${attempts} of ${maxAttempts})\n`);
        }
      }

      await emit([event('cache.process.end', undefined, sessionId)]);
      file = { ...file, cache: { ...file.cache, dir: cache.root, lastRunAt: now.iso } };
      await store.write(file);

      if (values.json) printJson(ctx, { ok: errors.length === 0 && hookFailures === 0, dir: cache.root, actions, pendingHookEvents: file.outbox.length });
      else if (actions.length === 0) ctx.stdout(`cache ${cache.root} is up to date (${want.size} image(s))\n`);
      if (errors.length > 0) return Math.max(...errors.map((e) => (e.code === 'ERR_IO' || e.code === 'ERR_INPUT' ? 2 : 1)));
      return hookFailures > 0 ? 1 : 0;
    });
  },
};

function describeGone(rec: ImageRecord | undefined): string {
  if (!rec) return 'not in any subscription';
  if (rec.status === 'expired') return `expired: ${rec.expiryReason ?? 'unknown reason'}`;
  if (rec.status === 'denied') return `denied: ${rec.deniedReason ?? 'site policy'}`;
  if (rec.status === 'pending') return 'no longer approved';
  return 'not runnable';
}

/** CAs for TLS: the CA directory when given or present; system roots alone otherwise. */
async function tlsTrust(ctx: CliContext, values: TrustValues): Promise<TrustStore | undefined> {
  const explicit = values['ca-dir'] !== undefined || ctx.env['X509_CERT_DIR'] !== undefined;
  try {
    return await loadTrust(ctx, values, 'cache');
  } catch (e) {
    if (explicit) throw e;
    return undefined;
  }
}
