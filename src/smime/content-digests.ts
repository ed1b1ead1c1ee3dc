/**
 * The digests of a signed content, each computed at most once: the CMS check
 * needs the signer's digest of the content as received (or of its CRLF
 * canonical form), the verified list its SHA-256 of the canonical form. When
 * the content is already canonical (a detached part as openssl writes it),
 * both forms are the same bytes and share one hash pass.
 */
import type { DigestName } from './algorithms.js';
import { webCryptoHash } from './algorithms.js';
import { bs, toCrlf } from './bytes.js';

/** Which bytes: the content exactly as received, or its CRLF canonical form. */
export type ContentForm = 'as-received' | 'crlf';

/** Lazily computed, cached digests of one content. */
export class ContentDigests {
  private canonical: Uint8Array | undefined;
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(
    /** The content as received. */
    readonly content: Uint8Array,
    private readonly crypto: Crypto,
  ) {}

  /** The CRLF canonical form (the content itself when it has no bare LF). */
  crlf(): Uint8Array {
    return (this.canonical ??= toCrlf(this.content));
  }

  /** The bytes of a form. */
  bytes(form: ContentForm): Uint8Array {
    return form === 'crlf' ? this.crlf() : this.content;
  }

  /** The digest of a form, hashed once per distinct bytes and algorithm. */
  digest(form: ContentForm, name: DigestName): Promise<Uint8Array> {
    const data = this.bytes(form);
    const key = `${data === this.content ? 'as-received' : 'crlf'}:${name}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.crypto.subtle.digest(webCryptoHash(name), bs(data)).then((b) => new Uint8Array(b));
      this.cache.set(key, p);
    }
    return p;
  }
}
