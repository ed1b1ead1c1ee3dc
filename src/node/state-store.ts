/**
 * One JSON state file, written atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory) and guarded by a lock
 * file so two cron runs cannot interleave. A state file that cannot be
 * parsed is refused and left in place for inspection: it is never
 * overwritten silently.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { VmiListError } from '../errors.js';
import { describeFsError, fsCode } from './fs-errors.js';

/** Options for {@link FileStateStore}. */
export interface FileStateStoreOptions<T> {
  /**
   * Turns the parsed JSON into a state (e.g. a migration); may throw a
   * `VmiListError` to refuse it. Default: the parsed JSON as is.
   */
  readonly parse?: (json: unknown) => T;
  /** How long {@link FileStateStore.lock} waits for another holder, ms. Default 0: fail at once. */
  readonly lockWaitMs?: number;
  /** A lock older than this is taken as stale even when its process looks alive, ms. Default 6 h. */
  readonly staleLockMs?: number;
}

/** What a lock file records about its holder. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken, ISO form. */
  readonly since: string;
  /** A random token, so a holder only ever removes its own lock. */
  readonly token: string;
}

/** A held lock; release it in a `finally`. */
export interface StateLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (only when it is still this holder's). */
  release(): Promise<void>;
}

const DEFAULT_STALE_MS = 6 * 3600 * 1000;
const POLL_MS = 100;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return fsCode(e) === 'EPERM'; // exists, owned by someone else
  }
}

/**
 * Writes `data` to `path` atomically: temp file beside it, fsync, rename, fsync of the directory.
 * `mode` is the creation mode, reduced by the umask as usual (default 0o600: private state).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    throw new VmiListError('ERR_IO', `cannot write ${path}: ${describeFsError(cause)}`, { cause });
  }
  await syncDir(dir);
}

async function syncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; some file systems refuse fsync on a directory, which is harmless.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported here */
  }
}

/**
 * A JSON state file with atomic writes and an exclusive lock.
 *
 * @example
 * ```ts
 * const store = new FileStateStore('/var/lib/vmilist/state.json', { parse: migrateState });
 * await store.update(async (state) => reduce(state ?? emptyState(), verified, { now }).state);
 * ```
 */
export class FileStateStore<T = unknown> {
  /** The state file. */
  readonly path: string;
  /** The lock file beside it (`<path>.lock`). */
  readonly lockPath: string;
  private readonly options: FileStateStoreOptions<T>;

  constructor(path: string, options: FileStateStoreOptions<T> = {}) {
    this.path = resolve(path);
    this.lockPath = `${this.path}.lock`;
    this.options = options;
  }

  /** The file's exact bytes, or undefined when there is no state file yet. */
  async readBytes(): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.path));
    } catch (cause) {
      if (fsCode(cause) === 'ENOENT') return undefined;
      throw new VmiListError('ERR_IO', `cannot read state file ${this.path}: ${describeFsError(cause)}`, { cause });
    }
  }

  /**
   * Reads the state; undefined when there is no state file yet.
   *
   * @throws VmiListError `ERR_IO` when the file cannot be read or parsed (it is left untouched).
   */
  async read(): Promise<T | undefined> {
    const bytes = await this.readBytes();
    if (bytes === undefined) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch (cause) {
      throw new VmiListError(
        'ERR_IO',
        `state file ${this.path} is not valid JSON (${(cause as Error).message}); it was left as it is for inspection: move it away or restore a backup, vmilist will not overwrite it`,
        { cause },
      );
    }
    if (!this.options.parse) return json as T;
    try {
      return this.options.parse(json);
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause);
      throw new VmiListError('ERR_IO', `state file ${this.path} cannot be used: ${why}; it was left as it is for inspection`, { cause });
    }
  }

  /**
   * Writes the state atomically. Refuses to replace an existing file that
   * does not parse (so a damaged file is never overwritten silently).
   */
  async write(state: T): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true }).catch((cause: unknown) => {
      throw new VmiListError('ERR_IO', `cannot create the directory of ${this.path}: ${describeFsError(cause)}`, { cause });
    });
    await this.read(); // throws when the current file is damaged
    await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Who holds the lock now, if anyone. */
  async lockHolder(): Promise<LockInfo | undefined> {
    try {
      return JSON.parse(await readFile(this.lockPath, 'utf8')) as LockInfo;
    } catch {
      return undefined;
    }
  }

  /**
   * Takes the lock (`<path>.lock`, created exclusively). A lock left by a
   * process that no longer runs on this host, or older than `staleLockMs`,
   * is taken over.
   *
   * @throws VmiListError `ERR_IO` when another run holds the lock beyond `lockWaitMs`.
   */
  async lock(): Promise<StateLock> {
    await mkdir(dirname(this.path), { recursive: true }).catch((cause: unknown) => {
      throw new VmiListError('ERR_IO', `cannot create the directory of ${this.path}: ${describeFsError(cause)}`, { cause });
    });
    const deadline = Date.now() + (this.options.lockWaitMs ?? 0);
    const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
    for (;;) {
      try {
        const fh = await open(this.lockPath, 'wx', 0o600);
        try {
          await fh.writeFile(JSON.stringify(info));
          await fh.sync();
        } finally {
          await fh.close();
        }
        return { path: this.lockPath, release: () => this.releaseLock(info.token) };
      } catch (cause) {
        if (fsCode(cause) !== 'EEXIST') {
          throw new VmiListError('ERR_IO', `cannot create lock file ${this.lockPath}: ${describeFsError(cause)}`, { cause });
        }
      }
      if (await this.breakStaleLock()) continue;
      if (Date.now() >= deadline) {
        const holder = await this.lockHolder();
        const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
        throw new VmiListError(
          'ERR_IO',
          `state file ${this.path} is locked by ${who} (another vmilist run); try again later${this.options.lockWaitMs ? '' : ' or wait for it with --lock-wait SECONDS'}`,
        );
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Runs `fn` holding the lock. */
  async withLock<R>(fn: () => Promise<R>): Promise<R> {
    const held = await this.lock();
    try {
      return await fn();
    } finally {
      await held.release();
    }
  }

  /** Locks, reads, lets `fn` compute the next state, writes it, unlocks. */
  async update(fn: (current: T | undefined) => T | Promise<T>): Promise<T> {
    return this.withLock(async () => {
      const next = await fn(await this.read());
      await this.write(next);
      return next;
    });
  }

  private async releaseLock(token: string): Promise<void> {
    const holder = await this.lockHolder();
    if (holder?.token !== token) return; // taken over as stale meanwhile: not ours to remove
    await unlink(this.lockPath).catch(() => undefined);
  }

  /** Removes the lock file when its holder is gone; true when it did. */
  private async breakStaleLock(): Promise<boolean> {
    let holder: LockInfo | undefined;
    let age: number;
    try {
      const st = await stat(this.lockPath);
      age = Date.now() - st.mtimeMs;
      holder = await this.lockHolder();
    } catch {
      return true; // vanished meanwhile: try again
    }
    const staleMs = this.options.staleLockMs ?? DEFAULT_STALE_MS;
    // A lock file being written is briefly empty: only an old unreadable one is stale.
    const stale =
      holder === undefined
        ? age > 5000
        : (holder.host === hostname() && !processAlive(holder.pid)) || age > staleMs;
    if (!stale) return false;
    // Move it aside first, then check it is still the one judged stale, so two
    // runs breaking the same lock cannot remove a fresh one.
    const aside = `${this.lockPath}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      await rename(this.lockPath, aside);
    } catch {
      return true;
    }
    let moved: LockInfo | undefined;
    try {
      moved = JSON.parse(await readFile(aside, 'utf8')) as LockInfo;
    } catch {
      moved = undefined;
    }
    if (holder !== undefined && moved?.token !== holder.token) {
      await link(aside, this.lockPath).catch(() => undefined); // someone's fresh lock: put it back
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }
}
