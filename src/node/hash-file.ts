/** Hashing files on disk (temporary implementation until the hash module lands). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { VmiListError } from '../errors.js';

/** Options for {@link hashFile}. */
export interface HashFileOptions {
  /** Called with the bytes hashed so far and the file size. */
  onProgress?: (done: number, total?: number) => void;
}

/** Size and SHA-512 (hex) of a file. */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<{ size: number; sha512: string }> {
  const h = createHash('sha512');
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
      options.onProgress?.(size);
    }
  } catch (cause) {
    throw new VmiListError('ERR_IO', `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
  return { size, sha512: h.digest('hex') };
}
