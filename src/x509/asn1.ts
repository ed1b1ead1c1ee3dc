/**
 * Reading DER/BER with asn1js in our own words: asn1js reports some faults
 * in a result field and throws others ("Wrong input string for conversion"
 * from a damaged time value); pkijs throws "Object's schema was not verified
 * against input data for X". Callers get one VmiListError naming what was
 * being read, with the parser's text kept only as a detail.
 */
import * as asn1js from 'asn1js';
import { type ErrorCode, VmiListError } from '../errors.js';
import { AsnShapeError } from './der.js';

/** The parser's complaint as a clause for our messages. */
export function parserDetail(cause: unknown): string {
  if (cause instanceof AsnShapeError) return cause.message;
  const text = cause instanceof Error ? cause.message : String(cause);
  const schema = /schema was not verified against input data for (\w+)/.exec(text);
  if (schema) return `its ASN.1 structure is not that of a ${schema[1]}`;
  if (/Wrong input string for conversion/.test(text)) return 'a time value inside it is not a valid UTCTime/GeneralizedTime';
  return `the ASN.1 decoder stopped: ${text}`;
}

/** How many ASN.1 elements one structure may have unless the caller says otherwise. */
export const DEFAULT_MAX_ELEMENTS = 100_000;

/**
 * Decodes the BER element at the start of `bytes`. `what` names the thing
 * (e.g. "the signature part"). Bytes after the element are left alone, as
 * openssl does. The elements are views into `bytes` (no copy): OCTET STRING
 * contents are not decoded as ASN.1 (a 60 MB list inside a signature stays
 * one value). `maxElements` bounds the tree (memory): a CRL of a big CA has
 * hundreds of thousands.
 *
 * @throws VmiListError `code`
 */
export function readBer(bytes: Uint8Array, what: string, code: ErrorCode, maxElements = DEFAULT_MAX_ELEMENTS): asn1js.AsnType {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes as Uint8Array<ArrayBuffer>, { copyInput: false, parseEmbedded: false, maxNodes: maxElements, maxContentLength: bytes.length });
  } catch (cause) {
    throw new VmiListError(code, `${what} is not valid DER/BER: ${parserDetail(cause)}`, { cause });
  }
  if (parsed.offset === -1) {
    const why = parsed.result.error || 'unreadable encoding';
    throw new VmiListError(code, `${what} is not valid DER/BER (${bytes.length} bytes): ${why}`);
  }
  return parsed.result;
}
