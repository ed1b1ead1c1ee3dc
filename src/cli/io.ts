/** The real process context for the CLI, and small file helpers the commands share. */
import { resolve } from 'node:path';
import type { ErrorCode } from '../errors.js';
import type { CliContext } from './context.js';
import { sanitizeForTerminal } from './sanitize.js';
import { DEFAULT_MAX_LIST_BYTES } from '../model/json.js';
import { readBounded, readBoundedStream } from '../node/read-bounded.js';
import { writeFileAtomic } from '../node/state-store.js';

/**
 * Standard output that a reader may close early (`vmilist verify … --json |
 * head`): the write error (EPIPE) would otherwise be an unhandled 'error'
 * event that kills the process with a stack trace. Once the reader is gone,
 * output is dropped and the command finishes with its own exit code, as
 * `grep | head` does; any other write error is said once on stderr.
 */
function closableStdout(): { write: (t: string) => Promise<void>; writeFlushed: (b: Uint8Array) => Promise<void> } {
  let closed = false;
  const waiting = new Set<() => void>();
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!closed && e.code !== 'EPIPE') process.stderr.write(`vmilist: standard output failed (${e.code ?? e.message}); output dropped\n`);
    closed = true;
    for (const ok of waiting) ok();
    waiting.clear();
  });
  return {
    write: (t) => {
      if (closed) return Promise.resolve();
      if (process.stdout.write(t)) return Promise.resolve();
      return new Promise((ok) => {
        const done = (): void => {
          waiting.delete(done);
          ok();
        };
        waiting.add(done);
        process.stdout.once('drain', done);
      });
    },
    // resolves once the stream has handed the bytes on, so their buffer may be filled again
    writeFlushed: (b) => {
      if (closed) return Promise.resolve();
      return new Promise((ok) => {
        waiting.add(ok);
        process.stdout.write(b, () => {
          waiting.delete(ok);
          ok();
        });
      });
    },
  };
}

/** The context of the running process. */
export function realContext(): CliContext {
  const out = closableStdout();
  return {
    env: process.env,
    cwd: process.cwd(),
    // every byte printed passes here: untrusted text never reaches the terminal raw
    stdout: (t) => void out.write(sanitizeForTerminal(t)),
    writeStdout: (t) => out.write(sanitizeForTerminal(t)),
    writeStdoutBytes: (b) => out.writeFlushed(b),
    stderr: (t) => void process.stderr.write(sanitizeForTerminal(t)),
    progress: (t) => void process.stderr.write(t), // the bar's own \r and ESC[K; its label is sanitised by progressReporter
    isTTY: Boolean(process.stderr.isTTY),
    now: () => new Date(),
  };
}

/**
 * Reads an input: a file path, `-` for stdin, or anything the file system
 * opens (a FIFO, /dev/stdin). It is read with a running byte count and
 * refused as soon as it passes `maxBytes` (default 64 MiB; with `tooLarge`,
 * default ERR_TOO_LARGE; image lists use ERR_JSON_MALFORMED like the
 * parser), so no source can make memory grow past the cap. "Not found" and
 * friends become a one-line ERR_IO.
 */
export async function readInput(ctx: CliContext, path: string, maxBytes = DEFAULT_MAX_LIST_BYTES, tooLarge: ErrorCode = 'ERR_TOO_LARGE'): Promise<Uint8Array> {
  // stdin as a stream: /dev/stdin cannot be opened when it is a socket (as from many process managers)
  if (path === '-' || path === '/dev/stdin') return readBoundedStream(process.stdin, { maxBytes, tooLarge, label: 'standard input' });
  return readBounded(resolve(ctx.cwd, path), { maxBytes, tooLarge, label: path });
}

/** Writes a file atomically (temp file in the same directory, fsync, rename), as the state store does. */
export async function writeOutput(ctx: CliContext, path: string, data: string | Uint8Array): Promise<void> {
  // documents meant to be published (signed lists, templates): 0o666 less the umask, as any Unix tool
  await writeFileAtomic(resolve(ctx.cwd, path), data, { mode: 0o666 });
}

