/**
 * The `vmilist` executable as one module: runs the CLI on the process's
 * arguments. The published bin is the launcher (src/cli/launch.ts, which adds
 * V8's code cache); this module is what tests bundle and run as a process.
 */
import { V8_FLAGS } from './compile-cache.js';
import { setFlagsFromString } from 'node:v8';
import { main } from './entry.js';

setFlagsFromString(V8_FLAGS);

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
