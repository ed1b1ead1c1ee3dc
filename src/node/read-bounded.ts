/**
 * Reads a whole input with a running byte count and stops at a cap, for
 * every kind of source: a regular file (refused from its size before any
 * read), a pipe, a FIFO, a character device such as /dev/zero, stdin. So
 * memory stays bounded by the cap whatever the path names.
 */
import { open } from 'node:fs/promises';
import { concatBytes } from '../encoding/concat.js';
import { VmiListError, type ErrorCode } from '../errors.js';
import { describeFsError } from './fs-errors.js';

/** Options for {@link readBounded}. */
export interface ReadBoundedOptions {
  /** Most bytes accepted. */
  readonly maxBytes: number;
  /** The code for input over the cap. Default `ERR_TOO_LARGE`. */
  readonly tooLarge?: ErrorCode;
  /** How the input is named in messages. Default the path. */
  readonly label?: string;
}

const CHUNK = 1 << 20;

/**
 * The bytes of `path`, at most `maxBytes` of them.
 *
 * @throws VmiListError `tooLarge` (default `ERR_TOO_LARGE`) over the cap, as
 *   soon as the cap is passed; `ERR_IO` when it cannot be read.
 */
export async function readBounded(path: string, options: ReadBoundedOptions): Promise<Uint8Array> {
  const { maxBytes } = options;
  const label = options.label ?? path;
  const tooLarge = (size?: number) => tooLargeError(label, options, size);
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw new VmiListError('ERR_IO', `cannot read ${label}: ${describeFsError(cause)}`, { cause });
  }
  try {
    const st = await fh.stat();
    if (st.isFile() && st.size > maxBytes) throw tooLarge(st.size);
    const parts: Uint8Array[] = [];
    let total = 0;
    if (st.isFile()) {
      // a regular file: read into one buffer of its size plus one byte (to
      // notice growth), not in chunks then copied: a 30 MB list touched once, not twice
      const whole = new Uint8Array(st.size + 1);
      while (total < whole.byteLength) {
        const { bytesRead } = await fh.read(whole, total, whole.byteLength - total, null);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      if (total < whole.byteLength) return whole.subarray(0, total);
      if (total > maxBytes) throw tooLarge();
      parts.push(whole); // it grew (or says size 0, as /proc files do): the rest chunk by chunk
    }
    // anything else: chunk by chunk
    for (;;) {
      const room = maxBytes + 1 - total;
      const buf = new Uint8Array(Math.min(CHUNK, room));
      const { bytesRead } = await fh.read(buf, 0, buf.byteLength, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > maxBytes) throw tooLarge();
      parts.push(bytesRead === buf.byteLength ? buf : buf.subarray(0, bytesRead));
    }
    return concatBytes(parts);
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_IO', `cannot read ${label}: ${describeFsError(cause)}`, { cause });
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The bytes of a stream (e.g. `process.stdin`), at most `maxBytes` of them;
 * it stops reading as soon as the cap is passed.
 *
 * @throws VmiListError `tooLarge` (default `ERR_TOO_LARGE`) over the cap; `ERR_IO` on a read error.
 */
export async function readBoundedStream(chunks: AsyncIterable<Uint8Array | string>, options: ReadBoundedOptions & { readonly label: string }): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of chunks) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      total += bytes.byteLength;
      if (total > options.maxBytes) throw tooLargeError(options.label, options);
      parts.push(bytes);
    }
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    throw new VmiListError('ERR_IO', `cannot read ${options.label}: ${describeFsError(cause)}`, { cause });
  }
  return concatBytes(parts);
}

function tooLargeError(label: string, options: ReadBoundedOptions, size?: number): VmiListError {
  return new VmiListError(
    options.tooLarge ?? 'ERR_TOO_LARGE',
    size === undefined
      ? `${label} is too large: over the limit of ${options.maxBytes} bytes (reading stopped there)`
      : `${label} is ${size} bytes, too large: over the limit of ${options.maxBytes} bytes`,
  );
}
