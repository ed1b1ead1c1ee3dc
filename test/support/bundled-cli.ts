/**
 * The CLI bundled from src/ into one file (esbuild) and run as a real
 * process, for tests that kill it, feed it endless input or watch its exit.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './server.js';

/** Bundles src/cli/bin.ts into `dir/cli.mjs`; returns its path. */
export async function bundleCli(dir: string): Promise<string> {
  const out = join(dir, 'cli.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/bin.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    banner: { js: "import { createRequire as __vmilistRequire } from 'node:module'; const require = __vmilistRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return out;
}

/** How a child run ended. */
export interface ChildRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Options for {@link runBundled}. */
export interface RunBundledOptions {
  /** SIGKILL after this many ms (if still running). */
  killAfterMs?: number;
  /** Extra environment (PATH is always passed). */
  env?: Record<string, string>;
  /** Given the child's stdin (a pipe); otherwise stdin is ignored. */
  feed?: (stdin: NodeJS.WritableStream) => void;
}

/** Runs `node cli ...args`. */
export function runBundled(cli: string, args: string[], options: RunBundledOptions = {}): Promise<ChildRun> {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: [options.feed ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    if (options.feed && child.stdin) {
      child.stdin.on('error', () => undefined); // EPIPE once the CLI stops reading
      options.feed(child.stdin);
    }
    const timer = options.killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}
