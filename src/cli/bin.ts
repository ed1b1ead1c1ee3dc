/** The `vmilist` executable: runs the CLI on the process's arguments. */
import { setFlagsFromString } from 'node:v8';
import { realContext } from './io.js';
import { runCli } from './main.js';
import { sanitizeForTerminal } from './sanitize.js';

// Keep V8's young generation at its starting size instead of letting it grow
// to 3 × 16 MiB while a large list is parsed: a short-lived CLI pays for every
// page it touches (peak RSS of `verify` on a 10k-image list 116 → 86 MiB, same
// CPU; bench/verify.bench.mjs). Read by V8 at each growth, so it works here.
// (V8's compile cache needs Node ≥ 22.1 — module.enableCompileCache — and only
// covers modules loaded after the call; this CLI is one file, so it has none.)
setFlagsFromString('--semi-space-growth-factor=1');

runCli(process.argv.slice(2), realContext()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(sanitizeForTerminal(`vmilist: ${String(e)}\n`));
    process.exitCode = 2;
  },
);
