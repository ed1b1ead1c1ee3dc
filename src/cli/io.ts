/** The real process context for the CLI, and small file helpers the commands share. */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { VmiListError, type ErrorCode } from '../errors.js';
import type { CliContext } from './context.js';
import { describeFsError } from '../node/fs-errors.js';
import { writeFileAtomic } from '../node/state-store.js';

/** The context of the running process. */
export function realContext(): CliContext {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: (t) => void process.stdout.write(t),
    writeStdout: (t) => (process.stdout.write(t) ? Promise.resolve() : new Promise((ok) => process.stdout.once('drain', ok))),
    stderr: (t) => void process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
    now: () => new Date(),
  };
}

/**
 * Reads a file, turning "not found" and friends into a one-line ERR_IO, and
 * refusing a regular file over `maxBytes` before reading it (with `tooLarge`,
 * default ERR_TOO_LARGE; image lists use ERR_JSON_MALFORMED like the parser).
 */
export async function readInput(ctx: CliContext, path: string, maxBytes?: number, tooLarge: ErrorCode = 'ERR_TOO_LARGE'): Promise<Uint8Array> {
  const full = resolve(ctx.cwd, path);
  try {
    if (maxBytes !== undefined) {
      const info = await stat(full);
      if (info.isFile() && info.size > maxBytes) {
        throw new VmiListError(tooLarge, `${path} is ${info.size} bytes, too large: over the limit of ${maxBytes} bytes`);
      }
    }
    const buf = await readFile(full);
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength); // a view, not a copy
    if (maxBytes !== undefined && bytes.byteLength > maxBytes) {
      throw new VmiListError(tooLarge, `${path} is too large: over the limit of ${maxBytes} bytes`);
    }
    return bytes;
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_IO', `cannot read ${path}: ${describeFsError(cause)}`, { cause });
  }
}

/** Writes a file atomically (temp file in the same directory, fsync, rename), as the state store does. */
export async function writeOutput(ctx: CliContext, path: string, data: string | Uint8Array): Promise<void> {
  await writeFileAtomic(resolve(ctx.cwd, path), data);
}

