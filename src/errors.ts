/**
 * The one error class of vmilist. Every failure the library reports is a
 * {@link VmiListError} whose {@link VmiListError.code | code} says what kind
 * of failure it is, so callers branch on codes, never on message text.
 *
 * @packageDocumentation
 */

/** Every error code vmilist can produce, grouped by the step that produces it. */
export const ERROR_CODES = [
  // S/MIME and CMS (verification steps 1–2)
  'ERR_MIME_MALFORMED',
  'ERR_SIGNATURE_INVALID',
  'ERR_DIGEST_WEAK',
  // certificate path, usage, namespaces, revocation (steps 3–5)
  'ERR_CERT_UNTRUSTED',
  'ERR_CERT_EXPIRED',
  'ERR_CERT_REVOKED',
  'ERR_CRL_MISSING',
  'ERR_CRL_EXPIRED',
  'ERR_CERT_USAGE',
  'ERR_NAMESPACE_VIOLATION',
  // payload (step 6)
  'ERR_JSON_MALFORMED',
  'ERR_SCHEMA_INVALID',
  // time and binding (steps 7–8)
  'ERR_LIST_EXPIRED',
  'ERR_LIST_NOT_YET_VALID',
  'ERR_ENDORSER_MISMATCH',
  'ERR_ENDORSER_NOT_TRUSTED',
  // subscription rules
  'ERR_VERSION_ROLLBACK',
  'ERR_VERSION_REUSED',
  'ERR_LIST_ID_MISMATCH',
  'ERR_UUID_CONFLICT',
  // images
  'ERR_HASH_MISMATCH',
  'ERR_SIZE_MISMATCH',
  'ERR_TOO_LARGE',
  // callers and adapters
  'ERR_INPUT',
  'ERR_IO',
] as const;

/** A string-literal union of every code in {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One problem found in a document, located by a JSON-pointer-like path. */
export interface Issue {
  /** Where the problem is, e.g. `/hv:imagelist/hv:images/0/hv:image/dc:identifier`. */
  readonly path: string;
  /** What is wrong there. */
  readonly message: string;
}

/** Options accepted by the {@link VmiListError} constructor. */
export interface VmiListErrorOptions {
  /** Schema or parse issues, each with its path. */
  issues?: readonly Issue[];
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * The single error type thrown by vmilist.
 *
 * @example
 * ```ts
 * try { parseImageList(text) } catch (e) {
 *   if (e instanceof VmiListError && e.code === 'ERR_SCHEMA_INVALID') console.log(e.issues)
 * }
 * ```
 */
export class VmiListError extends Error {
  /** What kind of failure this is. */
  readonly code: ErrorCode;
  /** Every issue found, for schema and parse failures; empty otherwise. */
  readonly issues: readonly Issue[];

  constructor(code: ErrorCode, message: string, options: VmiListErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmiListError';
    this.code = code;
    this.issues = options.issues ?? [];
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): { code: ErrorCode; message: string; issues?: readonly Issue[] } {
    return this.issues.length > 0
      ? { code: this.code, message: this.message, issues: this.issues }
      : { code: this.code, message: this.message };
  }
}

/** True when `value` is a {@link VmiListError}, optionally with the given code. */
export function isVmiListError(value: unknown, code?: ErrorCode): value is VmiListError {
  return value instanceof VmiListError && (code === undefined || value.code === code);
}
