/**
 * WebCrypto for the verifier in Node with its digests done by node:crypto.
 * `crypto.subtle.digest` copies its input for the worker thread it hashes on
 * and frees the copy only when the job object is collected, so a 60 MB list
 * was held two or three times over; `createHash` hashes the bytes in place.
 * Everything else (signature checks) is Node's WebCrypto unchanged.
 */
import { createHash, webcrypto } from 'node:crypto';

const NODE_HASH: Readonly<Record<string, string>> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function viewOf(data: BufferSource): Uint8Array {
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** A `Crypto` for `verifySignedList({ crypto })`: Node's WebCrypto, digests without copying the data. */
export function digestInPlaceCrypto(): Crypto {
  const subtle = webcrypto.subtle as SubtleCrypto;
  const digest = (algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> => {
    const node = NODE_HASH[(typeof algorithm === 'string' ? algorithm : algorithm.name).toUpperCase()];
    if (node === undefined) return subtle.digest(algorithm, data);
    try {
      const out = createHash(node).update(viewOf(data)).digest();
      return Promise.resolve(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  };
  // Node's SubtleCrypto methods check `this`: bind each to the real object
  const wrapped = new Proxy(subtle, {
    get(target, prop) {
      if (prop === 'digest') return digest;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    subtle: wrapped,
    getRandomValues: <T extends ArrayBufferView | null>(array: T): T => webcrypto.getRandomValues(array as never) as T,
    randomUUID: () => webcrypto.randomUUID(),
  } as Crypto;
}
