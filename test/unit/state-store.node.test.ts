// FileStateStore: atomic writes, refusing damaged files, the lock and stale-lock takeover.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, utimesSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { FileStateStore } from '../../src/node/state-store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'vmilist-state-'));

describe('FileStateStore', () => {
  it('reads undefined before the first write, then what was written', async () => {
    const d = dir();
    const store = new FileStateStore<{ n: number }>(join(d, 'sub', 'state.json'));
    expect(await store.read()).toBeUndefined();
    await store.write({ n: 1 });
    expect(await store.read()).toEqual({ n: 1 });
    await store.update((s) => ({ n: (s?.n ?? 0) + 41 }));
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ n: 42 });
    // no temporary files or lock left behind
    expect(readdirSync(join(d, 'sub'))).toEqual(['state.json']);
  });

  it('refuses a state file it cannot parse, keeps it byte-identical, and will not overwrite it', async () => {
    const d = dir();
    const path = join(d, 'state.json');
    const damaged = '{"stateVersion": 1, "subscriptions": {';
    writeFileSync(path, damaged);
    const store = new FileStateStore(path);
    const err = await store.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmiListError);
    expect((err as VmiListError).code).toBe('ERR_IO');
    expect((err as VmiListError).message).toContain(path);
    await expect(store.write({ fresh: true })).rejects.toMatchObject({ code: 'ERR_IO' });
    await expect(store.update(() => ({ fresh: true }))).rejects.toMatchObject({ code: 'ERR_IO' });
    expect(readFileSync(path, 'utf8')).toBe(damaged);
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('passes the JSON through parse (a migration) and reports its refusal', async () => {
    const d = dir();
    const path = join(d, 'state.json');
    writeFileSync(path, '{"stateVersion": 99}');
    const store = new FileStateStore(path, {
      parse: (j) => {
        if ((j as { stateVersion?: number }).stateVersion !== 1) throw new VmiListError('ERR_INPUT', 'unknown stateVersion 99');
        return j;
      },
    });
    await expect(store.read()).rejects.toThrow(/unknown stateVersion 99/);
  });

  it('lets one holder in at a time and fails clearly for the second', async () => {
    const store = new FileStateStore(join(dir(), 'state.json'));
    const held = await store.lock();
    const err = (await store.lock().catch((e: unknown) => e)) as VmiListError;
    expect(err.code).toBe('ERR_IO');
    expect(err.message).toMatch(new RegExp(`locked by process ${process.pid}`));
    await held.release();
    const again = await store.lock();
    await again.release();
  });

  it('waits for the holder when lockWaitMs allows', async () => {
    const path = join(dir(), 'state.json');
    const a = new FileStateStore(path);
    const b = new FileStateStore(path, { lockWaitMs: 5000 });
    const held = await a.lock();
    setTimeout(() => void held.release(), 300);
    const t0 = Date.now();
    const second = await b.lock();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    await second.release();
  });

  it('takes over a lock whose process is gone', async () => {
    const path = join(dir(), 'state.json');
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const deadPid = await new Promise<number>((r) => child.on('exit', () => r(child.pid as number)));
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid, host: (await import('node:os')).hostname(), since: '2020-01-01T00:00:00Z', token: 'old' }));
    const store = new FileStateStore(path);
    const held = await store.lock();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
    await held.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('never takes over the lock of a live process on this host, however old the lock file', async () => {
    const path = join(dir(), 'state.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: '2020-01-01T00:00:00Z', token: 'live' }));
    const old = new Date(Date.now() - 7 * 3600_000);
    utimesSync(`${path}.lock`, old, old);
    const err = (await new FileStateStore(path).lock().catch((e: unknown) => e)) as VmiListError;
    expect(err.code).toBe('ERR_IO');
    expect(err.message).toMatch(/locked by process/);
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).toBe('live');
  });

  it('takes over a lock whose pid now belongs to another process (start token differs)', async () => {
    const path = join(dir(), 'state.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: 'x', token: 'reused', start: 'not-this-process' }));
    const held = await new FileStateStore(path).lock();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).not.toBe('reused');
    await held.release();
  });

  it('only breaks a lock of another host when staleLockMs is given and it is older than that', async () => {
    const path = join(dir(), 'state.json');
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere.example', since: 'x', token: 'remote' }));
    const old = new Date(Date.now() - 7 * 3600_000);
    utimesSync(`${path}.lock`, old, old);
    await expect(new FileStateStore(path).lock()).rejects.toMatchObject({ code: 'ERR_IO' });
    const held = await new FileStateStore(path, { staleLockMs: 3600_000 }).lock();
    await held.release();
  });

  it('does not read an empty or unparsable lock file as held by another process', async () => {
    for (const junk of ['', '{"pid":']) {
      const path = join(dir(), 'state.json');
      writeFileSync(`${path}.lock`, junk);
      const held = await new FileStateStore(path).lock();
      expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).pid).toBe(process.pid);
      await held.release();
    }
  });

  it('a holder whose lock was taken refuses to write: no rollback through a stolen lock', async () => {
    const path = join(dir(), 'state.json');
    const a = new FileStateStore<{ version: string }>(path);
    await a.write({ version: '1.0.0' });
    const held = await a.lock();
    // another run took the lock (as an age-based takeover did) and wrote a newer state
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), since: 'x', token: 'thief' }));
    writeFileSync(path, JSON.stringify({ version: '2.0.0' }));
    const err = (await a.write({ version: '1.0.0' }).catch((e: unknown) => e)) as VmiListError;
    expect(err).toBeInstanceOf(VmiListError);
    expect(err.code).toBe('ERR_IO');
    expect(err.message).toMatch(/no longer holds the lock/);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: '2.0.0' });
    expect(readdirSync(join(path, '..')).sort()).toEqual(['state.json', 'state.json.lock']); // its temp file is gone too
    await held.release();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).toBe('thief');
  });

  it('removes the temp files of killed runs on this host when it takes the lock, and keeps those of live ones', async () => {
    const d = dir();
    const path = join(d, 'state.json');
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    const deadPid = await new Promise<number>((r) => child.on('exit', () => r(child.pid as number)));
    const tag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const deadState = `.state.json.${tag}-${deadPid}.0badc0de.tmp`;
    const deadLock = `.state.json.lock.${tag}-${deadPid}.0badc0de.lock`;
    const liveState = `.state.json.${tag}-${process.ppid}.0badc0de.tmp`; // a live process (our parent)
    const otherHost = `.state.json.00000000-${deadPid}.0badc0de.tmp`; // cannot be judged from here
    for (const n of [deadState, deadLock, liveState, otherHost]) writeFileSync(join(d, n), '{');
    const held = await new FileStateStore(path).lock();
    await held.release();
    expect(readdirSync(d).sort()).toEqual([liveState, otherHost].sort());
  });

  it('release does not remove a lock that another run took over', async () => {
    const path = join(dir(), 'state.json');
    const store = new FileStateStore(path);
    const held = await store.lock();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: 1, host: 'elsewhere', since: 'x', token: 'theirs' }));
    await held.release();
    expect(JSON.parse(readFileSync(`${path}.lock`, 'utf8')).token).toBe('theirs');
  });

  it('under concurrent update() calls from many stores, no increment is lost', async () => {
    const path = join(dir(), 'state.json');
    const stores = Array.from({ length: 8 }, () => new FileStateStore<{ n: number }>(path, { lockWaitMs: 20_000 }));
    await Promise.all(stores.map((s) => s.update((v) => ({ n: (v?.n ?? 0) + 1 }))));
    expect(await stores[0]!.read()).toEqual({ n: 8 });
  });
});
