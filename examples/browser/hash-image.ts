/**
 * Hashes a local image file with SHA-512 (in the page's worker) while
 * reporting progress, and finds the list entry it matches. The WebAssembly
 * backend is tried first; where a Content-Security-Policy refuses it the
 * library remembers the refusal (one attempt per page, one CSP report) and
 * the pure-JS backend does the work. The page says which ran.
 */
import { createHasher, hashStream } from '../../src/index.js';
import type { Hasher } from '../../src/index.js';
import type { BackendUsed, ImageHash, ImageRow } from './protocol.js';

/** Creates a SHA-512 hasher, saying which backend it got. */
export async function sha512Hasher(): Promise<{ hasher: Hasher; backend: BackendUsed }> {
  try {
    return { hasher: await createHasher('sha512', { backend: 'wasm' }), backend: 'wasm' };
  } catch {
    return { hasher: await createHasher('sha512', { backend: 'js' }), backend: 'js' };
  }
}

/** How often progress is reported: often enough for a smooth bar, rarely enough to cost nothing. */
const PROGRESS_EVERY_MS = 40;

/**
 * Hashes `file` in chunks (constant memory). `onProgress(done, total, millis)`
 * at most every {@link PROGRESS_EVERY_MS} and once at the end; `signal` stops it.
 */
export async function hashFile(
  file: Blob,
  onProgress: (done: number, total: number, millis: number) => void,
  signal?: AbortSignal,
): Promise<ImageHash> {
  const start = performance.now();
  const { hasher, backend } = await sha512Hasher();
  let last = 0;
  onProgress(0, file.size, 0);
  // maxBytes: a Blob cannot grow, but the cap documents that nothing beyond it is read
  const r = await hashStream(file.stream(), {
    hasher,
    signal,
    maxBytes: file.size,
    onProgress: (done) => {
      const now = performance.now();
      if (now - last < PROGRESS_EVERY_MS && done < file.size) return;
      last = now;
      onProgress(done, file.size, now - start);
    },
  });
  return { sha512: r.digest, size: r.size, backend, millis: performance.now() - start };
}

/** How a hashed file relates to a list. */
export type ImageMatch =
  | { readonly kind: 'match'; readonly image: ImageRow }
  | { readonly kind: 'size-differs'; readonly image: ImageRow }
  | { readonly kind: 'none' };

/** Finds the entry with this SHA-512 and size; a checksum hit with another size is reported as such. */
export function matchImage(images: readonly ImageRow[], hash: Pick<ImageHash, 'sha512' | 'size'>): ImageMatch {
  let sizeDiffers: ImageRow | undefined;
  for (const image of images) {
    if (image.sha512 !== hash.sha512) continue;
    if (image.size === hash.size) return { kind: 'match', image };
    sizeDiffers ??= image;
  }
  return sizeDiffers ? { kind: 'size-differs', image: sizeDiffers } : { kind: 'none' };
}
