// The subscriber under faults, through the CLI: a trickling image server, two
// cache runs sharing one --dir with a kill, a full disk, hostile text.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { vmilist } from '../support/cli.js';
import { ROOT, imageEntry, listDocument, signWithOpenssl, startServer, type TestServer } from '../support/server.js';

const AT = '2026-06-01T00:00:00Z';
const LIST_ID = '5e0f1a2b-3c4d-4e5f-8a6b-00000000f001';
const SLOW = '7c9d0e1f-2a3b-4c5d-9e6f-00000000f00a';
const BIG = '7c9d0e1f-2a3b-4c5d-9e6f-00000000f00b';
const sha = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const tiny = new Uint8Array(readFileSync(join(ROOT, 'vectors/images/tiny-linux-x86_64.img')));
// big enough that a kill lands in the middle of its download
const big = new Uint8Array(randomBytes(3 * 1024 * 1024));

let server: TestServer;
let work: string;
let cli: string;
const trust = () => ['--ca-dir', join(ROOT, 'vectors/trust'), '--allow-http', '--at', AT];

/** Runs the bundled CLI as a process; SIGKILL after `killAfterMs`. */
const runChild = (args: string[], killAfterMs?: number) => runBundled(cli, args, killAfterMs === undefined ? {} : { killAfterMs });

async function subscribed(name: string, images: Record<string, unknown>[]): Promise<string> {
  const d = join(work, name);
  mkdirSync(d, { recursive: true });
  const path = `/${name}.smime`;
  server.serve(path, signWithOpenssl(listDocument({ id: LIST_ID, version: '1', images })));
  const state = join(d, 'state.json');
  const r = await vmilist(['subscribe', server.url(path), '--auto-approve', '--state', state, ...trust()]);
  expect(r.code, r.stderr).toBe(0);
  return state;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-faults-'));
  cli = await bundleCli(work);
  server = await startServer();
  server.set('/slow.img', { kind: 'bytes', body: tiny, chunkSize: 1, chunkDelayMs: 1000 }); // 1 byte/s
  server.set('/big.img', { kind: 'bytes', body: big, chunkSize: 16 * 1024, chunkDelayMs: 2 });
});
afterAll(async () => server?.close());

describe('cache under faults', () => {
  it('abandons a 1 byte/s download at the speed floor, counts a failed attempt and releases the lock', async () => {
    const state = await subscribed('slow', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    const dir = join(work, 'slow', 'images');
    const r = await vmilist(['cache', '--dir', dir, '--state', state, '--min-speed', '64', '--speed-window', '1', ...trust()]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/slower than 64 bytes\/s/);
    expect(r.stderr).toMatch(/attempt 1 of 3/);
    const file = JSON.parse(readFileSync(state, 'utf8'));
    expect(file.cache.failures[SLOW].attempts).toBe(1);
    expect(existsSync(`${state}.lock`)).toBe(false);
    expect(readdirSync(join(dir, 'cache'))).toEqual([]);
    expect(readdirSync(join(dir, 'partial'))).toEqual([]);
    // and the next run can take the lock at once
    expect((await vmilist(['update', '--state', state, ...trust()])).code).toBe(0);
  });

  it('refuses deadline flags that are not numbers', async () => {
    const state = await subscribed('flags', [imageEntry(SLOW, tiny, server.url('/slow.img'))]);
    const r = await vmilist(['cache', '--dir', join(work, 'flags', 'images'), '--state', state, '--download-timeout', 'soon', ...trust()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--download-timeout/);
  });

  it('two cache runs on one --dir (different --state), one killed: cache/ never holds a wrong file, status never counts one', async () => {
    const entry = imageEntry(BIG, big, server.url('/big.img'));
    for (let trial = 0; trial < 6; trial++) {
      const stateA = await subscribed(`two-a-${trial}`, [entry]);
      const stateB = await subscribed(`two-b-${trial}`, [entry]);
      const dir = join(work, `two-${trial}`);
      const a = runChild(['cache', '--dir', dir, '--state', stateA, ...trust()], 150 + trial * 120);
      await new Promise((r) => setTimeout(r, 60));
      const b = await runChild(['cache', '--dir', dir, '--state', stateB, ...trust()]);
      const killed = await a;
      expect(killed.signal === 'SIGKILL' || killed.code === 0 || killed.code === 2, killed.stderr).toBe(true);
      // B either cached the image or failed cleanly; whatever is in cache/ is right
      expect([0, 2], b.stderr).toContain(b.code);
      const assertSound = () => {
        for (const name of existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')) : []) {
          expect(sha(readFileSync(join(dir, 'cache', name))), `trial ${trial}: cache/${name} is not the verified image`).toBe(sha(big));
        }
      };
      assertSound();
      for (const state of [stateA, stateB]) {
        const status = JSON.parse((await vmilist(['status', '--state', state, '--json', ...trust()])).stdout);
        if (status.cache?.cached > 0) expect(sha(readFileSync(join(dir, 'cache', BIG)))).toBe(sha(big));
      }
      // the killed run's state converges on a rerun, and nothing of the dead run is left
      const again = await runChild(['cache', '--dir', dir, '--state', stateA, ...trust()]);
      expect(again.code, again.stderr).toBe(0);
      assertSound();
      expect(readdirSync(join(dir, 'cache'))).toEqual([BIG]);
      expect(readdirSync(join(dir, 'partial'))).toEqual([]);
    }
  });
});
