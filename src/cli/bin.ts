/** The `vmilist` executable: runs the CLI on the process's arguments. */
import { realContext } from './io.js';
import { runCli } from './main.js';
import { sanitizeForTerminal } from './sanitize.js';

runCli(process.argv.slice(2), realContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(sanitizeForTerminal(`vmilist: ${String(e)}\n`));
    process.exitCode = 2;
  },
);
