/**
 * The image cache on disk: `cache/` holds verified images, `partial/`
 * downloads in progress (each in a file private to its run,
 * `.<uuid>.<host>-<pid>.<random>.partial`, and the verified file as
 * `partial/<uuid>` for hooks before it is promoted), `expired/` images that
 * left the list. What is renamed into `cache/` is always the very file this
 * run wrote and hashed, so two runs sharing a directory (or a killed one)
 * cannot put a wrong file there. Every file name is derived from the image
 * UUID alone, validated as a UUID, never from a URL or a title, so list
 * data cannot steer a path.
 * The same layout as the Python subscriber's cache directories, so existing
 * handlers that concatenate dir + UUID keep working.
 */
import { link, mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VmiListError } from '../errors.js';
import { hashFile } from './hash-file.js';
import { fetchImage, type FetchedImage, type FetchImageOptions, type ImageTarget } from './fetch.js';
import { describeFsError } from './fs-errors.js';
import { removeDeadTemps, tempNameFor } from './temp-files.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Throws `ERR_INPUT` unless `uuid` is a UUID (the only thing a cache file
 * name is made of). Returned as the list writes it, so handlers find
 * `$CACHE_DIR$DC_IDENTIFIER`; callers compare identities case-insensitively.
 */
export function assertCacheUuid(uuid: string): string {
  if (!UUID.test(uuid)) throw new VmiListError('ERR_INPUT', `'${uuid}' is not a UUID; cache file names are image UUIDs only`);
  return uuid;
}

/** Options for {@link ImageCache}. */
export interface ImageCacheOptions {
  /** Directory of verified images. Default `<root>/cache`. */
  readonly cacheDir?: string;
  /** Directory of downloads in progress. Default `<root>/partial`. */
  readonly partialDir?: string;
  /** Directory expired images are moved to. Default `<root>/expired`. */
  readonly expiredDir?: string;
}

/** What {@link ImageCache.check} found for one image. */
export type CacheCheck =
  | { readonly state: 'cached'; readonly path: string }
  | { readonly state: 'missing' }
  | { readonly state: 'different'; readonly path: string; readonly size: number; readonly sha512?: string };

/** The image cache directories. */
export class ImageCache {
  readonly root: string;
  readonly cacheDir: string;
  readonly partialDir: string;
  readonly expiredDir: string;

  constructor(root: string, options: ImageCacheOptions = {}) {
    this.root = resolve(root);
    this.cacheDir = resolve(this.root, options.cacheDir ?? 'cache');
    this.partialDir = resolve(this.root, options.partialDir ?? 'partial');
    this.expiredDir = resolve(this.root, options.expiredDir ?? 'expired');
  }

  /** Creates the three directories. */
  async init(): Promise<void> {
    for (const d of [this.cacheDir, this.partialDir, this.expiredDir]) {
      try {
        await mkdir(d, { recursive: true });
      } catch (cause) {
        throw new VmiListError('ERR_IO', `cannot create cache directory ${d}: ${(cause as Error).message}`, { cause });
      }
    }
  }

  /** Path of the cached image `uuid`. */
  pathOf(uuid: string): string {
    return join(this.cacheDir, assertCacheUuid(uuid));
  }

  /** A fresh path for a partial download of `uuid`, private to this run (removed by {@link cleanPartials} once the run is gone). */
  partialPathOf(uuid: string): string {
    return tempNameFor(join(this.partialDir, assertCacheUuid(uuid)), 'partial');
  }

  /** Where a verified download of `uuid` waits for its hooks before promotion (`partial/<uuid>`, the vmcatcher download dir). */
  downloadPathOf(uuid: string): string {
    return join(this.partialDir, assertCacheUuid(uuid));
  }

  /** Path of the expired copy of `uuid`. */
  expiredPathOf(uuid: string): string {
    return join(this.expiredDir, assertCacheUuid(uuid));
  }

  /** UUIDs of the files in the cache directory (other names are ignored). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.cacheDir);
    } catch (cause) {
      if ((cause as { code?: string }).code === 'ENOENT') return [];
      throw new VmiListError('ERR_IO', `cannot read ${this.cacheDir}: ${(cause as Error).message}`, { cause });
    }
    return names.filter((n) => UUID.test(n)).sort();
  }

  /**
   * Whether the cache holds exactly `image` (size, and the checksum when
   * `verify` is set or `known` does not vouch for the file).
   */
  async check(image: ImageTarget, options: { verify?: boolean; known?: { size: number; sha512: string } } = {}): Promise<CacheCheck> {
    const path = this.pathOf(image['dc:identifier']);
    let size: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) return { state: 'different', path, size: -1 };
      size = st.size;
    } catch {
      return { state: 'missing' };
    }
    const want = image['sl:checksum:sha512'].toLowerCase();
    if (size !== image['hv:size']) return { state: 'different', path, size };
    const vouched = !options.verify && options.known?.size === size && options.known.sha512 === want;
    if (vouched) return { state: 'cached', path };
    const { sha512 } = await hashFile(path);
    return sha512 === want ? { state: 'cached', path } : { state: 'different', path, size, sha512 };
  }

  /**
   * Downloads `image` from `url` into the cache: written to a partial file
   * private to this run while hashed, synced, verified; shown to hooks as
   * `partial/<uuid>` (a hard link to the same file), `beforePromote` is
   * awaited, then this run's own verified file is renamed to
   * `cache/<uuid>`. Nothing unverified, and nothing another run wrote,
   * ever reaches the cache directory through this run.
   */
  async download(url: string, image: ImageTarget, options: FetchImageOptions & { beforePromote?: (downloaded: string) => Promise<void> } = {}): Promise<FetchedImage> {
    await this.init();
    const uuid = assertCacheUuid(image['dc:identifier']);
    const { beforePromote, ...fetchOptions } = options;
    const mine = tempNameFor(join(this.partialDir, uuid), 'tmp'); // verified, still private
    const got = await fetchImage(url, image, mine, { ...fetchOptions, partialPath: this.partialPathOf(uuid) });
    const shown = this.downloadPathOf(uuid);
    let linked = false;
    try {
      linked = await this.showForHooks(mine, shown);
      await beforePromote?.(shown);
      await rename(linked ? mine : shown, this.pathOf(uuid));
      if (linked) await this.unlinkIfSame(shown, this.pathOf(uuid));
    } catch (cause) {
      if (linked) await this.unlinkIfSame(shown, mine); // ours only: another run may have put its own there
      await unlink(mine).catch(() => undefined);
      if (cause instanceof VmiListError) throw cause;
      throw new VmiListError('ERR_IO', `cannot move image ${uuid} into ${this.cacheDir}: ${describeFsError(cause)}`, { cause });
    }
    return { ...got, path: this.pathOf(uuid) };
  }

  /**
   * Puts the verified file at `partial/<uuid>` for hooks: a hard link to
   * this run's private file (true), or, where links are not supported, the
   * file itself moved there (false).
   */
  private async showForHooks(mine: string, shown: string): Promise<boolean> {
    const staging = tempNameFor(shown, 'tmp');
    try {
      await link(mine, staging);
    } catch {
      await rename(mine, shown);
      return false;
    }
    await rename(staging, shown); // replaces what another run may have left there
    return true;
  }

  /** Removes `path` when it is the same file as `other` (a link this run made). */
  private async unlinkIfSame(path: string, other: string): Promise<void> {
    const [a, b] = await Promise.all([stat(path).catch(() => undefined), stat(other).catch(() => undefined)]);
    if (a && b && a.ino === b.ino && a.dev === b.dev) await unlink(path).catch(() => undefined);
  }

  /**
   * Takes `uuid` out of the cache: moved to the expired directory
   * (default), or deleted. Returns where it went, or undefined when it was not cached.
   */
  async expire(uuid: string, options: { delete?: boolean } = {}): Promise<string | undefined> {
    const from = this.pathOf(uuid);
    try {
      if (options.delete) {
        await unlink(from);
        return from;
      }
      await mkdir(this.expiredDir, { recursive: true });
      const to = this.expiredPathOf(uuid);
      await rename(from, to);
      return to;
    } catch (cause) {
      if ((cause as { code?: string }).code === 'ENOENT') return undefined;
      throw new VmiListError('ERR_IO', `cannot expire ${from}: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Removes what interrupted runs left in the partial directory: private
   * partial files of processes of this host that no longer run, old-style
   * `<uuid>.partial` files, and `<uuid>` files no live run still links (or
   * that are already the cached file). Downloads of live runs are left
   * alone. Returns the removed paths.
   */
  async cleanPartials(): Promise<string[]> {
    const removed = await removeDeadTemps(this.partialDir);
    let names: string[];
    try {
      names = await readdir(this.partialDir);
    } catch {
      return removed;
    }
    for (const n of names) {
      const p = join(this.partialDir, n);
      if (n.endsWith('.partial') && UUID.test(n.slice(0, -'.partial'.length))) {
        await unlink(p).then(() => removed.push(p), () => undefined);
        continue;
      }
      if (!UUID.test(n)) continue;
      const [st, cached] = await Promise.all([stat(p).catch(() => undefined), stat(join(this.cacheDir, n.toLowerCase())).catch(() => undefined)]);
      if (!st) continue;
      const orphan = st.nlink <= 1 || (cached !== undefined && cached.ino === st.ino && cached.dev === st.dev);
      if (orphan) await unlink(p).then(() => removed.push(p), () => undefined);
    }
    return removed;
  }

  /** Deletes expired copies (all, or those given). */
  async purgeExpired(uuids?: readonly string[]): Promise<string[]> {
    let names: string[];
    try {
      names = uuids ? uuids.map(assertCacheUuid) : (await readdir(this.expiredDir)).filter((n) => UUID.test(n));
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const n of names) {
      const p = join(this.expiredDir, n);
      await unlink(p).then(
        () => removed.push(p),
        () => undefined,
      );
    }
    return removed;
  }
}
