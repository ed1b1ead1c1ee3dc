/** The pure-JavaScript backend on @noble/hashes: every algorithm, any runtime, no WebAssembly. */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { toHex } from '../encoding/hex.js';
import { SingleUseHasher } from './single-use.js';
import type { HashAlgorithm, Hasher } from './types.js';

/** The noble state object behind a hasher (the part we use). */
interface NobleHash {
  update(buf: Uint8Array): unknown;
  digest(): Uint8Array;
}

const CREATE: Record<HashAlgorithm, () => NobleHash> = {
  sha512: () => sha512.create(),
  sha384: () => sha384.create(),
  sha256: () => sha256.create(),
  sha1: () => sha1.create(),
};

// its own class name, so the backend in use can be told apart
class JsHasher extends SingleUseHasher {
  constructor(algorithm: HashAlgorithm) {
    const state = CREATE[algorithm]();
    super(algorithm, { update: (chunk) => state.update(chunk), digestHex: () => toHex(state.digest()) });
  }
}

/** A pure-JavaScript hasher for any {@link HashAlgorithm}. */
export function createJsHasher(algorithm: HashAlgorithm): Hasher {
  return new JsHasher(algorithm);
}
