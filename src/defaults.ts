/**
 * The defaults of every option that has one, in one place: the verifier,
 * the reducer, the JSON reader, the fetcher and the CLI all resolve against
 * these, so a default cannot differ between two of them. Documented values
 * (README, TSDoc "Default …") must match this table.
 */
export const DEFAULTS = Object.freeze({
  /** Tolerated clock skew for `dc:date:created` in the future, seconds. */
  skewSeconds: 300,
  /** Largest signed message or list accepted, bytes (64 MiB). */
  maxListBytes: 64 * 1024 * 1024,
  /** Deepest JSON nesting accepted. */
  maxJsonDepth: 64,
  /** CRLs are required for every CA of the path. */
  crlPolicy: 'require',
  /** How long past nextUpdate a CRL still counts, seconds. */
  crlGraceSeconds: 0,
  /** Which certificates may sign. */
  certProfile: 'grid',
  /** SHA-1 signatures are refused. */
  allowSha1: false,
} as const);
