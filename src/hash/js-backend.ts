/** The pure-JavaScript backend on @noble/hashes: every algorithm, any runtime, no WebAssembly. */
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { VmiListError } from '../errors.js';
import { toHex } from './hex.js';
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

class JsHasher implements Hasher {
  readonly algorithm: HashAlgorithm;
  #bytes = 0;
  #state: NobleHash | undefined;

  constructor(algorithm: HashAlgorithm) {
    this.algorithm = algorithm;
    this.#state = CREATE[algorithm]();
  }

  get bytesHashed(): number {
    return this.#bytes;
  }

  #live(what: string): NobleHash {
    if (!this.#state) throw new VmiListError('ERR_INPUT', `${this.algorithm} hasher: ${what} after digest()`);
    return this.#state;
  }

  update(chunk: Uint8Array): this {
    this.#live('update()').update(chunk);
    this.#bytes += chunk.length;
    return this;
  }

  digest(): string {
    const out = toHex(this.#live('digest()').digest());
    this.#state = undefined;
    return out;
  }
}

/** A pure-JavaScript hasher for any {@link HashAlgorithm}. */
export function createJsHasher(algorithm: HashAlgorithm): Hasher {
  return new JsHasher(algorithm);
}
