/**
 * The `Hasher` contract around any incremental digest engine: bytes are
 * counted, and the hasher is single use (update or digest after digest is
 * `ERR_INPUT`). The JS and node:crypto backends are both this wrapper.
 */
import { VmiListError } from '../errors.js';
import type { HashAlgorithm, Hasher } from './types.js';

/** The two operations a backend supplies. */
export interface DigestEngine {
  update(chunk: Uint8Array): unknown;
  /** The digest as lower-case hex; called once. */
  digestHex(): string;
}

/** A single-use {@link Hasher} over a {@link DigestEngine}. */
export class SingleUseHasher implements Hasher {
  readonly algorithm: HashAlgorithm;
  #bytes = 0;
  #engine: DigestEngine | undefined;

  constructor(algorithm: HashAlgorithm, engine: DigestEngine) {
    this.algorithm = algorithm;
    this.#engine = engine;
  }

  get bytesHashed(): number {
    return this.#bytes;
  }

  #live(what: string): DigestEngine {
    if (!this.#engine) throw new VmiListError('ERR_INPUT', `${this.algorithm} hasher: ${what} after digest()`);
    return this.#engine;
  }

  update(chunk: Uint8Array): this {
    this.#live('update()').update(chunk);
    this.#bytes += chunk.length;
    return this;
  }

  digest(): string {
    const out = this.#live('digest()').digestHex();
    this.#engine = undefined;
    return out;
  }
}
