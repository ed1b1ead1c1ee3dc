/**
 * One JSON state file, written atomically (temporary file in the same
 * directory, fsync, rename, fsync of the directory) and guarded by a lock
 * file so two cron runs cannot interleave. A state file that cannot be
 * parsed is refused and left in place for inspection: it is never
 * overwritten silently.
 *
 * The lock is never taken from a live holder: a lock is stale only when its
 * process is gone from this host (pid, checked with its start token so a
 * reused pid does not count), never because of its age. A holder re-checks
 * its token right before each write and refuses to write once the lock is
 * no longer its own, so no interleaving can roll the state back.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { VmiListError } from '../errors.js';
import { describeFsError, fsCode } from './fs-errors.js';
import { processRuns, processStartToken, removeDeadTemps, tempNameFor } from './temp-files.js';

/** Options for {@link FileStateStore}. */
export interface FileStateStoreOptions<T> {
  /**
   * Turns the parsed JSON into a state (e.g. a migration); may throw a
   * `VmiListError` to refuse it. Default: the parsed JSON as is.
   */
  readonly parse?: (json: unknown) => T;
  /** How long {@link FileStateStore.lock} waits for another holder, ms. Default 0: fail at once. */
  readonly lockWaitMs?: number;
  /**
   * A lock of ANOTHER host (whose process cannot be checked from here) older
   * than this is taken as stale, ms. Default: never; remove such a lock by
   * hand once its run is known to be gone. Locks of this host are judged by
   * their process alone, never by age.
   */
  readonly staleLockMs?: number;
}

/** What a lock file records about its holder. */
export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  /** When the lock was taken, ISO form. */
  readonly since: string;
  /** A random token, so a holder only ever removes its own lock and writes only while it holds it. */
  readonly token: string;
  /** When the holder process started (Linux: /proc start time), so a reused pid is not taken for it. */
  readonly start?: string;
}

/** A held lock; release it in a `finally`. */
export interface StateLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (only when it is still this holder's). */
  release(): Promise<void>;
}

const POLL_MS = 100;

/** How {@link writeFileAtomic} creates and replaces the file. */
export interface AtomicWriteOptions {
  /** Creation mode, reduced by the umask as usual (default 0o600: private state). */
  readonly mode?: number;
  /** Runs after the temp file is written, right before the rename; may throw to leave the file as it was. */
  readonly beforeReplace?: () => Promise<void>;
}

/**
 * Writes `data` to `path` atomically: temp file beside it, fsync, rename,
 * fsync of the directory.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = tempNameFor(path);
  try {
    await writeNew(tmp, data, options.mode);
    await options.beforeReplace?.();
    await rename(tmp, path);
  } catch (cause) {
    await unlink(tmp).catch(() => undefined);
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_IO', `cannot write ${path}: ${describeFsError(cause)}`, { cause });
  }
  await syncDir(dir);
}

/** Creates `path` exclusively with `data`, synced to disk. */
async function writeNew(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const fh = await open(path, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** File systems without hard links answer link() with one of these. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

/**
 * Creates the lock file `lockPath` from the complete `draft` (a hard link,
 * so it never exists half-written). Without hard links it is created
 * exclusively and written in place, and removed again if that write fails
 * (a holder's token check before each write still catches a takeover in
 * the moment it is empty).
 */
async function placeLock(draft: string, lockPath: string, content: string): Promise<void> {
  try {
    await link(draft, lockPath);
    return;
  } catch (cause) {
    if (!NO_LINKS.has(fsCode(cause) ?? '')) throw cause;
  }
  try {
    await writeNew(lockPath, content);
  } catch (cause) {
    if (fsCode(cause) !== 'EEXIST') await unlink(lockPath).catch(() => undefined); // ours, half-written
    throw cause;
  }
}

/** A lock file's content, or undefined when it is missing or not a lock record. */
async function parseLock(path: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Partial<LockInfo> | null;
    if (typeof v?.pid !== 'number' || typeof v.host !== 'string' || typeof v.token !== 'string') return undefined;
    return v as LockInfo;
  } catch {
    return undefined;
  }
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
  /** The token of the lock this store holds, if any. */
  private heldToken: string | undefined;

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
    // the lock is checked last, after the new file is written, right before it replaces the old one
    await writeFileAtomic(this.path, `${JSON.stringify(state, null, 2)}\n`, { beforeReplace: () => this.assertStillHeld() });
  }

  /**
   * While this store holds the lock, checks (right before a write) that the
   * lock file still carries its token: a run that lost its lock must not
   * write its older copy over a newer state.
   */
  private async assertStillHeld(): Promise<void> {
    const token = this.heldToken;
    if (token === undefined) return;
    const holder = await this.lockHolder();
    if (holder?.token === token) return;
    const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'nobody (the lock file is gone)';
    throw new VmiListError(
      'ERR_IO',
      `this run no longer holds the lock ${this.lockPath} (now held by ${who}); the state ${this.path} was not written, so a newer state cannot be rolled back: run again`,
    );
  }

  /** Who holds the lock now, if anyone (undefined also for a lock file that cannot be parsed). */
  async lockHolder(): Promise<LockInfo | undefined> {
    return parseLock(this.lockPath);
  }

  /**
   * Takes the lock (`<path>.lock`): its content is written to a private
   * temporary file first and then hard-linked into place, so a lock file is
   * never empty or half-written (a full disk leaves no lock behind). A lock
   * left by a process that no longer runs on this host, or one that cannot
   * be parsed, is taken over; a live holder's lock never is.
   *
   * @throws VmiListError `ERR_IO` when another run holds the lock beyond `lockWaitMs`.
   */
  async lock(): Promise<StateLock> {
    await mkdir(dirname(this.path), { recursive: true }).catch((cause: unknown) => {
      throw new VmiListError('ERR_IO', `cannot create the directory of ${this.path}: ${describeFsError(cause)}`, { cause });
    });
    const deadline = Date.now() + (this.options.lockWaitMs ?? 0);
    const start = await processStartToken(process.pid);
    const info: LockInfo = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomBytes(8).toString('hex'), ...(start === undefined ? {} : { start }) };
    await removeDeadTemps(dirname(this.lockPath), basename(this.lockPath));
    const draft = tempNameFor(this.lockPath, 'lock');
    try {
      await writeNew(draft, JSON.stringify(info));
    } catch (cause) {
      await unlink(draft).catch(() => undefined);
      throw new VmiListError('ERR_IO', `cannot create lock file ${this.lockPath}: ${describeFsError(cause)}`, { cause });
    }
    try {
      for (;;) {
        try {
          await placeLock(draft, this.lockPath, JSON.stringify(info));
          this.heldToken = info.token;
          await removeDeadTemps(dirname(this.path), basename(this.path)); // state temp files of killed runs
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
    } finally {
      await unlink(draft).catch(() => undefined);
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
    if (this.heldToken === token) this.heldToken = undefined;
    const holder = await this.lockHolder();
    if (holder?.token !== token) return; // taken over as stale meanwhile: not ours to remove
    await unlink(this.lockPath).catch(() => undefined);
  }

  /** Removes the lock file when its holder is gone (or it cannot be parsed); true when it did. */
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
    // Locks are linked into place complete, so an unreadable one was never a live lock.
    let stale: boolean;
    if (holder === undefined) stale = true;
    else if (holder.host === hostname()) stale = !(await processRuns(holder.pid, holder.start));
    else stale = this.options.staleLockMs !== undefined && age > this.options.staleLockMs;
    if (!stale) return false;
    // Move it aside first, then check it is still the one judged stale, so two
    // runs breaking the same lock cannot remove a fresh one.
    const aside = tempNameFor(this.lockPath, 'lock'); // removed by a later run should this one die here
    try {
      await rename(this.lockPath, aside);
    } catch {
      return true;
    }
    const moved = await parseLock(aside);
    if (holder !== undefined && moved?.token !== holder.token) {
      await link(aside, this.lockPath).catch(() => undefined); // someone's fresh lock: put it back
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }
}
