// End to end through the CLI: signed lists and images served from a local
// HTTP server on 127.0.0.1; subscribe, update, approve, cache, expiry,
// rejected lists that leave the state byte-identical, bad images that never
// reach the cache, bounded retries, the lock, and status.
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/node/state-store.js';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000c001';
const A = '7c9d0e1f-2a3b-4c5d-9e6f-00000000a001';
const B = '7c9d0e1f-2a3b-4c5d-9e6f-00000000a002';
const D = '7c9d0e1f-2a3b-4c5d-9e6f-00000000a004'; // served bytes do not match its checksum
const E = '7c9d0e1f-2a3b-4c5d-9e6f-00000000a005'; // served bytes larger than hv:size
const F = '7c9d0e1f-2a3b-4c5d-9e6f-00000000a006'; // never downloadable (404)

const img = (name: string) => new Uint8Array(readFileSync(join(ROOT, 'vectors/images', name)));
const x86 = img('tiny-linux-x86_64.img');
const arm = img('tiny-linux-aarch64.img');
const bsd = img('tiny-bsd-amd64.raw');

let server: TestServer;
let work: string;
let statePath: string;
let cacheDir: string;
const base = () => ['--state', statePath, '--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http'];
const stateBytes = () => readFileSync(statePath);
const state = () => JSON.parse(readFileSync(statePath, 'utf8'));
/** The saved image records by UUID. */
const records = (): Record<string, { status: string }> => Object.fromEntries(state().state.images.map((r: { uuid: string }) => [r.uuid, r]));
const cached = () => readdirSync(join(cacheDir, 'cache')).sort();

beforeAll(async () => {
  server = await startServer();
  work = mkdtempSync(join(tmpdir(), 'vmilist-e2e-'));
  statePath = join(work, 'state', 'state.json');
  cacheDir = join(work, 'images');
  server.serve('/img/x86.img', x86);
  server.serve('/img/arm.img', arm);
  server.serve('/img/bsd.raw', bsd);
  const bad = Buffer.from(arm);
  bad[10] = (bad[10] ?? 0) ^ 1;
  server.serve('/img/bad.img', bad);
  server.serve('/img/big.img', Buffer.concat([Buffer.from(arm), Buffer.from('one more byte')]));
  server.set('/img/missing.img', { kind: 'status', status: 404 });
  // version 1.0.0: A and B
  server.serve(
    '/list.smime',
    signWithOpenssl(listDocument({ id: LIST_ID, version: '1.0.0', images: [imageEntry(A, x86, server.url('/img/x86.img')), imageEntry(B, arm, server.url('/img/arm.img'))] })),
  );
});
afterAll(async () => server.close());

describe('vmilist subscriber, end to end', () => {
  it('subscribe refuses a plain http URL without --allow-http and writes no state', async () => {
    const r = await vmilist(['subscribe', server.url('/list.smime'), '--state', statePath, '--ca-dir', join(ROOT, 'vectors/trust')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/only https/);
    expect(existsSync(statePath)).toBe(false);
  });

  it('subscribe from a file records the subscription pinned to list UUID and signer', async () => {
    const file = join(work, 'alice.smime');
    writeFileSync(file, readFileSync(join(ROOT, 'vectors/signed/alice-sha512.smime')));
    const st = join(work, 'file-state.json');
    const r = await vmilist(['subscribe', file, '--state', st, '--ca-dir', join(ROOT, 'vectors/trust'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.subscription.listId).toBe('5e0f1a2b-3c4d-4e5f-8a6b-000000000001');
    expect(out.subscription.uri).toBe(`file://${file}`);
    expect(out.subscription.allowedEndorsers).toEqual([{ dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser', ca: '/DC=org/DC=vmilist-test/CN=Test Grid CA' }]);
    const imgs = await vmilist(['images', '--state', st, '--json']);
    expect(JSON.parse(imgs.stdout).images.map((i: { status: string }) => i.status)).toEqual(['pending', 'pending']);
    // an update of a file subscription works the same way (unchanged list)
    const u = await vmilist(['update', '--state', st, '--ca-dir', join(ROOT, 'vectors/trust'), '--json']);
    expect(u.code, u.stderr).toBe(0);
    expect(JSON.parse(u.stdout).subscriptions[0].result).toBe('unchanged');
  });

  it('subscribe over http (allowed), images pending; approve makes them current', async () => {
    const r = await vmilist(['subscribe', server.url('/list.smime'), ...base()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`subscribed ${LIST_ID}`);
    expect(Object.keys(records()).sort()).toEqual([A, B]);
    expect(Object.values(records()).map((i) => i.status)).toEqual(['pending', 'pending']);
    const a = await vmilist(['approve', A, B, '--state', statePath]);
    expect(a.code, a.stderr).toBe(0);
    const s = records();
    expect([s[A]?.status, s[B]?.status]).toEqual(['current', 'current']);
    const subs = await vmilist(['subscriptions', '--state', statePath]);
    expect(subs.stdout).toContain(server.url('/list.smime'));
    expect(subs.stdout).toContain('2 current, 0 pending');
  });

  it('cache downloads and verifies approved images into cache/<uuid>', async () => {
    const r = await vmilist(['cache', '--dir', cacheDir, ...base(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(cached()).toEqual([A, B]);
    expect(readFileSync(join(cacheDir, 'cache', A)).equals(x86)).toBe(true);
    expect(readFileSync(join(cacheDir, 'cache', B)).equals(arm)).toBe(true);
    expect(readdirSync(join(cacheDir, 'partial'))).toEqual([]);
    expect(JSON.parse(r.stdout).actions.map((a: { action: string }) => a.action)).toEqual(['downloaded', 'downloaded']);
    // a second run downloads nothing
    const before = server.requests.length;
    const again = await vmilist(['cache', ...base()]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date');
    expect(server.requests.length).toBe(before);
  });

  it('a failed list fetch changes nothing and never deletes cached images', async () => {
    const saved = server.url('/list.smime');
    server.set('/list.smime', { kind: 'status', status: 500 });
    const before = stateBytes();
    const r = await vmilist(['update', ...base()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`subscription ${LIST_ID}`);
    expect(r.stderr).toContain(saved);
    expect(stateBytes().equals(before)).toBe(true);
    const c = await vmilist(['cache', ...base()]);
    expect(c.code).toBe(0);
    expect(cached()).toEqual([A, B]);
  });

  it('a new version that drops B and changes A: B expires (moved), A is re-downloaded', async () => {
    server.serve(
      '/list.smime',
      signWithOpenssl(listDocument({ id: LIST_ID, version: '1.1.0', created: '2026-02-01T00:00:00Z', images: [imageEntry(A, bsd, server.url('/img/bsd.raw'), { 'hv:version': '2.0.0' })] })),
    );
    const u = await vmilist(['update', ...base(), '--json']);
    expect(u.code, u.stderr).toBe(0);
    const out = JSON.parse(u.stdout);
    expect(out.subscriptions[0].result).toBe('accepted');
    const types = out.events.map((e: { type: string; uuid?: string }) => `${e.type}:${e.uuid ?? ''}`);
    expect(types).toContain(`image.updated:${A}`);
    expect(types).toContain(`image.expired:${B}`);
    const c = await vmilist(['cache', ...base(), '--json'], { isTTY: true });
    expect(c.code, c.stderr).toBe(0);
    // on a terminal: a progress bar per image on stderr (the earlier runs, not on a TTY, printed none)
    expect(c.stderr).toContain(`\r${A.slice(0, 8)} image a001 [`);
    expect(c.stderr).toContain('100% 4.9 KiB / 4.9 KiB');
    expect(cached()).toEqual([A]);
    expect(readFileSync(join(cacheDir, 'cache', A)).equals(bsd)).toBe(true);
    // as vmcatcher names them: <identifier>.<YYYY-MM-DD_HH-MM-SS> of the run (2026-06-01T00:00:00Z here)
    expect(readFileSync(join(cacheDir, 'expired', `${B}.2026-06-01_00-00-00`)).equals(arm)).toBe(true);
    // the old version of A was moved out before the new one came in
    expect(readFileSync(join(cacheDir, 'expired', `${A}.2026-06-01_00-00-00`)).equals(x86)).toBe(true);
    const actions = JSON.parse(c.stdout).actions.map((a: { uuid: string; action: string }) => `${a.action}:${a.uuid}`);
    expect(actions).toEqual([`expired:${A}`, `expired:${B}`, `downloaded:${A}`]);
  });

  const rejected: [string, () => Uint8Array, string][] = [
    ['a rolled-back list', () => signWithOpenssl(listDocument({ id: LIST_ID, version: '1.0.5', created: '2026-03-01T00:00:00Z', images: [] })), 'ERR_VERSION_ROLLBACK'],
    [
      'a tampered list',
      () => {
        const good = Buffer.from(signWithOpenssl(listDocument({ id: LIST_ID, version: '1.2.0', created: '2026-03-01T00:00:00Z', images: [] })));
        const text = good.toString('latin1').replace('"1.2.0"', '"1.9.0"');
        return new Uint8Array(Buffer.from(text, 'latin1'));
      },
      'ERR_SIGNATURE_INVALID',
    ],
    ['an expired list', () => signWithOpenssl(listDocument({ id: LIST_ID, version: '1.3.0', created: '2026-03-01T00:00:00Z', expires: '2026-05-01T00:00:00Z', images: [] })), 'ERR_LIST_EXPIRED'],
    ['a list by another endorser', () => signWithOpenssl(listDocument({ id: LIST_ID, version: '1.4.0', created: '2026-03-01T00:00:00Z', images: [], signer: 'bob' }), 'bob'), 'ERR_ENDORSER_NOT_TRUSTED'],
  ];
  for (const [what, make, code] of rejected) {
    it(`${what} is rejected with ${code} and leaves the state file byte-identical`, async () => {
      server.serve('/list.smime', make());
      const before = stateBytes();
      const r = await vmilist(['update', ...base()]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(code);
      expect(r.stderr).toContain(`subscription ${LIST_ID} (${server.url('/list.smime')})`);
      expect(stateBytes().equals(before)).toBe(true);
      expect(cached()).toEqual([A]);
    });
  }

  it('images whose bytes do not match, or that are larger than hv:size, never reach the cache; retries are bounded', async () => {
    server.serve(
      '/list.smime',
      signWithOpenssl(
        listDocument({
          id: LIST_ID,
          version: '1.5.0',
          created: '2026-04-01T00:00:00Z',
          images: [
            imageEntry(A, bsd, server.url('/img/bsd.raw'), { 'hv:version': '2.0.0' }),
            imageEntry(D, arm, server.url('/img/bad.img')),
            imageEntry(E, arm, server.url('/img/big.img')),
            imageEntry(F, arm, server.url('/img/missing.img')),
          ],
        }),
      ),
    );
    expect((await vmilist(['update', ...base()])).code).toBe(0);
    expect((await vmilist(['approve', D, E, F, '--state', statePath])).code).toBe(0);
    const r = await vmilist(['cache', ...base(), '--json']);
    const out = JSON.parse(r.stdout);
    const byUuid = Object.fromEntries(out.actions.map((a: { uuid: string }) => [a.uuid, a]));
    expect(byUuid[D].error.code).toBe('ERR_HASH_MISMATCH');
    expect(byUuid[E].error.code).toBe('ERR_TOO_LARGE');
    expect(byUuid[F].error.code).toBe('ERR_IO');
    expect(byUuid[F].error.message).toContain(server.url('/img/missing.img'));
    expect(r.code).toBe(2);
    expect(cached()).toEqual([A]);
    expect(readdirSync(join(cacheDir, 'partial'))).toEqual([]);
    // two more runs reach the limit of 3 attempts; the fourth does not ask the server again
    await vmilist(['cache', ...base()]);
    await vmilist(['cache', ...base()]);
    const count = () => server.requests.filter((p) => p === '/img/missing.img').length;
    expect(count()).toBe(3);
    const fourth = await vmilist(['cache', ...base()]);
    expect(count()).toBe(3);
    expect(fourth.stderr).toMatch(new RegExp(`skipping image ${F}.*failed 3 times`));
    expect(state().cache.failures[F].attempts).toBe(3);
    const retry = await vmilist(['cache', ...base(), '--retry-failed']);
    expect(retry.code).toBe(2);
    expect(count()).toBe(4);
  });

  it('status is one readable screen with countdown and warnings', async () => {
    const r = await vmilist(['status', '--state', statePath, '--ca-dir', join(ROOT, 'vectors/trust')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${LIST_ID}  v1.5.0`);
    const days = Math.floor((Date.parse('2040-01-01T00:00:00Z') - Date.parse('2026-06-01T00:00:00Z')) / 86_400_000);
    expect(r.stdout).toContain(`list expires in ${days} d 0 h`);
    expect(r.stdout).toMatch(/download of 7c9d0e1f-2a3b-4c5d-9e6f-00000000a006 failed 4 time/);
    expect(r.stdout.split('\n').length).toBeLessThan(40);
    // CRL expiring within 24 h: look at the trust dir a day before the CRLs' nextUpdate
    const soon = await vmilist(['status', '--state', statePath, '--ca-dir', join(ROOT, 'vectors/trust'), '--at', '2039-12-31T12:00:00Z', '--json']);
    const warnings: string[] = JSON.parse(soon.stdout).warnings;
    expect(warnings.some((w) => /CRL of .*Test Grid CA expires within 24 h/.test(w))).toBe(true);
    expect(warnings.some((w) => /expires in 12 h/.test(w))).toBe(true);
  });

  it('deny takes an image out of the runnable set; cache moves its file out', async () => {
    const r = await vmilist(['deny', A, '--state', statePath, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(records()[A]?.status).toBe('denied');
    const c = await vmilist(['cache', ...base(), '--max-attempts', '99']);
    expect(cached()).toEqual([]);
    expect(c.stdout).toContain(`expired ${A} (denied`);
    const imgs = await vmilist(['images', '--state', statePath, '--status', 'denied']);
    expect(imgs.stdout).toContain(A);
    expect((await vmilist(['approve', A, '--state', statePath])).code).toBe(0);
  });

  it('two concurrent updates: one fails clearly on the lock, the state stays consistent', async () => {
    const [x, y] = await Promise.all([vmilist(['update', ...base()]), vmilist(['update', ...base()])]);
    const codes = [x.code, y.code].sort();
    expect(codes).toEqual([0, 2]);
    const loser = x.code === 2 ? x : y;
    expect(loser.stderr).toMatch(/is locked by process \d+/);
    expect(state().state.subscriptions[LIST_ID].last.version).toBe('1.5.0');
    // with --lock-wait the second waits for the first
    const store = new FileStateStore(statePath);
    const held = await store.lock();
    setTimeout(() => void held.release(), 400);
    const waited = await vmilist(['update', ...base(), '--lock-wait', '10']);
    expect(waited.code, waited.stderr).toBe(0);
  });

  it('unsubscribe expires the images; cache then moves the files out', async () => {
    const r = await vmilist(['unsubscribe', LIST_ID, '--state', statePath]);
    expect(r.code, r.stderr).toBe(0);
    const c = await vmilist(['cache', ...base(), '--delete-expired']);
    expect(c.code, c.stderr).toBe(0);
    expect(cached()).toEqual([]);
    expect(Object.values(records()).every((i) => i.status === 'expired')).toBe(true);
  });

  it('every subscriber command has help and refuses unknown options', async () => {
    for (const name of ['subscribe', 'unsubscribe', 'subscriptions', 'update', 'images', 'approve', 'deny', 'cache', 'status']) {
      const h = await vmilist([name, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(new RegExp(`^Usage: vmilist ${name}`));
      const bad = await vmilist([name, '--bogus', '--json']);
      expect(bad.code).toBe(2);
      expect(JSON.parse(bad.stdout).error.code).toBe('ERR_INPUT');
    }
  });

  it('a damaged state file is refused and kept', async () => {
    const st = join(work, 'damaged.json');
    writeFileSync(st, '{"format":"vmilist-subscriber",');
    const r = await vmilist(['update', '--state', st]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not valid JSON');
    expect(readFileSync(st, 'utf8')).toBe('{"format":"vmilist-subscriber",');
  });
});
