// FileStateStore on a file system without hard links (link() fails with
// EPERM): the lock is created exclusively in place instead, and still works.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ link: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const link = async () => {
    calls.link++;
    throw Object.assign(new Error('operation not permitted'), { code: 'EPERM' });
  };
  return { ...real, link, default: { ...real, link } };
});

const { FileStateStore } = await import('../../src/node/state-store.js');

describe('FileStateStore without hard links', () => {
  it('locks, refuses a second holder, writes and releases', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vmilist-nolink-')), 'state.json');
    const store = new FileStateStore<{ n: number }>(path);
    const held = await store.lock();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    await expect(new FileStateStore(path).lock()).rejects.toMatchObject({ code: 'ERR_IO' });
    await store.write({ n: 1 });
    await held.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(await store.read()).toEqual({ n: 1 });
    expect(calls.link).toBeGreaterThan(0); // the link really was refused
  });
});
