/**
 * V8's code cache for the bundled CLI, so a `vmilist` run does not compile
 * its 600 KB bundle (and the functions it calls) from source every time.
 *
 * Node ≥ 22.1: `module.enableCompileCache(dir)`. Node 20 has no such call:
 * the bundle (CommonJS) is compiled with `vm.Script` and `cachedData`, and
 * after a run without a usable cache `script.createCachedData()` writes one
 * that also holds the functions the run compiled lazily. One cache per
 * command (a `verify` run's cache holds verify's functions), keyed by the
 * Node and V8 versions and a hash of the bundle.
 *
 * A code cache is code: one read from a directory another user can write
 * would let that user run code as whoever runs vmilist (root, from cron). So
 * the cache is used only in a directory owned by the current user and not
 * writable by group or others (lstat: no symlink), made 0700, and only from
 * files owned by the current user and writable by nobody else. Anything
 * else, and any error, means no cache: the command runs as without one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/**
 * V8 flags the CLI runs with, set before the bundle is compiled (V8 refuses
 * a code cache made under other flags).
 * - Keep the young generation at its starting size instead of letting it
 *   grow to 3 × 16 MiB while a large list is parsed: a short-lived CLI pays
 *   for every page it touches (peak RSS of `verify` on a 10k-image list
 *   116 → 86 MiB, same CPU).
 * - Checksum code caches: a release V8 does not, and deserialising a
 *   damaged cache aborts the process ("Fatal error … unreachable code").
 */
export const V8_FLAGS = '--semi-space-growth-factor=1 --verify-snapshot-checksum';

/** Largest cache file read (the 10k verify cache is ~1.5 MB). */
const MAX_CACHE_BYTES = 32 << 20;

/**
 * The cache directory: `$VMILIST_COMPILE_CACHE` if set ("0", "off" or
 * "false": no cache), else `$XDG_CACHE_HOME/vmilist`, else
 * `~/.cache/vmilist`; undefined when there is none.
 */
export function compileCacheDir(env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): string | undefined {
  const set = env['VMILIST_COMPILE_CACHE'];
  if (set !== undefined && set !== '') {
    return ['0', 'off', 'false', 'no'].includes(set.toLowerCase()) ? undefined : resolve(cwd, set);
  }
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && isAbsolute(xdg)) return join(xdg, 'vmilist');
  let home = env['HOME'];
  if (!home) {
    try {
      home = homedir();
    } catch {
      return undefined;
    }
  }
  return home && isAbsolute(home) ? join(home, '.cache', 'vmilist') : undefined;
}

function ownedAndPrivate(st: { uid: number; mode: number }, uid: number): boolean {
  return st.uid === uid && (st.mode & 0o022) === 0;
}

/**
 * Makes `dir` (0700) if missing and tells whether it is safe for a code
 * cache: a real directory (not a symlink), owned by this process's user,
 * not group- or world-writable. False on any error or without POSIX uids.
 */
export function safeCacheDir(dir: string): boolean {
  const uid = process.getuid?.();
  if (uid === undefined) return false;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // it may exist; lstat decides
  }
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && ownedAndPrivate(st, uid);
  } catch {
    return false;
  }
}

/**
 * Reads a cache file, or undefined: missing, a symlink (O_NOFOLLOW), not a
 * regular file, not owned by this user, writable by group or others, or too
 * large. Checked on the open descriptor, so a file swapped in between cannot pass.
 */
export function readCacheFile(path: string): Buffer | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !ownedAndPrivate(st, uid) || st.size === 0 || st.size > MAX_CACHE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) return undefined;
      at += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes a cache file atomically (a new 0600 temp file in the same directory, renamed over); false on any error. */
export function writeCacheFile(path: string, data: Uint8Array): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    let at = 0;
    while (at < data.length) at += writeSync(fd, data, at, data.length - at);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
    return true;
  } catch {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // nothing to do
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    return false;
  }
}

/** What happened to the code cache in one run (for VMILIST_DEBUG_COMPILE_CACHE and tests). */
export type CacheOutcome = 'off' | 'unsafe' | 'hit' | 'miss' | 'rejected' | 'written' | 'node-cache' | 'error';

/** The cache file's name: runtime, bundle and command. */
export function cacheFileName(bundle: Uint8Array, command: string): string {
  const key = createHash('sha256').update(bundle).digest('hex').slice(0, 24);
  return `${runtimePrefix()}${key}-${command}.v8cache`;
}

function runtimePrefix(): string {
  return `cli-node${process.versions.node}-v8${process.versions.v8}-${process.arch}-`;
}

/** The command part of the cache name: a known-looking command word, else `_`. */
export function commandKey(argv: readonly string[]): string {
  const first = argv[0];
  return first !== undefined && /^[a-z]{1,24}$/.test(first) ? first : '_';
}

/**
 * Removes caches of other builds of the bundle for this runtime (older
 * vmilist versions) and temp files of runs killed while writing (an hour old).
 */
export function removeStaleCaches(dir: string, keep: string): void {
  const prefix = runtimePrefix();
  const bundleKey = keep.slice(prefix.length, prefix.length + 24);
  const hourAgo = Date.now() - 3600_000;
  try {
    for (const name of readdirSync(dir)) {
      const stale =
        name.startsWith(prefix) &&
        ((name.endsWith('.v8cache') && name.slice(prefix.length, prefix.length + 24) !== bundleKey) || (name.endsWith('.tmp') && lstatSync(join(dir, name)).mtimeMs < hourAgo));
      if (stale) {
        try {
          unlinkSync(join(dir, name));
        } catch {
          // another run removed it
        }
      }
    }
  } catch {
    // not listable: leave it
  }
}
