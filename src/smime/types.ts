/**
 * The contract of signing and verification: trust material, options and
 * inputs. Trust material is always an argument (the core reads no files);
 * `vmilist/node`'s `loadTrustStore` builds it from an IGTF CA directory.
 */
import type { EndorserPrincipal } from '../x509/principal.js';
import type { ImageList, ImageListDocument } from '../model/types.js';

/** A certificate, CRL or key as DER bytes or PEM text (PEM text may hold several). */
export type DerOrPem = Uint8Array | string;

/** An IGTF namespace file for one CA: EACL `.namespaces` or Globus `.signing_policy`. */
export interface NamespaceFile {
  /** File name, for messages (e.g. `1a2b3c4d.namespaces`). */
  readonly name: string;
  /** Syntax of `text`. */
  readonly format: 'eacl' | 'signing_policy';
  /** The file's contents. */
  readonly text: string;
}

/** Trust material for verification. */
export interface TrustMaterial {
  /** Trusted CA certificates (roots, and any CA the site trusts directly). */
  readonly trustAnchors: readonly DerOrPem[];
  /** Untrusted intermediate CA certificates that may complete a path. */
  readonly intermediates?: readonly DerOrPem[];
  /** CRLs for the CAs in the path. */
  readonly crls?: readonly DerOrPem[];
  /** Namespace constraints per issuing CA. */
  readonly namespaces?: readonly NamespaceFile[];
}

/** How revocation is checked. `require` (default) fails closed when a CA in the path has no valid CRL. */
export type CrlPolicy = 'require' | 'if-present' | 'off';

/** Which certificates may sign: `grid` accepts personal and host certificates; `smime` needs emailProtection. */
export type CertProfile = 'grid' | 'smime';

export type { EndorserPrincipal } from '../x509/principal.js';

/** Options for `verifySignedList`. */
export interface VerifyOptions extends TrustMaterial {
  /** The instant to verify at (certificate, CRL and list validity). Required: the core has no clock. */
  readonly at: Date | number | string;
  /** Allow-list of endorsers; when given, the signer must be one of them (`ERR_ENDORSER_NOT_TRUSTED`). */
  readonly endorsers?: readonly EndorserPrincipal[];
  /** Accept SHA-1 signatures (2011-era lists). Default false → `ERR_DIGEST_WEAK`. MD5 is never accepted. */
  readonly allowSha1?: boolean;
  /** Revocation policy. Default `require`. */
  readonly crlPolicy?: CrlPolicy;
  /** Accept a CRL up to this many seconds past its nextUpdate. Default 0. */
  readonly crlGraceSeconds?: number;
  /** Certificate usage profile. Default `grid`. */
  readonly certProfile?: CertProfile;
  /** Allowed clock skew for `dc:date:created` in the future, seconds. Default 300. */
  readonly skewSeconds?: number;
  /** Refuse dialect forms of the list. Default false. */
  readonly strict?: boolean;
  /** Largest accepted message in bytes. Default 64 MiB. */
  readonly maxBytes?: number;
  /** A WebCrypto implementation for runtimes without `globalThis.crypto`. */
  readonly crypto?: Crypto;
}

/** A message to verify: S/MIME text or bytes, or raw CMS with its detached content. */
export type SignedInput = string | Uint8Array | { readonly cms: DerOrPem; readonly content: Uint8Array | string };

/** Digest algorithms for signing. */
export type SignDigest = 'sha256' | 'sha384' | 'sha512';

/** Options for `signImageList`. */
export interface SignOptions {
  /** The signer certificate (PEM or DER). */
  readonly certificate: DerOrPem;
  /** The private key: PEM (PKCS#8 or traditional RSA) or PKCS#8 DER, or a WebCrypto key. */
  readonly privateKey: DerOrPem | CryptoKey;
  /** Intermediate certificates to embed. */
  readonly chain?: readonly DerOrPem[];
  /** Digest. Default `sha512`. */
  readonly digest?: SignDigest;
  /** `true` (default): multipart/signed; `false`: opaque application/pkcs7-mime. */
  readonly detached?: boolean;
  /** signingTime attribute. Required: the core has no clock. */
  readonly signingTime: Date;
  /** A WebCrypto implementation for runtimes without `globalThis.crypto`. */
  readonly crypto?: Crypto;
}

/** What can be signed: a list, a document, or the exact bytes/text to sign. */
export type SignableList = ImageList | ImageListDocument | Uint8Array | string;
