/**
 * Reading ASN.1 structures (certificates, CRLs, CMS) field by field over the
 * element tree asn1js decodes. Each reader checks the tag it expects and
 * throws an {@link AsnShapeError} naming the field that is wrong; callers
 * turn that into a VmiListError with their own code and place. Values are
 * read from the element's own bytes, so what is checked is what was signed.
 */
import type * as asn1js from 'asn1js';
import { concatBytes } from '../encoding/concat.js';

/** An element as asn1js decodes it. */
export type Asn = asn1js.AsnType;

/** A structure that is not what its specification says, naming the field. */
export class AsnShapeError extends Error {
  override readonly name = 'AsnShapeError';
}

const UNIVERSAL = 1;
const CONTEXT = 3;

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
  return n !== undefined && n.idBlock.tagClass === UNIVERSAL && n.idBlock.tagNumber === tag;
}

/** Whether `n` has the context-specific tag `[tag]`. */
export function isContext(n: Asn | undefined, tag: number): n is Asn {
  return n !== undefined && n.idBlock.tagClass === CONTEXT && n.idBlock.tagNumber === tag;
}

/** The element's whole encoding (tag, length, content) as received. */
export function encodingOf(n: Asn): Uint8Array {
  return n.valueBeforeDecodeView;
}

/** The content octets of a primitive element. */
export function contentOf(n: Asn, what: string): Uint8Array {
  if (n.idBlock.isConstructed) fail(what, 'a primitive value');
  const raw = n.valueBeforeDecodeView;
  return raw.subarray(n.idBlock.blockLength + n.lenBlock.blockLength);
}

/** The inner elements of a constructed element. */
export function childrenOf(n: Asn, what: string): Asn[] {
  const value: unknown = (n.valueBlock as { value?: unknown }).value;
  if (!n.idBlock.isConstructed || !Array.isArray(value)) fail(what, 'a constructed value');
  return value as Asn[];
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
  let value = 0n;
  let start = true;
  for (const b of bytes) {
    if (start && b === 0x80) fail(what, 'a minimally encoded OBJECT IDENTIFIER');
    value = (value << 7n) | BigInt(b & 0x7f);
    start = (b & 0x80) === 0;
    if (!start) continue;
    if (arcs.length === 0) {
      const first = value < 40n ? 0n : value < 80n ? 1n : 2n;
      arcs.push(String(first), String(value - first * 40n));
    } else arcs.push(String(value));
    value = 0n;
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
  if (!n.idBlock.isConstructed) return contentOf(n, what);
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

const UTC_TIME = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;
const GENERALIZED_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/;

/**
 * A `Time` (UTCTime or GeneralizedTime) as milliseconds since the epoch.
 * Only the UTC forms with seconds certificates and CRLs use (RFC 5280
 * §4.1.2.5): a local time would make the verdict depend on the machine.
 */
export function time(n: Asn | undefined, what: string): number {
  const utc = isUniversal(n, TAG.utcTime);
  if (!utc && !isUniversal(n, TAG.generalizedTime)) fail(what, 'a UTCTime or GeneralizedTime');
  const text = String.fromCharCode(...contentOf(n, what));
  const m = (utc ? UTC_TIME : GENERALIZED_TIME).exec(text);
  if (!m) fail(what, `a UTC time with seconds (it is "${text.replace(/[^\x20-\x7e]/g, '?').slice(0, 32)}")`);
  const f = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // RFC 5280: a two-digit year YY >= 50 is 19YY, else 20YY
  const year = utc ? (f[0] >= 50 ? 1900 + f[0] : 2000 + f[0]) : f[0];
  const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
  const t = Date.UTC(year, f[1] - 1, f[2], f[3], f[4], f[5], Math.floor(ms));
  const d = new Date(t);
  // Date.UTC rolls 31 February over into March: refuse dates that do not exist
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== f[1] - 1 || d.getUTCDate() !== f[2] || d.getUTCHours() !== f[3] || d.getUTCMinutes() !== f[4] || f[5] > 59) {
    fail(what, `a valid date and time (it is "${text}")`);
  }
  return t;
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
  const seen = new Set<string>();
  for (const [i, e] of sequence(n, what, 1).entries()) {
    const place = `extension ${i + 1} of ${what}`;
    const parts = sequence(e, place, 2, 3);
    const id = oid(parts[0], place);
    const critical = parts.length === 3 ? boolean(parts[1], `the critical flag of ${place}`) : false;
    const value = octets(parts[parts.length - 1], `the value of ${place}`);
    if (seen.has(id)) throw new AsnShapeError(`${what} has extension ${id} twice`);
    seen.add(id);
    out.push({ oid: id, critical, value });
  }
  return out;
}
