/**
 * Cache sync: what is on disk against what the state says is runnable.
 * Events come in vmcatcher's order — ProcessPrefix, per expired image
 * ExpirePrefix/ExpirePostfix, per new image AvailablePrefix (verified file
 * in the download dir) / AvailablePostfix (in the cache dir), ProcessPostfix.
 * Files are named by the image identifier as the list writes it; identities
 * compare case-insensitively (records are keyed by the lower-case UUID).
 */
import { randomUUID } from 'node:crypto';
import { rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { VmiListError } from '../../errors.js';
import type { Image } from '../../model/types.js';
import { runnable } from '../../subscription/index.js';
import type { ImageRecord } from '../../subscription/types.js';
import { ImageCache } from '../cache.js';
import type { ImageDeadlines } from '../fetch.js';
import type { HookCacheDirs, HookEvent } from '../hooks.js';
import { siteEventId } from './events.js';
import type { SiteRun } from './site.js';
import type { CachedImageRecord } from './state-file.js';

/** Options for a cache sync. */
export interface CacheSyncOptions {
  /** Cache root. */
  readonly dir: string;
  /** Time of the run, `Z` form. */
  readonly now: string;
  /** Delete files of expired images instead of moving them to `expired/`. */
  readonly deleteExpired?: boolean;
  /** Re-hash every cached file (default: trust the recorded size and checksum). */
  readonly verify?: boolean;
  /** Failed downloads per image version before giving up. Default 3. */
  readonly maxAttempts?: number;
  /** Try images again that reached `maxAttempts`. */
  readonly retryFailed?: boolean;
  /** Download over plain http (the checksum still protects the image). */
  readonly allowHttp?: boolean;
  /** Extra CAs for TLS. */
  readonly ca?: readonly (string | Uint8Array)[];
  /** Per-image download deadlines (defaults: `DEFAULT_IMAGE_DEADLINES`: below 1 KiB/s over 120 s, or over 12 h). */
  readonly deadlines?: ImageDeadlines;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: typeof fetch;
  /** Download progress of one image. */
  readonly onProgress?: (image: Image, done: number, total?: number) => void;
  /** Told about each action as it happens. */
  readonly onAction?: (action: CacheAction) => void;
}

/** What the sync did to one image. */
export interface CacheAction {
  /** The image identifier as the list (or the file name) writes it. */
  readonly uuid: string;
  readonly action: 'downloaded' | 'adopted' | 'expired' | 'deleted' | 'failed' | 'skipped';
  readonly reason?: string;
  /** For `failed`: the error, naming image, subscription and URL. */
  readonly error?: VmiListError;
  /** For `failed`: attempts so far for this image version. */
  readonly attempts?: number;
  /** For `downloaded`: the image. */
  readonly image?: Image;
}

/** What a cache sync did. */
export interface CacheSyncResult {
  readonly dir: string;
  readonly actions: readonly CacheAction[];
  /** Downloads that failed (ERR_IO: could not download; others: failed their checks). */
  readonly errors: readonly VmiListError[];
  /** How many images are runnable (and so belong in the cache). */
  readonly runnable: number;
}

/** vmcatcher's expired-file stamp, `YYYY-MM-DD_HH-MM-SS` (UTC here). */
function stamp(iso: string): string {
  return iso.slice(0, 19).replace('T', '_').replace(/:/g, '-');
}

function describeGone(rec: ImageRecord | undefined): string {
  if (!rec) return 'not in any subscription';
  if (rec.status === 'expired') return `expired: ${rec.expiryReason ?? 'unknown reason'}`;
  if (rec.status === 'denied') return `denied: ${rec.deniedReason ?? 'site policy'}`;
  if (rec.status === 'pending') return 'no longer approved';
  return 'not runnable';
}

type Described = Pick<HookEvent, 'subscription' | 'listId' | 'image' | 'listVo'>;

/** Runs one cache sync inside a locked site run. */
export async function syncCache(run: SiteRun, options: CacheSyncOptions): Promise<CacheSyncResult> {
  const now = options.now;
  const maxAttempts = options.maxAttempts ?? 3;
  const cache = new ImageCache(options.dir);
  await cache.init();
  await cache.cleanPartials();
  const dirs: HookCacheDirs = { cache: cache.cacheDir, download: cache.partialDir, expire: cache.expiredDir };
  const actions: CacheAction[] = [];
  const errors: VmiListError[] = [];
  const act = (a: CacheAction) => {
    actions.push(a);
    options.onAction?.(a);
  };
  const emit = (e: HookEvent) => run.emit([e], dirs);
  const event = (type: string, imageId: string | undefined, about: Described = {}, salt = '', fileName?: string): HookEvent => ({
    id: siteEventId(type, imageId?.toLowerCase() ?? '', String(about.image?.['sl:checksum:sha512'] ?? ''), salt),
    type,
    at: now,
    ...(imageId !== undefined ? { imageId } : {}),
    ...about,
    ...(fileName !== undefined ? { fileName } : {}),
  });
  const ofRecord = (r: ImageRecord): Described => {
    const vo = run.file.lists[r.subscription]?.vo;
    return { subscription: r.subscription, listId: r.listId, image: r.image, ...(vo !== undefined ? { listVo: vo } : {}) };
  };
  const setRecords = (images: Record<string, CachedImageRecord>, failures = run.file.cache.failures) => {
    run.file = { ...run.file, cache: { ...run.file.cache, images, failures } };
  };
  const remember = (r: ImageRecord): CachedImageRecord => {
    const vo = run.file.lists[r.subscription]?.vo;
    return { sha512: r.image['sl:checksum:sha512'], size: r.image['hv:size'], cachedAt: now, image: r.image, subscription: r.subscription, listId: r.listId, ...(vo !== undefined ? { listVo: vo } : {}) };
  };

  const session = randomUUID();
  await emit(event('cache.process.start', undefined, {}, session));

  const known = new Map((run.file.state.images as readonly ImageRecord[]).map((r) => [r.uuid.toLowerCase(), r] as const));
  const want = new Map((runnable(run.file.state) as ImageRecord[]).map((r) => [r.uuid.toLowerCase(), r] as const));

  // Expire events describe the cached version (its own record), not what replaces it
  const aboutCached = (key: string): Described => {
    const cached = run.file.cache.images[key];
    const rec = known.get(key);
    return cached?.image
      ? { image: cached.image, ...(cached.subscription ? { subscription: cached.subscription } : {}), ...(cached.listId ? { listId: cached.listId } : {}), ...(cached.listVo ? { listVo: cached.listVo } : {}) }
      : rec
        ? ofRecord(rec)
        : {};
  };
  // The id of an expiry is tied to the cached copy (when it was cached), not to
  // the run's clock, so a run repeated after a crash repeats the same id.
  const expirySalt = (key: string): string => run.file.cache.images[key]?.cachedAt ?? '';
  const expire = async (name: string, reason: string) => {
    const key = name.toLowerCase();
    const about = aboutCached(key);
    const salt = expirySalt(key);
    await emit(event('cache.expire.before', name, about, salt));
    let fileName: string | undefined;
    if (options.deleteExpired) await cache.expire(name, { delete: true });
    else {
      const moved = await cache.expire(name);
      if (moved !== undefined) {
        const dated = `${moved}.${stamp(now)}`; // vmcatcher names the expired copy <id>.<timestamp>
        await rename(moved, dated).catch((cause: unknown) => {
          throw new VmiListError('ERR_IO', `cannot rename ${moved} to ${dated}: ${(cause as Error).message}`, { cause });
        });
        fileName = basename(dated);
      }
    }
    const { [key]: _gone, ...rest } = run.file.cache.images;
    setRecords(rest);
    act({ uuid: name, action: options.deleteExpired ? 'deleted' : 'expired', reason });
    await emit(event('cache.expired', name, about, salt, fileName));
  };

  for (const name of await cache.list()) {
    const key = name.toLowerCase();
    const rec = want.get(key);
    if (!rec) {
      await expire(name, describeGone(known.get(key)));
      continue;
    }
    if (name !== rec.uuid) await renameTo(cache, name, rec.uuid); // the list's spelling, so handlers find it
    const record = run.file.cache.images[key];
    const check = await cache.check(rec.image, { verify: options.verify === true, ...(record ? { known: record } : {}) });
    if (check.state === 'cached') {
      if (record?.sha512 !== rec.image['sl:checksum:sha512']) {
        // a verified file without a record: a run was cut short after moving it in
        setRecords({ ...run.file.cache.images, [key]: remember(rec) });
        act({ uuid: rec.uuid, action: 'adopted' });
        await emit(event('cache.available', rec.uuid, ofRecord(rec)));
      }
      continue;
    }
    await expire(rec.uuid, 'replaced by a new version');
  }
  const onDisk = new Set((await cache.list()).map((n) => n.toLowerCase()));
  const stale = Object.keys(run.file.cache.images).filter((u) => !onDisk.has(u));
  if (stale.length > 0) {
    // a run killed between moving a file out and saying so: say it now (no event lost),
    // also when a newer version of the image is wanted (the old one was replaced)
    for (const key of stale) {
      if (want.get(key)?.image['sl:checksum:sha512'] === run.file.cache.images[key]?.sha512) continue; // the same version, only gone: downloaded again below
      await emit(event('cache.expired', key, aboutCached(key), expirySalt(key)));
    }
    const images = { ...run.file.cache.images };
    for (const u of stale) delete images[u];
    setRecords(images);
  }
  const missing = [...want].filter(([key]) => !onDisk.has(key)).sort(([a], [b]) => a.localeCompare(b));

  for (const [key, rec] of missing) {
    const img = rec.image;
    const url = img['hv:uri'];
    const failure = run.file.cache.failures[key];
    const sameVersion = failure?.sha512 === img['sl:checksum:sha512'];
    if (sameVersion && failure.attempts >= maxAttempts && !options.retryFailed) {
      act({ uuid: rec.uuid, action: 'skipped', reason: `failed ${failure.attempts} times, last ${failure.lastAt}: ${failure.lastError}` });
      continue;
    }
    try {
      await cache.download(url, img, {
        allowHttp: options.allowHttp === true,
        ...options.deadlines,
        ...(options.ca ? { ca: options.ca } : {}),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.onProgress ? { onProgress: (done: number, total?: number) => options.onProgress?.(img, done, total) } : {}),
        beforePromote: () => emit(event('cache.available.before', rec.uuid, ofRecord(rec))),
      });
      const { [key]: _ok, ...failures } = run.file.cache.failures;
      setRecords({ ...run.file.cache.images, [key]: remember(rec) }, failures);
      act({ uuid: rec.uuid, action: 'downloaded', image: img });
      await emit(event('cache.available', rec.uuid, ofRecord(rec)));
    } catch (e) {
      const err = e instanceof VmiListError ? e : new VmiListError('ERR_IO', String(e));
      const named = new VmiListError(err.code, `image ${rec.uuid} of subscription ${rec.subscription} (${url}): ${err.message}`, { cause: err });
      errors.push(named);
      const attempts = (sameVersion ? failure.attempts : 0) + 1;
      setRecords(run.file.cache.images, { ...run.file.cache.failures, [key]: { sha512: img['sl:checksum:sha512'], attempts, lastError: `${err.code}: ${err.message}`, lastAt: now } });
      act({ uuid: rec.uuid, action: 'failed', error: named, attempts });
    }
  }

  await emit(event('cache.process.end', undefined, {}, session));
  run.file = { ...run.file, cache: { ...run.file.cache, dir: cache.root, lastRunAt: now } };
  return { dir: cache.root, actions, errors, runnable: want.size };
}

async function renameTo(cache: ImageCache, from: string, to: string): Promise<void> {
  const src = join(cache.cacheDir, from);
  try {
    await rename(src, cache.pathOf(to));
  } catch (cause) {
    throw new VmiListError('ERR_IO', `cannot rename ${src} to ${cache.pathOf(to)}: ${(cause as Error).message}`, { cause });
  }
}
