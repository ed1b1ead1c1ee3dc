// The CLI's V8 code cache (src/cli/compile-cache.ts, src/cli/launch.ts), on
// the built executable (dist/cli.cjs, `npm run build`): made 0700 and used on
// the next run with the same output; never used from a directory another
// user could write (world-writable, foreign-owned, a symlink) nor from a
// file anyone else could have written; a damaged cache is refused and
// replaced; VMILIST_COMPILE_CACHE=0 turns it off. VMILIST_DEBUG_COMPILE_CACHE=1
// makes the launcher say on stderr what it did.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandKey, compileCacheDir } from '../../src/cli/compile-cache.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'dist/cli.cjs');
const ARGS = ['verify', join(ROOT, 'vectors/signed/alice-sha256.smime'), '--ca-dir', join(ROOT, 'vectors/trust'), '--at', '2026-06-01T00:00:00Z', '--json'];
// Node ≥ 22.1 caches through module.enableCompileCache, in files of its own
const NODE_CACHE = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const dir = mkdtempSync(join(tmpdir(), 'vmilist-compile-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  outcomes: string[];
}

function run(env: Record<string, string>, args = ARGS): Run {
  expect(existsSync(join(ROOT, 'dist/cli-bundle.cjs')), 'npm run build first').toBe(true);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', HOME: join(dir, 'no-home'), VMILIST_DEBUG_COMPILE_CACHE: '1', ...env },
  });
  const outcomes = [...r.stderr.matchAll(/^vmilist: compile cache: (\S+)$/gm)].map((m) => m[1] as string);
  return { code: r.status, stdout: r.stdout, outcomes };
}

const cacheFiles = (d: string): string[] => readdirSync(d).filter((n) => n.endsWith('.v8cache'));
let n = 0;
const fresh = (): string => join(dir, `c${n++}`);

// the output without any cache, to compare with
const plain = run({ VMILIST_COMPILE_CACHE: '0' });

describe('the CLI code cache', () => {
  it('runs and verifies without a cache', () => {
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^\{"ok":true,/);
    expect(plain.outcomes).toEqual(['off']);
  });

  it('is made 0700 on the first run and used on the second, with the same output', () => {
    const cache = join(fresh(), 'nested', 'vmilist');
    const first = run({ VMILIST_COMPILE_CACHE: cache });
    expect(statSync(cache).mode & 0o777).toBe(0o700);
    const second = run({ VMILIST_COMPILE_CACHE: cache });
    expect(first.stdout).toBe(plain.stdout);
    expect(second.stdout).toBe(plain.stdout);
    expect([first.code, second.code]).toEqual([0, 0]);
    if (NODE_CACHE) {
      expect([first.outcomes, second.outcomes]).toEqual([['node-cache'], ['node-cache']]);
      return;
    }
    expect(first.outcomes).toEqual(['miss', 'written']);
    expect(second.outcomes).toEqual(['hit']);
    const files = cacheFiles(cache);
    expect(files).toEqual([expect.stringMatching(/^cli-node[\d.]+-v8[\w.-]+-\w+-[0-9a-f]{24}-verify\.v8cache$/)]);
    expect(statSync(join(cache, files[0] as string)).mode & 0o777).toBe(0o600);
    // no temp file left behind
    expect(readdirSync(cache)).toEqual(files);
  });

  it('defaults to $XDG_CACHE_HOME/vmilist, else ~/.cache/vmilist', () => {
    const xdg = fresh();
    mkdirSync(xdg);
    run({ XDG_CACHE_HOME: xdg });
    expect(statSync(join(xdg, 'vmilist')).isDirectory()).toBe(true);
    const home = fresh();
    mkdirSync(home);
    run({ HOME: home });
    expect(statSync(join(home, '.cache', 'vmilist')).mode & 0o777).toBe(0o700);
  });

  it('VMILIST_COMPILE_CACHE=0 or off turns it off: nothing is written anywhere', () => {
    for (const off of ['0', 'off']) {
      const xdg = fresh();
      mkdirSync(xdg);
      const r = run({ VMILIST_COMPILE_CACHE: off, XDG_CACHE_HOME: xdg });
      expect(r.outcomes).toEqual(['off']);
      expect(r.stdout).toBe(plain.stdout);
      expect(readdirSync(xdg)).toEqual([]);
    }
  });

  it('is not used in a group- or world-writable directory', () => {
    for (const mode of [0o777, 0o770, 0o1777]) {
      const cache = fresh();
      mkdirSync(cache);
      chmodSync(cache, mode);
      for (let i = 0; i < 2; i++) {
        const r = run({ VMILIST_COMPILE_CACHE: cache });
        expect(r.outcomes).toEqual(['unsafe']);
        expect(r.stdout).toBe(plain.stdout);
      }
      expect(readdirSync(cache)).toEqual([]);
    }
  });

  it('is not used through a symlink, even to a safe directory', () => {
    const real = fresh();
    mkdirSync(real, { mode: 0o700 });
    const link = fresh();
    symlinkSync(real, link);
    const r = run({ VMILIST_COMPILE_CACHE: link });
    expect(r.outcomes).toEqual(['unsafe']);
    expect(r.stdout).toBe(plain.stdout);
    expect(readdirSync(real)).toEqual([]);
  });

  it.skipIf(process.getuid?.() !== 0)('is not used in a directory another user owns (as root)', () => {
    const cache = fresh();
    mkdirSync(cache, { mode: 0o700 });
    chownSync(cache, 65534, 65534);
    const r = run({ VMILIST_COMPILE_CACHE: cache });
    expect(r.outcomes).toEqual(['unsafe']);
    expect(r.stdout).toBe(plain.stdout);
    expect(readdirSync(cache)).toEqual([]);
  });

  it.skipIf(NODE_CACHE)('refuses a damaged cache file, runs as without one and replaces it', () => {
    const cache = fresh();
    run({ VMILIST_COMPILE_CACHE: cache });
    const file = join(cache, cacheFiles(cache)[0] as string);
    const good = readFileSync(file);
    const damaged = [Buffer.from('not a code cache'), good.subarray(0, good.length >> 1), Buffer.from(good.map((b, i) => (i > 64 && i % 97 === 0 ? b ^ 0x5a : b)))];
    for (const bytes of damaged) {
      writeFileSync(file, bytes, { mode: 0o600 });
      const r = run({ VMILIST_COMPILE_CACHE: cache });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(plain.stdout);
      expect(r.outcomes).toEqual(['rejected', 'written']);
      expect(run({ VMILIST_COMPILE_CACHE: cache }).outcomes).toEqual(['hit']);
    }
  });

  it.skipIf(NODE_CACHE)('ignores a cache file others could have written, or a symlink, and replaces it', () => {
    const cache = fresh();
    run({ VMILIST_COMPILE_CACHE: cache });
    const name = cacheFiles(cache)[0] as string;
    const file = join(cache, name);
    chmodSync(file, 0o666);
    const r = run({ VMILIST_COMPILE_CACHE: cache });
    expect(r.outcomes).toEqual(['miss', 'written']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // a symlink to a good cache file is not followed, and is replaced by a file
    const elsewhere = fresh();
    writeFileSync(elsewhere, readFileSync(file), { mode: 0o600 });
    rmSync(file);
    symlinkSync(elsewhere, file);
    expect(run({ VMILIST_COMPILE_CACHE: cache }).outcomes).toEqual(['miss', 'written']);
    expect(lstatSync(file).isFile()).toBe(true);
  });

  it.skipIf(NODE_CACHE)('removes the caches of other builds and temp files of killed runs when it writes', () => {
    const cache = fresh();
    mkdirSync(cache, { mode: 0o700 });
    const prefix = `cli-node${process.versions.node}-v8${process.versions.v8}-${process.arch}-`;
    const otherBuild = `${prefix}${'0'.repeat(24)}-verify.v8cache`;
    const otherNode = `cli-node1.2.3-v8${process.versions.v8}-${process.arch}-${'0'.repeat(24)}-verify.v8cache`;
    const oldTemp = `${prefix}${'1'.repeat(24)}-verify.v8cache.123.abcdef.tmp`;
    const newTemp = `${prefix}${'2'.repeat(24)}-verify.v8cache.124.abcdef.tmp`;
    for (const f of [otherBuild, otherNode, oldTemp, newTemp]) writeFileSync(join(cache, f), 'x', { mode: 0o600 });
    const hoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(cache, oldTemp), hoursAgo, hoursAgo);
    expect(run({ VMILIST_COMPILE_CACHE: cache }).outcomes).toEqual(['miss', 'written']);
    const left = readdirSync(cache);
    expect(left).not.toContain(otherBuild);
    expect(left).not.toContain(oldTemp);
    // another Node's cache and a temp file being written now are left alone
    expect(left).toContain(otherNode);
    expect(left).toContain(newTemp);
    expect(left.filter((n) => n.startsWith(prefix) && n.endsWith('-verify.v8cache'))).toHaveLength(1);
  });

  it('keeps one cache per command', () => {
    expect(commandKey(['verify', 'x'])).toBe('verify');
    expect(commandKey(['--version'])).toBe('_');
    expect(commandKey([])).toBe('_');
    expect(commandKey(['../../etc'])).toBe('_');
  });

  it('resolves its directory from the environment', () => {
    expect(compileCacheDir({ VMILIST_COMPILE_CACHE: '/x/y' })).toBe('/x/y');
    expect(compileCacheDir({ VMILIST_COMPILE_CACHE: 'rel' }, '/cwd')).toBe('/cwd/rel');
    expect(compileCacheDir({ VMILIST_COMPILE_CACHE: 'OFF', HOME: '/h' })).toBeUndefined();
    expect(compileCacheDir({ VMILIST_COMPILE_CACHE: '0', HOME: '/h' })).toBeUndefined();
    expect(compileCacheDir({ XDG_CACHE_HOME: '/xdg', HOME: '/h' })).toBe('/xdg/vmilist');
    expect(compileCacheDir({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/vmilist');
    expect(compileCacheDir({ HOME: '/h' })).toBe('/h/.cache/vmilist');
  });
});
