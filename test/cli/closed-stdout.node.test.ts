// A reader that closes standard output early (`vmilist verify … --json | head`)
// must not crash the CLI with an unhandled EPIPE: the command finishes with
// its own exit code and says nothing about the pipe.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../support/bundled-cli.js';
import { ROOT } from '../support/server.js';

let work: string;
let cli: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-closed-stdout-'));
  cli = await bundleCli(work);
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI with its stdout read end closed at once; resolves to the exit code and stderr. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT, env: { PATH: process.env['PATH'] ?? '' } });
    child.stdout.destroy(); // the reader is gone before anything is written
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => done({ code, signal, stderr }));
  });
}

describe('standard output closed by the reader', () => {
  const verify = ['verify', 'vectors/signed/alice-sha512.smime', '--ca-dir', 'vectors/trust', '--at', '2026-06-01T00:00:00Z'];

  it('verify --json of a good list: exit 0, no stack trace', async () => {
    const r = await withClosedStdout([...verify, '--json']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
    expect([r.code, r.signal]).toEqual([0, null]);
  });

  it('verify of a refused list keeps its own exit code', async () => {
    const r = await withClosedStdout(['verify', 'vectors/signed/eve.smime', '--ca-dir', 'vectors/trust', '--at', '2026-06-01T00:00:00Z', '--json']);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
    expect(r.code).toBe(1);
  });
});
