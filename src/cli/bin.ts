/** The `vmilist` executable: runs the CLI on the process's arguments. */
import { realContext } from './io.js';
import { runCli } from './main.js';

runCli(process.argv.slice(2), realContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`vmilist: ${String(e)}\n`);
    process.exitCode = 2;
  },
);
