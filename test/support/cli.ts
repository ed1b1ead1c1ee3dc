/** Runs the vmilist CLI in-process with a captured context (Node tests). */
import { runCli } from '../../src/cli/main.js';

/** What one CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options for {@link vmilist}. */
export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  now?: Date;
  isTTY?: boolean;
}

/** Runs `vmilist …args` in-process. */
export async function vmilist(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    isTTY: options.isTTY ?? false,
    now: () => options.now ?? new Date('2026-06-01T00:00:00Z'),
  });
  return { code, stdout, stderr };
}
