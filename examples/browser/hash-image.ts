/**
 * Hashes a local image file with SHA-512 while showing progress, and finds
 * the list entry it matches. The WebAssembly backend is tried first; under
 * a Content-Security-Policy without 'wasm-unsafe-eval' (this page's) it is
 * refused and the pure-JS backend does the work. The page says which.
 */
import { createHasher, hashStream, imagesOf } from '../../src/index.js';
import type { Hasher, Image, VerifiedImageList } from '../../src/index.js';

/** Which implementation hashed the file. */
export type BackendUsed = 'wasm' | 'js';

/** A finished hash. */
export interface ImageHash {
  readonly sha512: string;
  readonly size: number;
  readonly backend: BackendUsed;
  readonly millis: number;
}

/** Creates a SHA-512 hasher, saying which backend it got. */
export async function sha512Hasher(): Promise<{ hasher: Hasher; backend: BackendUsed }> {
  try {
    return { hasher: await createHasher('sha512', { backend: 'wasm' }), backend: 'wasm' };
  } catch {
    return { hasher: await createHasher('sha512', { backend: 'js' }), backend: 'js' };
  }
}

/** Hashes `file` in chunks (constant memory); `onProgress(done, total)` after each chunk. */
export async function hashFile(file: Blob, onProgress: (done: number, total: number) => void): Promise<ImageHash> {
  const start = performance.now();
  const { hasher, backend } = await sha512Hasher();
  onProgress(0, file.size);
  // maxBytes: a Blob cannot grow, but the cap documents that nothing beyond it is read
  const r = await hashStream(file.stream(), { hasher, maxBytes: file.size, onProgress: (done) => onProgress(done, file.size) });
  return { sha512: r.digest, size: r.size, backend, millis: performance.now() - start };
}

/** How a hashed file relates to a list. */
export type ImageMatch =
  | { readonly kind: 'match'; readonly image: Image }
  | { readonly kind: 'size-differs'; readonly image: Image }
  | { readonly kind: 'none' };

/** Finds the entry with this SHA-512 and size; a checksum hit with another size is reported as such. */
export function matchImage(list: VerifiedImageList, hash: Pick<ImageHash, 'sha512' | 'size'>): ImageMatch {
  let sizeDiffers: Image | undefined;
  for (const image of imagesOf(list.list)) {
    if (image['sl:checksum:sha512'].toLowerCase() !== hash.sha512) continue;
    if (image['hv:size'] === hash.size) return { kind: 'match', image };
    sizeDiffers ??= image;
  }
  return sizeDiffers ? { kind: 'size-differs', image: sizeDiffers } : { kind: 'none' };
}
