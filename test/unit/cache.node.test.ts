// ImageCache: UUID-only names, check/adopt, download through partial/, expire.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageCache, assertCacheUuid } from '../../src/node/cache.js';
import { startServer, type TestServer } from '../support/server.js';

const root = new URL('../..', import.meta.url).pathname;
const bytes = readFileSync(join(root, 'vectors/images/tiny-linux-aarch64.img'));
const UUID = '7c9d0e1f-2a3b-4c5d-9e6f-000000001002';
const image = { 'dc:identifier': UUID, 'hv:size': bytes.byteLength, 'sl:checksum:sha512': createHash('sha512').update(bytes).digest('hex') };

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.serve('/img', bytes);
});
afterAll(async () => server.close());

describe('ImageCache', () => {
  it('names files by UUID only and refuses anything else', () => {
    const c = new ImageCache('/srv/cache');
    expect(c.pathOf(UUID.toUpperCase())).toBe(`/srv/cache/cache/${UUID.toUpperCase()}`); // as the list writes it
    // a partial download is private to its run: host tag, pid, random part; a fresh name each time
    expect(c.partialPathOf(UUID)).toMatch(new RegExp(`^/srv/cache/partial/\\.${UUID}\\.[0-9a-f]{8}-${process.pid}\\.[0-9a-f]+\\.partial$`));
    expect(c.partialPathOf(UUID)).not.toBe(c.partialPathOf(UUID));
    expect(c.downloadPathOf(UUID)).toBe(`/srv/cache/partial/${UUID}`);
    expect(c.expiredPathOf(UUID)).toBe(`/srv/cache/expired/${UUID}`);
    for (const evil of ['../../etc/passwd', `${UUID}/../x`, `${UUID}\0`, '', 'x'.repeat(36), `../${UUID}`]) {
      expect(() => c.pathOf(evil)).toThrow(/not a UUID/);
      expect(() => assertCacheUuid(evil)).toThrow();
    }
  });

  it('downloads into cache/<uuid> through partial/, then reports it cached', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-cache-'));
    const c = new ImageCache(d);
    expect((await c.check(image)).state).toBe('missing');
    const got = await c.download(server.url('/img'), image, { allowHttp: true });
    expect(got.path).toBe(join(d, 'cache', UUID));
    expect(readdirSync(join(d, 'partial'))).toEqual([]);
    expect(await c.check(image, { verify: true })).toEqual({ state: 'cached', path: got.path });
    expect(await c.list()).toEqual([UUID]);
  });

  it('check() finds a file with the right size but wrong bytes', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-cache-'));
    const c = new ImageCache(d);
    await c.init();
    const wrong = Buffer.from(bytes);
    wrong[0] = (wrong[0] ?? 0) ^ 0xff;
    writeFileSync(c.pathOf(UUID), wrong);
    const r = await c.check(image);
    expect(r.state).toBe('different');
    // a record that vouches for the file skips hashing only when it matches the image
    expect((await c.check(image, { known: { size: bytes.byteLength, sha512: image['sl:checksum:sha512'] } })).state).toBe('cached');
    expect((await c.check(image, { verify: true, known: { size: bytes.byteLength, sha512: image['sl:checksum:sha512'] } })).state).toBe('different');
  });

  it('expire() moves to expired/ or deletes; cleanPartials() removes leftovers', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-cache-'));
    const c = new ImageCache(d);
    await c.init();
    writeFileSync(c.pathOf(UUID), 'x');
    expect(await c.expire(UUID)).toBe(c.expiredPathOf(UUID));
    expect(existsSync(c.pathOf(UUID))).toBe(false);
    expect(readFileSync(c.expiredPathOf(UUID), 'utf8')).toBe('x');
    expect(await c.expire(UUID)).toBeUndefined();
    writeFileSync(c.pathOf(UUID), 'y');
    expect(await c.expire(UUID, { delete: true })).toBe(c.pathOf(UUID));
    expect(existsSync(c.pathOf(UUID))).toBe(false);
    mkdirSync(c.partialDir, { recursive: true });
    const live = c.partialPathOf(UUID); // this (live) process's download: kept
    writeFileSync(live, 'in progress');
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const deadPid = await new Promise<number>((r) => child.on('exit', () => r(child.pid as number)));
    const dead = live.replace(`-${process.pid}.`, `-${deadPid}.`); // a killed run's
    writeFileSync(dead, 'half');
    const oldStyle = join(c.partialDir, `${UUID}.partial`);
    writeFileSync(oldStyle, 'half');
    const orphan = c.downloadPathOf(UUID); // verified, but its run is gone (no other link)
    writeFileSync(orphan, 'whole');
    writeFileSync(join(c.partialDir, 'keep.txt'), 'not ours');
    expect((await c.cleanPartials()).sort()).toEqual([dead, oldStyle, orphan].sort());
    expect(readdirSync(c.partialDir).sort()).toEqual(['keep.txt', live.slice(c.partialDir.length + 1)].sort());
    expect(await c.purgeExpired()).toEqual([c.expiredPathOf(UUID)]);
  });
});
