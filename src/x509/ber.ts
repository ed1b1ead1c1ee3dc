/**
 * A small BER decoder: tag, length and content of every element, nothing
 * more. Certificates, CRLs and CMS are read field by field over it
 * (src/x509/der.ts). Elements are offsets into the input (no copies), so a
 * CRL of 20,000 revocations decodes in milliseconds, and what is checked is
 * the bytes that were signed. Indefinite lengths (CMS as `openssl smime`
 * streams it) are read; anything truncated, overlong or nested deeper than
 * {@link MAX_DEPTH} is an {@link AsnShapeError}.
 */

/** A structure or encoding that is not what it should be, naming what and where. */
export class AsnShapeError extends Error {
  override readonly name = 'AsnShapeError';
}

/** Tag classes (the two top bits of the identifier octet). */
export const CLASS = { universal: 0, application: 1, context: 2, private: 3 } as const;

/** Deepest nesting read: CMS with certificates is about 12 levels. */
export const MAX_DEPTH = 64;

/** One decoded element. */
export class Asn {
  constructor(
    private readonly input: Uint8Array,
    /** Tag class ({@link CLASS}). */
    readonly cls: number,
    /** Tag number. */
    readonly tag: number,
    /** Constructed (holds elements) or primitive (holds octets). */
    readonly constructed: boolean,
    private readonly start: number,
    private readonly contentStart: number,
    private readonly contentEnd: number,
    /** Offset just past the element (its end-of-contents octets included). */
    readonly end: number,
    /** The elements inside a constructed element (empty for a primitive one). */
    readonly children: readonly Asn[],
  ) {}

  /** The element's whole encoding (identifier, length, content) as received. */
  get encoding(): Uint8Array {
    return this.input.subarray(this.start, this.end);
  }

  /** The content octets (for an indefinite length: without the end-of-contents octets). */
  get content(): Uint8Array {
    return this.input.subarray(this.contentStart, this.contentEnd);
  }
}

const NONE: readonly Asn[] = Object.freeze([]);

// BOOLEAN, INTEGER, NULL, OBJECT IDENTIFIER, REAL, ENUMERATED, RELATIVE-OID
const ALWAYS_PRIMITIVE = new Set([1, 2, 5, 6, 9, 10, 13]);

/**
 * Decodes the element at the start of `input`; bytes after it are left
 * alone (see `.end`). At most `maxElements` elements are decoded (memory).
 *
 * @throws AsnShapeError saying what is wrong at which byte offset.
 */
export function decodeBer(input: Uint8Array, maxElements: number): Asn {
  const budget = { left: maxElements };
  return readElement(input, 0, input.length, 0, budget);
}

function broken(at: number, why: string): never {
  throw new AsnShapeError(`the encoding is broken at byte ${at}: ${why}`);
}

function readElement(b: Uint8Array, pos: number, limit: number, depth: number, budget: { left: number }): Asn {
  if (depth > MAX_DEPTH) broken(pos, `nested deeper than ${MAX_DEPTH} levels`);
  if (--budget.left < 0) broken(pos, 'too many elements');
  if (pos >= limit) broken(pos, 'an element is missing (the data ends)');
  let p = pos;
  const first = b[p++] as number;
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tag = first & 0x1f;
  if (tag === 0x1f) {
    // high tag number: base-128 digits, minimal, small enough for a number
    tag = 0;
    let digits = 0;
    let more = true;
    while (more) {
      if (p >= limit) broken(p, 'the tag is cut off');
      const x = b[p++] as number;
      if (digits === 0 && x === 0x80) broken(p - 1, 'the tag is not minimally encoded');
      if (++digits > 4) broken(p - 1, 'the tag number is too large');
      tag = tag * 128 + (x & 0x7f);
      more = (x & 0x80) !== 0;
    }
  }
  if (cls === CLASS.universal) {
    if (tag === 0) broken(pos, 'an end-of-contents marker where an element should be');
    // X.690 8.1.2.5: these are primitive only, SEQUENCE and SET constructed only
    if (constructed && ALWAYS_PRIMITIVE.has(tag)) broken(pos, `a constructed encoding of universal type ${tag}, which is always primitive`);
    if (!constructed && (tag === 16 || tag === 17)) broken(pos, `a primitive encoding of a ${tag === 16 ? 'SEQUENCE' : 'SET'}`);
  }
  if (p >= limit) broken(p, 'the length is cut off');
  const l0 = b[p++] as number;
  if (l0 === 0x80) {
    // indefinite length: elements up to the end-of-contents octets 00 00
    if (!constructed) broken(pos, 'an indefinite length on a primitive element');
    const children: Asn[] = [];
    let q = p;
    for (;;) {
      if (q + 2 > limit) broken(q, 'the end-of-contents octets are missing');
      if (b[q] === 0 && b[q + 1] === 0) break;
      const child = readElement(b, q, limit, depth + 1, budget);
      children.push(child);
      q = child.end;
    }
    return new Asn(b, cls, tag, true, pos, p, q, q + 2, children);
  }
  let length = l0;
  if (l0 > 0x80) {
    const n = l0 & 0x7f;
    if (n === 0x7f) broken(p - 1, 'a reserved length form');
    length = 0;
    for (let i = 0; i < n; i++) {
      if (p >= limit) broken(p, 'the length is cut off');
      length = length * 256 + (b[p++] as number);
      if (length > limit) broken(pos, 'the length runs past the end of the data');
    }
  }
  const end = p + length;
  if (end > limit) broken(pos, `the length (${length}) runs past the end of the data`);
  if (!constructed) return new Asn(b, cls, tag, false, pos, p, end, end, NONE);
  const children: Asn[] = [];
  let q = p;
  while (q < end) {
    const child = readElement(b, q, end, depth + 1, budget);
    children.push(child);
    q = child.end;
  }
  return new Asn(b, cls, tag, true, pos, p, end, end, children);
}
