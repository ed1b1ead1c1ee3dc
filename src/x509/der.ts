/**
 * Reading ASN.1 structures (certificates, CRLs, CMS) field by field over the
 * element tree src/x509/ber.ts decodes. Each reader checks the tag it expects and
 * throws an {@link AsnShapeError} naming the field that is wrong; callers
 * turn that into a VmiListError with their own code and place. Values are
 * read from the element's own bytes, so what is checked is what was signed.
 */
import { concatBytes } from '../encoding/concat.js';
import { AsnShapeError, CLASS, type Asn } from './ber.js';

export { AsnShapeError, type Asn } from './ber.js';

const UNIVERSAL = CLASS.universal;
const CONTEXT = CLASS.context;

/** Universal tag numbers used here. */
export const TAG = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  enumerated: 10,
  sequence: 16,
  set: 17,
  utcTime: 23,
  generalizedTime: 24,
} as const;

function fail(what: string, expected: string): never {
  throw new AsnShapeError(`${what} is not ${expected}`);
}

/** Whether `n` has the universal tag `tag`. */
export function isUniversal(n: Asn | undefined, tag: number): n is Asn {
  return n !== undefined && n.cls === UNIVERSAL && n.tag === tag;
}

/** Whether `n` has the context-specific tag `[tag]`. */
export function isContext(n: Asn | undefined, tag: number): n is Asn {
  return n !== undefined && n.cls === CONTEXT && n.tag === tag;
}

/** The element's whole encoding (tag, length, content) as received. */
export function encodingOf(n: Asn): Uint8Array {
  return n.encoding;
}

/** The content octets of a primitive element. */
export function contentOf(n: Asn, what: string): Uint8Array {
  if (n.constructed) fail(what, 'a primitive value');
  return n.content;
}

/** The inner elements of a constructed element. */
export function childrenOf(n: Asn, what: string): Asn[] {
  if (!n.constructed) fail(what, 'a constructed value');
  return n.children as Asn[];
}

/** The elements of a SEQUENCE, between `min` and `max` of them. */
export function sequence(n: Asn | undefined, what: string, min = 0, max = Infinity): Asn[] {
  if (!isUniversal(n, TAG.sequence)) fail(what, 'a SEQUENCE');
  const items = childrenOf(n, what);
  if (items.length < min || items.length > max) fail(what, `a SEQUENCE of ${min === max ? min : `${min}–${max}`} elements`);
  return items;
}

/** The elements of a SET (OF). */
export function set(n: Asn | undefined, what: string): Asn[] {
  if (!isUniversal(n, TAG.set)) fail(what, 'a SET');
  return childrenOf(n, what);
}

/** The single element inside an EXPLICIT `[tag]`. */
export function explicit(n: Asn, tag: number, what: string): Asn {
  if (!isContext(n, tag)) fail(what, `tagged [${tag}]`);
  const inner = childrenOf(n, what);
  if (inner.length !== 1) fail(what, `one value tagged [${tag}]`);
  return inner[0] as Asn;
}

/** A dotted OBJECT IDENTIFIER, decoded strictly (minimal sub-identifiers). */
export function oid(n: Asn | undefined, what: string): string {
  if (!isUniversal(n, TAG.oid)) fail(what, 'an OBJECT IDENTIFIER');
  return decodeOid(contentOf(n, what), what);
}

function decodeOid(bytes: Uint8Array, what: string): string {
  if (bytes.length === 0 || (bytes[bytes.length - 1] as number) & 0x80) fail(what, 'a well-formed OBJECT IDENTIFIER');
  const arcs: string[] = [];
  // numbers while exact, BigInt for the rare huge arc (2.25.<UUID>)
  let small = 0;
  let big: bigint | undefined;
  let start = true;
  for (const b of bytes) {
    if (start && b === 0x80) fail(what, 'a minimally encoded OBJECT IDENTIFIER');
    if (big === undefined && small < 2 ** 45) small = small * 128 + (b & 0x7f);
    else big = (big ?? BigInt(small)) * 128n + BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (!start) continue;
    if (arcs.length === 0) {
      // the first sub-identifier holds two arcs: 40 × first + second (first ≤ 2)
      if (big === undefined) arcs.push(String(small < 40 ? 0 : small < 80 ? 1 : 2), String(small < 80 ? small % 40 : small - 80));
      else arcs.push('2', String(big - 80n));
    } else arcs.push(String(big ?? small));
    small = 0;
    big = undefined;
  }
  return arcs.join('.');
}

/** The content octets of an INTEGER (two's complement, as encoded). */
export function integerBytes(n: Asn | undefined, what: string, tag: number = TAG.integer): Uint8Array {
  if (!isUniversal(n, tag)) fail(what, tag === TAG.enumerated ? 'an ENUMERATED' : 'an INTEGER');
  const bytes = contentOf(n, what);
  if (bytes.length === 0) fail(what, 'a well-formed INTEGER');
  return bytes;
}

/** A small non-negative INTEGER (or ENUMERATED) as a number. */
export function smallInteger(n: Asn | undefined, what: string, tag: number = TAG.integer): number {
  const bytes = integerBytes(n, what, tag);
  if (bytes.length > 4 || (bytes[0] as number) & 0x80) fail(what, 'a small non-negative INTEGER');
  let v = 0;
  for (const b of bytes) v = v * 256 + b;
  return v;
}

/** A BOOLEAN (BER: any non-zero octet is true). */
export function boolean(n: Asn | undefined, what: string): boolean {
  if (!isUniversal(n, TAG.boolean)) fail(what, 'a BOOLEAN');
  return booleanContent(n, what);
}

/** The value of a BOOLEAN whose tag was checked by the caller (`[n] IMPLICIT BOOLEAN`). */
export function booleanContent(n: Asn, what: string): boolean {
  const bytes = contentOf(n, what);
  if (bytes.length !== 1) fail(what, 'a well-formed BOOLEAN');
  return bytes[0] !== 0;
}

/** An OCTET STRING's bytes; a constructed (BER) one is joined from its parts. */
export function octets(n: Asn | undefined, what: string): Uint8Array {
  if (!isUniversal(n, TAG.octetString)) fail(what, 'an OCTET STRING');
  return octetContent(n, what);
}

/** The bytes of an OCTET STRING whose tag was checked by the caller (`[n] IMPLICIT OCTET STRING` included). */
export function octetContent(n: Asn, what: string): Uint8Array {
  if (!n.constructed) return contentOf(n, what);
  return concatBytes(childrenOf(n, what).map((p) => octets(p, `a part of ${what}`)));
}

/** A BIT STRING: its bytes (the unused-bits octet removed) and how many trailing bits are unused. */
export function bitString(n: Asn | undefined, what: string): { readonly bytes: Uint8Array; readonly unusedBits: number } {
  if (!isUniversal(n, TAG.bitString)) fail(what, 'a BIT STRING');
  return bitContent(n, what);
}

/** The value of a BIT STRING whose tag was checked by the caller. */
export function bitContent(n: Asn, what: string): { readonly bytes: Uint8Array; readonly unusedBits: number } {
  const c = contentOf(n, what);
  const unusedBits = c[0];
  if (unusedBits === undefined || unusedBits > 7 || (c.length === 1 && unusedBits !== 0)) fail(what, 'a well-formed BIT STRING');
  return { bytes: c.subarray(1), unusedBits };
}

/** The numbers of the bits set in a named-bit BIT STRING (bit 0 is the first). */
export function bitsSet(bits: { readonly bytes: Uint8Array; readonly unusedBits: number }): Set<number> {
  const out = new Set<number>();
  const count = bits.bytes.length * 8 - bits.unusedBits;
  for (let i = 0; i < count; i++) if (((bits.bytes[i >> 3] as number) >> (7 - (i & 7))) & 1) out.add(i);
  return out;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * A `Time` (UTCTime or GeneralizedTime) as milliseconds since the epoch.
 * Only the UTC forms with seconds certificates and CRLs use (RFC 5280
 * §4.1.2.5), `YYMMDDHHMMSSZ` and `YYYYMMDDHHMMSS[.fff]Z`: a local time would
 * make the verdict depend on the machine. Read digit by digit (a CRL has a
 * date for every revocation).
 */
export function time(n: Asn | undefined, what: string): number {
  const utc = isUniversal(n, TAG.utcTime);
  if (!utc && !isUniversal(n, TAG.generalizedTime)) fail(what, 'a UTCTime or GeneralizedTime');
  const c = contentOf(n, what);
  const bad = (): never => fail(what, `a UTC time with seconds (it is "${String.fromCharCode(...c.subarray(0, 32)).replace(/[^\x20-\x7e]/g, '?')}")`);
  const digits = (at: number, count: number): number => {
    let v = 0;
    for (let i = at; i < at + count; i++) {
      const d = (c[i] ?? 0) - 0x30;
      if (d < 0 || d > 9) bad();
      v = v * 10 + d;
    }
    return v;
  };
  let p = 0;
  let year: number;
  if (utc) {
    // RFC 5280: a two-digit year YY >= 50 is 19YY, else 20YY
    const yy = digits(0, 2);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    p = 2;
  } else {
    year = digits(0, 4);
    p = 4;
  }
  const month = digits(p, 2);
  const day = digits(p + 2, 2);
  const hour = digits(p + 4, 2);
  const minute = digits(p + 6, 2);
  const second = digits(p + 8, 2);
  p += 10;
  let ms = 0;
  if (!utc && c[p] === 0x2e) {
    // fractional seconds (not in RFC 5280, but harmless): at least one digit, kept to the millisecond
    let scale = 100;
    let count = 0;
    for (p++; p < c.length && c[p] !== 0x5a; p++, count++) {
      const d = (c[p] as number) - 0x30;
      if (d < 0 || d > 9) bad();
      ms += d * scale;
      scale /= 10;
    }
    if (count === 0) bad();
    ms = Math.floor(ms);
  }
  if (c[p] !== 0x5a || p + 1 !== c.length) bad();
  const leap = month === 2 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 1 : 0;
  if (month < 1 || month > 12 || day < 1 || day > (DAYS_IN_MONTH[month - 1] as number) + leap || hour > 23 || minute > 59 || second > 59) {
    fail(what, `a valid date and time (it is "${String.fromCharCode(...c)}")`);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** An AlgorithmIdentifier: its OID, its parameters (if any) and its encoding. */
export interface AlgorithmId {
  readonly oid: string;
  readonly params?: Asn;
  /** The whole AlgorithmIdentifier as encoded (to compare two of them). */
  readonly encoding: Uint8Array;
}

/** Reads an AlgorithmIdentifier `SEQUENCE { algorithm OID, parameters ANY OPTIONAL }`. */
export function algorithmId(n: Asn | undefined, what: string): AlgorithmId {
  const [alg, params] = sequence(n, what, 1, 2);
  const id = oid(alg, `the algorithm of ${what}`);
  return { oid: id, ...(params ? { params } : {}), encoding: encodingOf(n as Asn) };
}

/** One extension of a certificate or CRL. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  /** The extnValue octets: the DER of the extension's own structure. */
  readonly value: Uint8Array;
}

/**
 * Reads `Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension`. An extension
 * that appears twice is refused (RFC 5280 §4.2: "MUST NOT include more than
 * one instance"; OpenSSL refuses such a certificate too): which one would count?
 */
export function extensions(n: Asn | undefined, what: string): Extension[] {
  const out: Extension[] = [];
  const items = sequence(n, what, 1);
  for (let i = 0; i < items.length; i++) {
    const place = `extension ${i + 1} of ${what}`;
    const parts = sequence(items[i], place, 2, 3);
    const id = oid(parts[0], place);
    const critical = parts.length === 3 ? boolean(parts[1], `the critical flag of ${place}`) : false;
    const value = octets(parts[parts.length - 1], `the value of ${place}`);
    if (out.some((e) => e.oid === id)) throw new AsnShapeError(`${what} has extension ${id} twice`);
    out.push({ oid: id, critical, value });
  }
  return out;
}

// universal string types BER may split into parts (X.690 8.23): OCTET STRING and the character strings
const SPLITTABLE = new Set([4, 12, 18, 19, 20, 21, 22, 25, 26, 27, 28, 29, 30]);

/** DER identifier and length octets. */
function derHeader(cls: number, constructed: boolean, tag: number, length: number): number[] {
  const out: number[] = [];
  const first = (cls << 6) | (constructed ? 0x20 : 0);
  if (tag < 0x1f) out.push(first | tag);
  else {
    const digits: number[] = [];
    for (let t = tag; t > 0; t = Math.floor(t / 128)) digits.unshift(t % 128);
    out.push(first | 0x1f, ...digits.map((d, i) => (i < digits.length - 1 ? d | 0x80 : d)));
  }
  if (length < 0x80) out.push(length);
  else {
    const bytes: number[] = [];
    for (let l = length; l > 0; l = Math.floor(l / 256)) bytes.unshift(l % 256);
    out.push(0x80 | bytes.length, ...bytes);
  }
  return out;
}

/** One element in DER: identifier, definite length, `content`. */
export function tlv(cls: number, constructed: boolean, tag: number, content: Uint8Array): Uint8Array {
  return concatBytes([Uint8Array.from(derHeader(cls, constructed, tag, content.length)), content]);
}

/**
 * The order of the elements of a DER SET OF (X.690 11.6): by their
 * encodings as octet strings. OpenSSL compares the common length, then the
 * length; X.690 pads the shorter with zeros: for complete encodings, which
 * are never a prefix of one another, the two agree.
 */
export function compareEncodings(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * The DER encoding of a value read from BER (X.690 §10–11): definite
 * lengths, split strings joined, a BOOLEAN true as FF, the elements of a SET
 * in ascending order of their encodings. Used where only DER counts (an
 * ECDSA signature value) and for signed attributes ({@link signedAttributesDer}).
 */
export function derOf(n: Asn): Uint8Array {
  const { cls, tag } = n;
  let content: Uint8Array;
  let constructed = n.constructed;
  if (!n.constructed) {
    content = n.content;
    if (cls === CLASS.universal && tag === TAG.boolean && content.length === 1 && content[0] !== 0) content = Uint8Array.of(0xff);
  } else if (cls === CLASS.universal && SPLITTABLE.has(tag)) {
    content = octetContent(n, 'a split string');
    constructed = false;
  } else {
    const parts = n.children.map((c) => derOf(c));
    if (cls === CLASS.universal && tag === TAG.set) parts.sort(compareEncodings);
    content = concatBytes(parts);
  }
  return tlv(cls, constructed, tag, content);
}

/**
 * The bytes a signature over CMS signed attributes covers, as OpenSSL
 * computes them (RFC 5652 §5.4): `[0] IMPLICIT SET OF Attribute` re-encoded
 * as a DER SET, the attributes in the order received (OpenSSL's
 * CMS_Attributes_Verify is SET_ORDER), each Attribute and its SET OF values
 * in DER (values sorted). A value is an ANY: primitive ones and split
 * strings are re-encoded, constructed ones (a SEQUENCE, a tagged value) are
 * kept as received, as OpenSSL keeps them. For the DER every known signer
 * sends, this is exactly the bytes received with the tag changed to SET.
 */
export function signedAttributesDer(attrs: Asn): Uint8Array {
  const value = (v: Asn): Uint8Array => (!v.constructed || (v.cls === CLASS.universal && SPLITTABLE.has(v.tag)) ? derOf(v) : v.encoding);
  const attributes = childrenOf(attrs, 'the signed attributes').map((a, i) => {
    const [type, values] = sequence(a, `signed attribute ${i + 1}`, 2, 2) as [Asn, Asn];
    const encodedValues = set(values, `the values of signed attribute ${i + 1}`).map(value).sort(compareEncodings);
    return tlv(CLASS.universal, true, TAG.sequence, concatBytes([derOf(type), tlv(CLASS.universal, true, TAG.set, concatBytes(encodedValues))]));
  });
  return tlv(CLASS.universal, true, TAG.set, concatBytes(attributes));
}
