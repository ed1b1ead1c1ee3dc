// verify and validate read every kind of input with a running byte count and
// stop at the cap (64 MiB) with ERR_TOO_LARGE: /dev/zero, a FIFO, an endless
// URL and an endless stdin pipe end in bounded time and memory instead of growing without end.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { ROOT, startServer } from '../support/server.js';

let work: string;
let cli: string;
const CHUNK = Buffer.alloc(1 << 16, 0x7b); // '{' forever

/** Writes CHUNK to `out` until it closes. */
function endless(out: NodeJS.WritableStream): void {
  let open = true;
  out.on('error', () => (open = false));
  out.on('close', () => (open = false));
  const pump = () => {
    while (open && out.write(CHUNK)) {
      /* fill */
    }
    if (open) out.once('drain', pump);
  };
  pump();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-bounded-'));
  cli = await bundleCli(work);
});

describe.each(['verify', 'validate'])('%s with endless input', (cmd) => {
  const extra = cmd === 'verify' ? ['--ca-dir', join(ROOT, 'vectors/trust')] : [];
  const expectTooLarge = (r: { code: number | null; signal: string | null; stderr: string }) => {
    expect(r.signal, 'the run had to be killed: it did not stop at the cap').toBeNull();
    expect(r.stderr).toMatch(/ERR_TOO_LARGE|ERR_JSON_MALFORMED/);
    expect(r.stderr).toMatch(/limit of 67108864 bytes/);
  };

  it('/dev/zero', async () => {
    const r = await runBundled(cli, [cmd, '/dev/zero', ...extra], { killAfterMs: 60_000 });
    expectTooLarge(r);
  });

  it('a FIFO', async () => {
    const fifo = join(work, `fifo-${cmd}`);
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `cat /dev/zero > '${fifo}'`], { stdio: 'ignore' });
    try {
      const r = await runBundled(cli, [cmd, fifo, ...extra], { killAfterMs: 60_000 });
      expectTooLarge(r);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('an endless URL (verify fetches it; validate takes files only)', async () => {
    if (cmd !== 'verify') return;
    const server = await startServer();
    server.set('/endless', { kind: 'endless' });
    try {
      const r = await runBundled(cli, [cmd, server.url('/endless'), '--allow-http', ...extra], { killAfterMs: 60_000 });
      expect(r.signal).toBeNull();
      expect(r.stderr).toMatch(/ERR_TOO_LARGE.*more than the 67108864-byte limit/);
    } finally {
      await server.close();
    }
  });

  it('stdin from an endless pipe, as - and as /dev/stdin', async () => {
    for (const name of ['-', '/dev/stdin']) {
      const r = await runBundled(cli, [cmd, name, ...extra], { killAfterMs: 60_000, feed: endless });
      expectTooLarge(r);
    }
  });
});
