/**
 * Reading BER in our own words: the decoder (src/x509/ber.ts) and the field
 * readers (src/x509/der.ts) throw an AsnShapeError naming what is wrong;
 * callers get one VmiListError naming what was being read, with that text
 * kept as a detail.
 */
import { type ErrorCode, VmiListError } from '../errors.js';
import { AsnShapeError, decodeBer, type Asn } from './ber.js';

/** The decoder's complaint as a clause for our messages. */
export function parserDetail(cause: unknown): string {
  if (cause instanceof AsnShapeError) return cause.message;
  return `the ASN.1 decoder stopped: ${cause instanceof Error ? cause.message : String(cause)}`;
}

/** How many ASN.1 elements one structure may have unless the caller says otherwise. */
export const DEFAULT_MAX_ELEMENTS = 100_000;

/**
 * Decodes the BER element at the start of `bytes`. `what` names the thing
 * (e.g. "the signature part"). Bytes after the element are left alone, as
 * openssl does. The elements are views into `bytes` (no copy); OCTET STRING
 * contents are not decoded (a 60 MB list inside a signature stays one
 * value). `maxElements` bounds the tree (memory): a CRL of a big CA has
 * hundreds of thousands.
 *
 * @throws VmiListError `code`
 */
export function readBer(bytes: Uint8Array, what: string, code: ErrorCode, maxElements = DEFAULT_MAX_ELEMENTS): Asn {
  try {
    return decodeBer(bytes, maxElements);
  } catch (cause) {
    throw new VmiListError(code, `${what} is not valid DER/BER (${bytes.length} bytes): ${parserDetail(cause)}`, { cause });
  }
}
