/**
 * The CLI as one function, the entry of the bundled CLI (dist/cli-bundle.cjs):
 * the launcher (dist/cli.cjs, src/cli/launch.ts) loads it, with V8's code
 * cache where it can, and calls {@link main}.
 */
import { realContext } from './io.js';
import { runCli } from './main.js';
import { sanitizeForTerminal } from './sanitize.js';

/** Runs `vmilist …argv` on the real process; resolves to the exit code, never rejects. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await runCli(argv, realContext());
  } catch (e) {
    process.stderr.write(sanitizeForTerminal(`vmilist: ${String(e)}\n`));
    return 2;
  }
}
