/** Hashing files on disk at native speed (node:crypto, large reads overlapped with hashing). */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { VmiListError } from '../errors.js';

/** Bytes per read: large enough that syscalls and promise hops vanish, small enough for constant memory. */
const READ_BYTES = 2 << 20;

/** Options for {@link hashFile}. */
export interface HashFileOptions {
  /** Called after each read with the bytes hashed so far and the file size (from fstat). */
  onProgress?: (done: number, total?: number) => void;
  /** Stops hashing: rejects with `ERR_INPUT` ("… aborted", `cause` = `signal.reason`). */
  signal?: AbortSignal;
  /** Largest acceptable size: a longer file rejects with `ERR_TOO_LARGE` before it is read to the end. */
  maxBytes?: number;
}

/**
 * Size and SHA-512 (hex) of a file, read once in constant memory (two
 * 2 MiB buffers: the next read runs on the thread pool while the current
 * buffer is hashed, so hashing speed, not I/O, sets the pace).
 *
 * @throws VmiListError `ERR_IO` when the file cannot be read (message names
 *   the path), `ERR_TOO_LARGE` beyond `maxBytes`, `ERR_INPUT` on abort.
 */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<{ size: number; sha512: string }> {
  const { onProgress, signal, maxBytes } = options;
  const abort = (): VmiListError => new VmiListError('ERR_INPUT', `hashing ${path} aborted`, { cause: signal?.reason });
  const tooLarge = (n: number): VmiListError =>
    new VmiListError('ERR_TOO_LARGE', `${path} has more than the allowed ${maxBytes} bytes (at least ${n})`);
  if (signal?.aborted) throw abort();
  const h = createHash('sha512');
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (cause) {
    throw new VmiListError('ERR_IO', `cannot open ${path}: ${(cause as Error).message}`, { cause });
  }
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    const total = (await handle.stat()).size;
    if (maxBytes !== undefined && total > maxBytes) throw tooLarge(total);
    let buffers = [Buffer.allocUnsafe(READ_BYTES), Buffer.allocUnsafe(READ_BYTES)] as const;
    let size = 0;
    pending = handle.read(buffers[0], 0, READ_BYTES, 0);
    for (;;) {
      const { bytesRead }: { bytesRead: number } = await pending;
      if (bytesRead === 0) break;
      if (signal?.aborted) throw abort();
      // the file may grow while we read it
      if (maxBytes !== undefined && size + bytesRead > maxBytes) throw tooLarge(size + bytesRead);
      const current = buffers[0];
      // start the next read into the other buffer, then hash this one meanwhile
      pending = handle.read(buffers[1], 0, READ_BYTES, size + bytesRead);
      h.update(current.subarray(0, bytesRead));
      size += bytesRead;
      onProgress?.(size, total);
      buffers = [buffers[1], buffers[0]];
    }
    return { size, sha512: h.digest('hex') };
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  } finally {
    // a read still in flight after an early exit must not become an unhandled rejection
    pending?.catch(() => {});
    await handle.close().catch(() => {});
  }
}
