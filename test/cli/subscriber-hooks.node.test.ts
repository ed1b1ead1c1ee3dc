// Event hooks through the CLI: a handler written for the Python subscriber's
// environment (a shell script appending its VMCATCHER_* variables to a file)
// gets exactly the documented set; a native hook that fails once gets the
// event again on the next run, and what succeeded is never repeated.
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000d001';
const A = '7c9d0e1f-2a3b-4c5d-9e6f-00000000b001';
const B = '7c9d0e1f-2a3b-4c5d-9e6f-00000000b002';
const x86 = new Uint8Array(readFileSync(join(ROOT, 'vectors/images/tiny-linux-x86_64.img')));
const arm = new Uint8Array(readFileSync(join(ROOT, 'vectors/images/tiny-linux-aarch64.img')));

let server: TestServer;
let work: string;

/** Parses the handler's log: blocks of VAR=value lines separated by '--'. */
function blocks(log: string): Record<string, string>[] {
  return log
    .split('--\n')
    .filter((b) => b.trim() !== '')
    .map((b) => Object.fromEntries(b.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])));
}

beforeAll(async () => {
  server = await startServer();
  work = mkdtempSync(join(tmpdir(), 'vmilist-hooks-'));
  server.serve('/x86.img', x86);
  server.serve('/arm.img', arm);
});
afterAll(async () => server.close());

describe('vmcatcher-compatible handler', () => {
  it('receives the Python subscriber environment for every event', async () => {
    const aEntry = imageEntry(A, x86, server.url('/x86.img'), { 'ad:vo': 'dteam', 'ad:mpuri': 'https://appdb.example.org/store/vm/image/a', 'hv:format': 'raw', 'sl:comments': 'first' });
    const bEntry = imageEntry(B, arm, server.url('/arm.img'));
    server.serve('/list.smime', signWithOpenssl(listDocument({ id: LIST_ID, version: '1', images: [aEntry, bEntry] })));
    const state = join(work, 'compat.json');
    const cacheDir = join(work, 'cache-compat');
    const log = join(work, 'compat.log');
    const handler = join(work, 'handler.sh');
    // like site handlers: reads only its environment, checks the file where the Python subscriber puts it
    writeFileSync(
      handler,
      `#!/bin/sh
{
  env | grep '^VMCATCHER_' | sort
  case "$VMCATCHER_EVENT_TYPE" in
    AvailablePrefix) [ -f "$VMCATCHER_CACHE_DIR_DOWNLOAD$VMCATCHER_EVENT_FILENAME" ] && echo FOUND=download ;;
    AvailablePostfix|ExpirePrefix) [ -f "$VMCATCHER_CACHE_DIR_CACHE$VMCATCHER_EVENT_FILENAME" ] && echo FOUND=cache ;;
    ExpirePostfix) [ -f "$VMCATCHER_CACHE_DIR_EXPIRE$VMCATCHER_EVENT_FILENAME" ] && echo FOUND=expire ;;
  esac
  echo --
} >> '${log}'
`,
    );
    chmodSync(handler, 0o755);
    const common = ['--state', state, '--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--vmcatcher-hook', handler];
    const env = { PATH: process.env['PATH'], VMCATCHER_EVENT_SL_ARCH: 'leaked from the parent environment' };

    // SubscriptionImageNew goes to the subscription handler (vmcatcher_subscribe's), never to the cache handler
    const sub = await vmilist(['subscribe', server.url('/list.smime'), '--auto-approve', ...common, '--vmcatcher-sub-hook', handler], { env });
    expect(sub.code, sub.stderr).toBe(0);
    let got = blocks(readFileSync(log, 'utf8'));
    expect(got.map((b) => `${b['VMCATCHER_EVENT_TYPE']}:${b['VMCATCHER_EVENT_DC_IDENTIFIER']}`)).toEqual([`SubscriptionImageNew:${A}`, `SubscriptionImageNew:${B}`]);

    const c = await vmilist(['cache', '--dir', cacheDir, ...common], { env });
    expect(c.code, c.stderr).toBe(0);
    got = blocks(readFileSync(log, 'utf8')).slice(2);
    expect(got.map((b) => `${b['VMCATCHER_EVENT_TYPE']}${b['VMCATCHER_EVENT_FILENAME'] ? `:${b['VMCATCHER_EVENT_FILENAME']}` : ''}${b['FOUND'] ? `@${b['FOUND']}` : ''}`)).toEqual([
      'ProcessPrefix',
      `AvailablePrefix:${A}@download`,
      `AvailablePostfix:${A}@cache`,
      `AvailablePrefix:${B}@download`,
      `AvailablePostfix:${B}@cache`,
      'ProcessPostfix',
    ]);
    const session = got[0]?.['VMCATCHER_EVENT_UUID_SESSION'];
    expect(session).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(got.map((b) => b['VMCATCHER_EVENT_UUID_SESSION']))).toEqual(new Set([session]));

    // exactly the variable set the Python subscriber gives a handler, for image A
    const img = aEntry['hv:image'] as Record<string, string | number>;
    const dirs = {
      VMCATCHER_CACHE_DIR_CACHE: `${cacheDir}/cache/`,
      VMCATCHER_CACHE_DIR_DOWNLOAD: `${cacheDir}/partial/`,
      VMCATCHER_CACHE_DIR_EXPIRE: `${cacheDir}/expired/`,
    };
    const expected: Record<string, string> = {
      VMCATCHER_EVENT_TYPE: 'AvailablePostfix',
      VMCATCHER_EVENT_UUID_SESSION: session as string,
      ...dirs,
      VMCATCHER_EVENT_DC_IDENTIFIER: A,
      VMCATCHER_EVENT_DC_TITLE: String(img['dc:title']),
      VMCATCHER_EVENT_HV_HYPERVISOR: 'kvm',
      VMCATCHER_EVENT_HV_SIZE: String(x86.byteLength),
      VMCATCHER_EVENT_HV_URI: server.url('/x86.img'),
      VMCATCHER_EVENT_HV_VERSION: '1.0.0',
      VMCATCHER_EVENT_HV_FORMAT: 'raw',
      VMCATCHER_EVENT_SL_ARCH: 'x86_64',
      VMCATCHER_EVENT_SL_CHECKSUM_SHA512: String(img['sl:checksum:sha512']),
      VMCATCHER_EVENT_SL_COMMENTS: 'first',
      VMCATCHER_EVENT_SL_OS: 'Linux',
      VMCATCHER_EVENT_SL_OSVERSION: 'TinyLinux 1.0',
      VMCATCHER_EVENT_FILENAME: A,
      VMCATCHER_EVENT_IL_DC_IDENTIFIER: LIST_ID,
      VMCATCHER_EVENT_AD_MPURI: 'https://appdb.example.org/store/vm/image/a',
      VMCATCHER_EVENT_VO: 'dteam',
      FOUND: 'cache',
    };
    expect(got[2]).toEqual(expected);
    // dc:description is empty: not set at all (only non-empty values are)
    expect('VMCATCHER_EVENT_DC_DESCRIPTION' in (got[2] as object)).toBe(false);
    // ProcessPrefix has no per-image variables
    expect(Object.keys(got[0] ?? {}).sort()).toEqual(['VMCATCHER_CACHE_DIR_CACHE', 'VMCATCHER_CACHE_DIR_DOWNLOAD', 'VMCATCHER_CACHE_DIR_EXPIRE', 'VMCATCHER_EVENT_TYPE', 'VMCATCHER_EVENT_UUID_SESSION']);

    // B leaves the list: ExpirePrefix while the file is in the cache, ExpirePostfix once it moved
    server.serve('/list.smime', signWithOpenssl(listDocument({ id: LIST_ID, version: '2', created: '2026-02-01T00:00:00Z', images: [aEntry] })));
    expect((await vmilist(['update', ...common], { env })).code).toBe(0);
    const c2 = await vmilist(['cache', ...common], { env });
    expect(c2.code, c2.stderr).toBe(0);
    got = blocks(readFileSync(log, 'utf8')).slice(8);
    expect(got.map((b) => `${b['VMCATCHER_EVENT_TYPE']}${b['VMCATCHER_EVENT_FILENAME'] ? `:${b['VMCATCHER_EVENT_FILENAME']}` : ''}${b['FOUND'] ? `@${b['FOUND']}` : ''}`)).toEqual([
      'ProcessPrefix',
      `ExpirePrefix:${B}@cache`,
      `ExpirePostfix:${B}.2026-06-01_00-00-00@expire`,
      'ProcessPostfix',
    ]);
    expect(JSON.parse(readFileSync(state, 'utf8')).outbox).toEqual([]);
  });
});

describe('durable delivery', () => {
  it('a hook that fails once gets the event again next run; one that succeeded never does', async () => {
    const LIST2 = '5e0f1a2b-3c4d-4e5f-8a6b-00000000d002';
    const C = '7c9d0e1f-2a3b-4c5d-9e6f-00000000b003';
    const D = '7c9d0e1f-2a3b-4c5d-9e6f-00000000b004';
    server.serve('/list2.smime', signWithOpenssl(listDocument({ id: LIST2, version: '1', images: [imageEntry(C, x86, server.url('/x86.img')), imageEntry(D, arm, server.url('/arm.img'))] })));
    const state = join(work, 'durable.json');
    const log = join(work, 'durable.log');
    const once = join(work, 'fail-once');
    writeFileSync(once, '');
    // fails (once) on the image.added event of D; logs every event it took
    const hook = `if [ "$VMILIST_EVENT_TYPE" = image.added ] && [ "$VMILIST_EVENT_IMAGE_ID" = ${D} ] && [ -e '${once}' ]; then rm '${once}'; exit 7; fi; echo "$VMILIST_EVENT_ID $VMILIST_EVENT_TYPE $VMILIST_EVENT_IMAGE_ID" >> '${log}'`;
    const common = ['--state', state, '--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--hook', hook];
    const env = { PATH: process.env['PATH'] };
    const first = await vmilist(['subscribe', server.url('/list2.smime'), ...common], { env });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/hook .* failed on image.added 7c9d0e1f-2a3b-4c5d-9e6f-00000000b004 \(exit status 7\)/);
    const afterFirst = readFileSync(log, 'utf8').trim().split('\n');
    expect(afterFirst.map((l) => l.split(' ').slice(1).join(' ').trim())).toEqual(['subscription.added ', 'list.accepted ', `image.added ${C}`].map((s) => s.trim()));
    const outbox = JSON.parse(readFileSync(state, 'utf8')).outbox;
    expect(outbox).toHaveLength(1);
    expect(outbox[0].event.imageId).toBe(D);
    expect(outbox[0].attempts).toBe(1);

    // the next run (an unchanged list: no new events) delivers the waiting one, and only it
    const second = await vmilist(['update', ...common], { env });
    expect(second.code, second.stderr).toBe(0);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.slice(afterFirst.length).map((l) => l.split(' ').slice(1).join(' ').trim())).toEqual([`image.added ${D}`]);
    const ids = lines.map((l) => l.split(' ')[0]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.parse(readFileSync(state, 'utf8')).outbox).toEqual([]);
    const third = await vmilist(['update', ...common], { env });
    expect(third.code).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(lines);
    expect(existsSync(once)).toBe(false);
  });

  it('a hook that hangs is stopped at --hook-timeout and its event kept', async () => {
    const LIST3 = '5e0f1a2b-3c4d-4e5f-8a6b-00000000d003';
    const G = '7c9d0e1f-2a3b-4c5d-9e6f-00000000b007';
    server.serve('/list3.smime', signWithOpenssl(listDocument({ id: LIST3, version: '1', images: [imageEntry(G, x86, server.url('/x86.img'))] })));
    const state = join(work, 'timeout.json');
    const t0 = Date.now();
    const r = await vmilist(['subscribe', server.url('/list3.smime'), '--state', state, '--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--hook', 'sleep 60', '--hook-timeout', '1'], {
      env: { PATH: process.env['PATH'] },
    });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('timed out');
    const outbox = JSON.parse(readFileSync(state, 'utf8')).outbox;
    expect(outbox.length).toBeGreaterThan(0);
    expect(outbox[0].lastError).toContain('timed out');
  });
});
