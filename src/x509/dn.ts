/**
 * Distinguished names. Grid tools write `hv:dn`/`hv:ca` in OpenSSL's one-line
 * form (`/DC=ch/DC=cern/OU=Users/CN=buncic`); other tools use RFC 4514
 * (`CN=buncic,OU=Users,DC=cern,DC=ch`). Both are read into the same RDN
 * sequence (most general first, as in the certificate) and compared by
 * attribute type and decoded value, never as text.
 */
import { VmiListError } from '../errors.js';
import { readBer } from './asn1.js';
import { CLASS, type Asn } from './ber.js';
import { isUniversal, oid, TAG } from './der.js';
import { pemBlocks } from '../encoding/pem.js';
import { toHex } from '../encoding/hex.js';

/** One attribute of an RDN: type as a dotted OID, value as decoded text. */
export interface Ava {
  /** Attribute type OID, e.g. `2.5.4.3` for CN. */
  readonly type: string;
  /** The decoded value (for values that are not strings: `#` + hex of their BER). */
  readonly value: string;
}

/** A relative distinguished name: one attribute, or several (multi-valued, `+`). */
export type Rdn = readonly Ava[];

/** A name: its RDNs in certificate order (most general first, e.g. `C` before `CN`). */
export type DistinguishedName = readonly Rdn[];

// short name ↔ OID; the first name for an OID is the one written
const NAMES: ReadonlyArray<readonly [string, string]> = [
  ['C', '2.5.4.6'],
  ['ST', '2.5.4.8'],
  ['L', '2.5.4.7'],
  ['O', '2.5.4.10'],
  ['OU', '2.5.4.11'],
  ['CN', '2.5.4.3'],
  ['DC', '0.9.2342.19200300.100.1.25'],
  ['emailAddress', '1.2.840.113549.1.9.1'],
  ['UID', '0.9.2342.19200300.100.1.1'],
  ['serialNumber', '2.5.4.5'],
  ['street', '2.5.4.9'],
  ['title', '2.5.4.12'],
  ['SN', '2.5.4.4'],
  ['GN', '2.5.4.42'],
  ['initials', '2.5.4.43'],
  ['generationQualifier', '2.5.4.44'],
  ['dnQualifier', '2.5.4.46'],
  ['pseudonym', '2.5.4.65'],
  ['postalCode', '2.5.4.17'],
  ['name', '2.5.4.41'],
  ['description', '2.5.4.13'],
  ['businessCategory', '2.5.4.15'],
  ['organizationIdentifier', '2.5.4.97'],
  ['unstructuredName', '1.2.840.113549.1.9.2'],
];
// other spellings read on input
const ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['E', '1.2.840.113549.1.9.1'],
  ['Email', '1.2.840.113549.1.9.1'],
  ['countryName', '2.5.4.6'],
  ['S', '2.5.4.8'],
  ['stateOrProvinceName', '2.5.4.8'],
  ['localityName', '2.5.4.7'],
  ['organizationName', '2.5.4.10'],
  ['organizationalUnitName', '2.5.4.11'],
  ['commonName', '2.5.4.3'],
  ['domainComponent', '0.9.2342.19200300.100.1.25'],
  ['userid', '0.9.2342.19200300.100.1.1'],
  ['surname', '2.5.4.4'],
  ['givenName', '2.5.4.42'],
];

const NAME_OF = new Map(NAMES.map(([n, o]) => [o, n]));
const OID_OF = new Map([...NAMES, ...ALIASES].map(([n, o]) => [n.toLowerCase(), o]));
const CASE_INSENSITIVE = new Set(['0.9.2342.19200300.100.1.25', '1.2.840.113549.1.9.1']);
const RFC4514_NAMES = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.6', 'C'],
  ['2.5.4.9', 'STREET'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['0.9.2342.19200300.100.1.1', 'UID'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
]);

/** The short name of an attribute type (`CN`, `emailAddress`, …), or its dotted OID. */
export function attributeName(oid: string): string {
  return NAME_OF.get(oid) ?? oid;
}

/** The OID of an attribute name (any case; aliases `E`, `Email`, `userid`, …), or `undefined`. */
export function attributeOid(name: string): string | undefined {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  return OID_OF.get(name.toLowerCase());
}

// ---------------------------------------------------------------- DER names

/** Decodes a DER `Name` (SEQUENCE OF SET OF AttributeTypeAndValue), keeping multi-valued RDNs. */
export function decodeName(der: Uint8Array | ArrayBuffer): Rdn[] {
  const view = der instanceof Uint8Array ? der : new Uint8Array(der);
  const parsed = readBer(view, 'the distinguished name', 'ERR_INPUT');
  if (!isUniversal(parsed, TAG.sequence)) throw new VmiListError('ERR_INPUT', 'not a DER-encoded distinguished name (not a SEQUENCE)');
  return nameFromElement(parsed);
}

/** Reads a decoded `Name` sequence into RDNs. */
function nameFromElement(seq: Asn): Rdn[] {
  return seq.children.map((set) => {
    if (!isUniversal(set, TAG.set)) throw new VmiListError('ERR_INPUT', 'malformed distinguished name (RDN is not a SET)');
    return set.children.map((atv) => {
      const [type, value, extra] = isUniversal(atv, TAG.sequence) ? atv.children : [];
      if (type === undefined || value === undefined || extra !== undefined) {
        throw new VmiListError('ERR_INPUT', 'malformed distinguished name (bad AttributeTypeAndValue)');
      }
      let typeOid: string;
      try {
        typeOid = oid(type, 'an attribute type');
      } catch {
        throw new VmiListError('ERR_INPUT', 'malformed distinguished name (bad AttributeTypeAndValue)');
      }
      return { type: typeOid, value: decodeValue(value) };
    });
  });
}

// universal string types: UTF8String, the 8-bit ones (Numeric, Printable, Teletex, Videotex, IA5,
// UTCTime, GeneralizedTime, Graphic, Visible, General, Character), UniversalString and BMPString
const UTF8_STRING = 12;
const LATIN1_STRINGS = new Set([18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 29]);
const UNIVERSAL_STRING = 28;
const BMP_STRING = 30;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A string value as text; `undefined` when `n` is not a string type. */
function stringValue(n: Asn): string | undefined {
  if (n.cls !== CLASS.universal || n.constructed) return undefined;
  const c = n.content;
  if (n.tag === UTF8_STRING) {
    try {
      return strictUtf8.decode(c);
    } catch {
      return latin1(c); // not UTF-8: the bytes as they are, one character each
    }
  }
  if (LATIN1_STRINGS.has(n.tag)) return latin1(c);
  if (n.tag === BMP_STRING) {
    if (c.length % 2 !== 0) throw new VmiListError('ERR_INPUT', 'malformed distinguished name (a BMPString of odd length)');
    let out = '';
    for (let i = 0; i < c.length; i += 2) out += String.fromCharCode(((c[i] as number) << 8) | (c[i + 1] as number));
    return out;
  }
  if (n.tag === UNIVERSAL_STRING) {
    if (c.length % 4 !== 0) throw new VmiListError('ERR_INPUT', 'malformed distinguished name (a UniversalString whose length is not a multiple of 4)');
    let out = '';
    for (let i = 0; i < c.length; i += 4) {
      const cp = (((c[i] as number) << 24) >>> 0) + ((c[i + 1] as number) << 16) + ((c[i + 2] as number) << 8) + (c[i + 3] as number);
      out += String.fromCodePoint(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    }
    return out;
  }
  return undefined;
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

function decodeValue(value: Asn): string {
  return stringValue(value) ?? `#${toHex(value.encoding)}`;
}

// ---------------------------------------------------------------- output

/**
 * OpenSSL one-line form, as grid tools write `hv:dn`: `/C=DE/O=GermanGrid/CN=Owen Synge`.
 * Multi-valued RDNs are written with `+`; a `/` that would make the rest look
 * like a new attribute is escaped as `\/`.
 */
export function nameToOpenSsl(rdns: DistinguishedName): string {
  let out = '';
  for (const rdn of rdns) {
    out += '/';
    out += rdn.map((ava) => `${attributeName(ava.type)}=${escapeOneLine(ava.value)}`).join('+');
  }
  return out;
}

function escapeOneLine(value: string): string {
  // `/x=` and `+x=` would read as a new attribute, and a backslash before
  // `/`, `+`, `\`, `xHH` or the end would read as an escape: escape just those
  // (a trailing space is escaped too, as parsing drops unescaped ones)
  return value.replace(/\\(?=[/+\\]|x[0-9a-fA-F]{2}|$)|[/+](?=[A-Za-z0-9.]+=)| $/g, (m) => `\\${m}`);
}

/** RFC 4514 form, most specific RDN first: `CN=Owen Synge,O=GermanGrid,C=DE`. */
export function nameToRfc4514(rdns: DistinguishedName): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map((ava) => `${RFC4514_NAMES.get(ava.type) ?? ava.type}=${escapeRfc4514(ava.value)}`).join('+'))
    .join(',');
}

function escapeRfc4514(value: string): string {
  if (value.startsWith('#') && /^#([0-9a-f]{2})+$/.test(value)) return value;
  let s = value.replace(/[\\",+;<>=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  if (s.startsWith('#') || s.startsWith(' ')) s = `\\${s}`;
  if (s.endsWith(' ')) s = `${s.slice(0, -1)}\\ `;
  return s;
}

// ---------------------------------------------------------------- input

/**
 * Parses a DN in OpenSSL one-line form (starts with `/`) or RFC 4514 form.
 * One-line: `/` separates RDNs (`\/` is a literal slash, and a segment
 * without `=` continues the previous value, as in `CN=host/foo.example.org`);
 * `+name=` starts another attribute of the same RDN; `\xHH` escapes are
 * UTF-8 bytes (what OpenSSL writes for non-ASCII). RFC 4514: `,` separates,
 * `+` joins, `\c`/`\HH` escapes, `#hex` values, most specific first.
 *
 * @throws VmiListError `ERR_INPUT` for text that is not a DN.
 */
export function parseDn(text: string): Rdn[] {
  // leading blanks never matter; a trailing blank does when it is escaped (`CN=x\ `)
  const t = text.replace(/^\s+/, '').replace(/(?<!\\)\s+$/, '');
  if (t === '') return [];
  return t.startsWith('/') ? parseOneLine(t) : parseRfc4514(t);
}

function badDn(text: string, why: string): VmiListError {
  return new VmiListError('ERR_INPUT', `not a distinguished name (${why}): ${text}`);
}

const ATTR_START = /^([A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)=/;

function parseOneLine(text: string): Rdn[] {
  // split on unescaped '/', keeping escapes for the value decoder
  const segments = splitUnescaped(text.slice(1), '/');
  const rdns: Ava[][] = [];
  for (const seg of segments) {
    if (!ATTR_START.test(seg)) {
      const last = rdns[rdns.length - 1];
      const prev = last?.[last.length - 1];
      if (!last || !prev) throw badDn(text, `"${seg}" has no attribute name`);
      // a slash inside a value, as OpenSSL prints `CN=host/foo.example.org`
      last[last.length - 1] = { type: prev.type, value: `${prev.value}/${decodeOneLineValue(seg)}` };
      continue;
    }
    const rdn: Ava[] = [];
    for (const part of splitUnescaped(seg, '+', ATTR_START)) {
      const eq = part.indexOf('=');
      const name = part.slice(0, eq);
      const type = attributeOid(name);
      if (!type) throw badDn(text, `unknown attribute "${name}"`);
      rdn.push({ type, value: decodeOneLineValue(part.slice(eq + 1)) });
    }
    rdns.push(rdn);
  }
  return rdns;
}

// splits on `sep` when not escaped and (if given) followed by something matching `next`
function splitUnescaped(s: string, sep: string, next?: RegExp): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === sep && (!next || next.test(s.slice(i + 1)))) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function decodeOneLineValue(raw: string): string {
  return raw.includes('\\') ? unescapeValue(raw, /^x([0-9A-Fa-f]{2})/, '/+\\=, ') : raw;
}

/**
 * Decodes the backslash escapes of a DN value. A run of hex escapes (`hex`
 * matched after the backslash: `\xHH` one-line, `\HH` RFC 4514) is UTF-8
 * bytes; `\c` is `c` when `c` is in `literal` (every character when it is
 * undefined, RFC 4514, where a backslash at the end is an error). Any other
 * backslash (one-line) is kept as written.
 */
function unescapeValue(v: string, hex: RegExp, literal?: string, whole?: string): string {
  let out = '';
  const bytes: number[] = [];
  const flush = (): void => {
    if (bytes.length > 0) {
      out += decodeEscapedBytes(bytes);
      bytes.length = 0;
    }
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i] as string;
    if (c === '\\') {
      const m = hex.exec(v.slice(i + 1, i + 4));
      if (m) {
        bytes.push(Number.parseInt(m[1] as string, 16));
        i += m[0].length;
        continue;
      }
    }
    flush();
    const next = v[i + 1];
    if (c === '\\' && next !== undefined && (literal === undefined || literal.includes(next))) {
      out += next;
      i++;
    } else if (c === '\\' && literal === undefined) throw badDn(whole ?? v, 'dangling escape');
    else out += c;
  }
  flush();
  return out;
}

function decodeEscapedBytes(bytes: number[]): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    return String.fromCharCode(...bytes);
  }
}

function parseRfc4514(text: string): Rdn[] {
  const rdns: Rdn[] = [];
  for (const rdnText of splitRfc4514(text, ',;')) {
    const rdn: Ava[] = [];
    for (const avaText of splitRfc4514(rdnText, '+')) {
      const eq = avaText.indexOf('=');
      if (eq <= 0) throw badDn(text, `"${avaText.trim()}" has no attribute name`);
      const name = avaText.slice(0, eq).trim();
      const type = attributeOid(name.replace(/^oid\./i, ''));
      if (!type) throw badDn(text, `unknown attribute "${name}"`);
      rdn.push({ type, value: decodeRfc4514Value(avaText.slice(eq + 1), text) });
    }
    rdns.push(rdn);
  }
  return rdns.reverse();
}

function splitRfc4514(s: string, seps: string): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && seps.includes(c)) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

function decodeRfc4514Value(raw: string, whole: string): string {
  let v = raw.replace(/^\s+/, '');
  // trailing unescaped spaces are not part of the value
  while (v.endsWith(' ') && !v.endsWith('\\ ')) v = v.slice(0, -1);
  if (v.startsWith('#')) {
    if (!/^#([0-9A-Fa-f]{2})+$/.test(v)) throw badDn(whole, `bad hex value ${v}`);
    const bytes = new Uint8Array(v.length / 2 - 0.5);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(v.slice(1 + 2 * i, 3 + 2 * i), 16);
    // a #hex value holding a BER string reads as that string; anything else stays hex
    let inner: string | undefined;
    try {
      inner = stringValue(readBer(bytes, 'a #hex DN value', 'ERR_INPUT'));
    } catch {
      inner = undefined;
    }
    if (inner !== undefined) return inner;
    return `#${v.slice(1).toLowerCase()}`;
  }
  if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
  return unescapeValue(v, /^([0-9A-Fa-f]{2})/, undefined, whole);
}

// ---------------------------------------------------------------- comparison

function toName(dn: string | DistinguishedName): DistinguishedName {
  return typeof dn === 'string' ? parseDn(dn) : dn;
}

function avaEquals(a: Ava, b: Ava): boolean {
  if (a.type !== b.type) return false;
  return CASE_INSENSITIVE.has(a.type) ? a.value.toLowerCase() === b.value.toLowerCase() : a.value === b.value;
}

function rdnEquals(a: Rdn, b: Rdn): boolean {
  if (a.length !== b.length) return false;
  const used = new Array<boolean>(b.length).fill(false);
  return a.every((x) => {
    const j = b.findIndex((y, k) => !used[k] && avaEquals(x, y));
    if (j === -1) return false;
    used[j] = true;
    return true;
  });
}

function sequenceEquals(a: DistinguishedName, b: DistinguishedName): boolean {
  return a.length === b.length && a.every((rdn, i) => rdnEquals(rdn, b[i] as Rdn));
}

/**
 * True when two DNs name the same entity: same RDN sequence, attribute types
 * by OID (so `E`/`Email`/`emailAddress` are one), values exactly equal
 * (case-insensitive only for `DC` and `emailAddress`), multi-valued RDNs in
 * any order. Because OpenSSL's one-line form prints a multi-valued RDN as
 * separate `/` parts, a name of single-valued RDNs also equals a name whose
 * multi-valued RDNs, flattened in their encoded order, give the same sequence.
 * Text that is not a DN is never equal to anything.
 */
export function dnEquals(a: string | DistinguishedName, b: string | DistinguishedName): boolean {
  let x: DistinguishedName;
  let y: DistinguishedName;
  try {
    x = toName(a);
    y = toName(b);
  } catch {
    return false;
  }
  if (sequenceEquals(x, y)) return true;
  const flat = (n: DistinguishedName): Rdn[] => n.flatMap((rdn) => rdn.map((ava) => [ava]));
  const xFlat = x.every((r) => r.length === 1);
  const yFlat = y.every((r) => r.length === 1);
  if (xFlat === yFlat) return false;
  return sequenceEquals(flat(x), flat(y));
}

/** Normalises a DN (either form) to OpenSSL one-line form. @throws VmiListError `ERR_INPUT` */
export function toOpenSslDn(text: string): string {
  return nameToOpenSsl(parseDn(text));
}

// ---------------------------------------------------------------- certificates

/** A certificate as DER bytes, PEM text, or a parsed pkijs certificate. */
export type CertificateLike = Uint8Array | string | { readonly subject: { readonly valueBeforeDecode: ArrayBuffer }; readonly issuer: { readonly valueBeforeDecode: ArrayBuffer } };

function certNames(cert: CertificateLike): { issuer: Rdn[]; subject: Rdn[] } {
  if (typeof cert === 'object' && !(cert instanceof Uint8Array)) {
    return { issuer: decodeName(cert.issuer.valueBeforeDecode), subject: decodeName(cert.subject.valueBeforeDecode) };
  }
  const der = typeof cert === 'string' ? pemBlocks(cert).find((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE')?.der : cert;
  if (!der) throw new VmiListError('ERR_INPUT', 'no PEM CERTIFICATE block found');
  const parsed = readBer(der, 'the certificate', 'ERR_INPUT');
  const tbs = isUniversal(parsed, TAG.sequence) ? parsed.children[0] : undefined;
  const fields = isUniversal(tbs, TAG.sequence) ? tbs.children : [];
  // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject
  const base = fields[0]?.cls === CLASS.context ? 1 : 0;
  const issuer = fields[base + 2];
  const subject = fields[base + 4];
  if (!isUniversal(issuer, TAG.sequence) || !isUniversal(subject, TAG.sequence)) {
    throw new VmiListError('ERR_INPUT', 'not a DER-encoded X.509 certificate');
  }
  return { issuer: nameFromElement(issuer), subject: nameFromElement(subject) };
}

/** The subject of a certificate in OpenSSL one-line form. @throws VmiListError `ERR_INPUT` */
export function certificateSubject(cert: CertificateLike): string {
  return nameToOpenSsl(certNames(cert).subject);
}

/** The issuer of a certificate in OpenSSL one-line form. @throws VmiListError `ERR_INPUT` */
export function certificateIssuer(cert: CertificateLike): string {
  return nameToOpenSsl(certNames(cert).issuer);
}
