// The BER decoder (src/x509/ber.ts) on hand-made encodings, and against
// asn1js (an independent decoder) on every certificate, CRL and CMS blob of
// the vectors: the same elements (class, tag, form, encoding) in the same
// tree, element by element.
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import { AsnShapeError, CLASS, decodeBer, MAX_DEPTH, type Asn } from '../../src/x509/ber.js';
import { derItems } from '../../src/smime/certs.js';
import { derOf, signedAttributesDer } from '../../src/x509/der.js';
import { parseSmime } from '../../src/smime/mime.js';
import { readBytes } from '../support/files.js';
import { loadManifest, vec } from '../support/vectors.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function refusal(input: Uint8Array, maxElements = 1000): string {
  try {
    decodeBer(input, maxElements);
    return 'accepted';
  } catch (e) {
    if (!(e instanceof AsnShapeError)) throw e;
    return e.message;
  }
}

describe('decodeBer on hand-made encodings', () => {
  it('reads a definite-length SEQUENCE of an INTEGER and an OCTET STRING, with views into the input', () => {
    const input = bytes(0x30, 0x07, 0x02, 0x01, 0x05, 0x04, 0x02, 0xaa, 0xbb, 0xff);
    const seq = decodeBer(input, 10);
    expect([seq.cls, seq.tag, seq.constructed, seq.end]).toEqual([CLASS.universal, 16, true, 9]);
    expect(seq.children.map((c) => [c.tag, [...c.content]])).toEqual([
      [2, [5]],
      [4, [0xaa, 0xbb]],
    ]);
    expect(seq.encoding.buffer).toBe(input.buffer);
    expect([...seq.encoding]).toEqual([...input.subarray(0, 9)]);
  });

  it('reads indefinite lengths (as openssl streams CMS), long-form lengths and high tag numbers', () => {
    // [0] constructed indefinite { OCTET STRING "ab" } 00 00
    const indefinite = decodeBer(bytes(0xa0, 0x80, 0x04, 0x02, 0x61, 0x62, 0x00, 0x00), 10);
    expect([indefinite.cls, indefinite.tag, indefinite.end, indefinite.children.length]).toEqual([CLASS.context, 0, 8, 1]);
    expect([...indefinite.content]).toEqual([0x04, 0x02, 0x61, 0x62]);
    const long = decodeBer(bytes(0x04, 0x82, 0x00, 0x02, 0x01, 0x02), 10);
    expect([...long.content]).toEqual([1, 2]);
    // [APPLICATION 200] primitive: tag in two base-128 digits
    const high = decodeBer(bytes(0x5f, 0x81, 0x48, 0x01, 0x07), 10);
    expect([high.cls, high.tag, [...high.content]]).toEqual([CLASS.application, 200, [7]]);
  });

  it('refuses what is broken, saying where', () => {
    expect(refusal(bytes())).toMatch(/missing/);
    expect(refusal(bytes(0x30, 0x05, 0x02, 0x01))).toMatch(/runs past the end/);
    expect(refusal(bytes(0x04, 0x80, 0x00, 0x00))).toMatch(/indefinite length on a primitive/);
    expect(refusal(bytes(0x30, 0x80, 0x02, 0x01, 0x05))).toMatch(/end-of-contents octets are missing/);
    expect(refusal(bytes(0x30, 0x02, 0x00, 0x00))).toMatch(/end-of-contents marker where an element should be/);
    expect(refusal(bytes(0x04, 0xff, 0x01))).toMatch(/reserved length form/);
    expect(refusal(bytes(0x04, 0x84, 0xff, 0xff, 0xff, 0xff))).toMatch(/runs past the end/);
    expect(refusal(bytes(0x5f, 0x80, 0x01, 0x00))).toMatch(/not minimally encoded/);
    expect(refusal(bytes(0x1f))).toMatch(/tag is cut off/);
    expect(refusal(bytes(0x30, 0x03, 0x02, 0x01))).toMatch(/runs past the end|cut off/);
  });

  it('bounds depth and element count', () => {
    const nest = (depth: number): Uint8Array => {
      let inner = bytes(0x05, 0x00);
      for (let i = 0; i < depth; i++) inner = Uint8Array.from([0x30, 0x80, ...inner, 0x00, 0x00]);
      return inner;
    };
    expect(refusal(nest(MAX_DEPTH))).toBe('accepted');
    expect(refusal(nest(MAX_DEPTH + 1))).toMatch(/nested deeper than/);
    const many = Uint8Array.from([0x30, 0x14, ...Array.from({ length: 10 }, () => [0x05, 0x00]).flat()]);
    expect(refusal(many, 11)).toBe('accepted');
    expect(refusal(many, 10)).toMatch(/too many elements/);
  });
});

/** Walks our tree and asn1js's side by side. */
function sameTree(ours: Asn, theirs: asn1js.AsnType, path: string): void {
  const classOf = theirs.idBlock.tagClass - 1; // asn1js counts classes from 1
  expect([ours.cls, ours.tag, ours.constructed], path).toEqual([classOf, theirs.idBlock.tagNumber, theirs.idBlock.isConstructed]);
  const a = ours.encoding;
  const b = theirs.valueBeforeDecodeView;
  expect(a.length === b.length && a.every((x, i) => x === b[i]), `${path}: encoding`).toBe(true);
  if (!ours.constructed) return;
  const kids = (theirs.valueBlock as { value?: asn1js.AsnType[] }).value ?? [];
  expect(ours.children.length, `${path}: children`).toBe(kids.length);
  ours.children.forEach((c, i) => sameTree(c, kids[i] as asn1js.AsnType, `${path}/${i}`));
}

describe('decodeBer against asn1js on the vectors', async () => {
  const manifest = await loadManifest();
  const blobs: Array<[string, Uint8Array]> = [];
  for (const f of ['pki/root.pem', 'pki/intermediate.pem', 'pki/alice.pem', 'pki/carol.pem', 'pki/dave.pem', 'pki/chain.pem']) {
    derItems(await readBytes(vec(f)), ['CERTIFICATE'], f).forEach((d, i) => blobs.push([`${f}#${i}`, d]));
  }
  for (const f of ['pki/root.crl.pem', 'pki/intermediate.crl.pem', 'pki/other-ca.crl.pem', 'pki/intermediate.stale.crl.pem']) {
    derItems(await readBytes(vec(f)), ['X509 CRL'], f).forEach((d, i) => blobs.push([`${f}#${i}`, d]));
  }
  const signed = [...new Set(manifest.cases.map((c) => c.file).filter((f): f is string => typeof f === 'string' && f.endsWith('.smime')))];
  for (const f of signed) {
    try {
      blobs.push([f, parseSmime(await readBytes(vec(f))).cms]);
    } catch {
      // a case whose MIME is broken on purpose has no CMS to compare
    }
  }

  it('has certificates, CRLs and CMS blobs to compare', () => {
    expect(blobs.length).toBeGreaterThan(20);
  });

  it.each(blobs)('%s: the same tree as asn1js', (_, der) => {
    const theirs = asn1js.fromBER(der.slice(), { parseEmbedded: false, maxNodes: 1e6 });
    expect(theirs.offset).not.toBe(-1);
    const ours = decodeBer(der, 1e6);
    expect(ours.end).toBe(theirs.offset);
    sameTree(ours, theirs.result, 'root');
  });
});

describe('decodeBer and the forms X.690 allows', () => {
  it('refuses a constructed INTEGER, OID, BOOLEAN, NULL or ENUMERATED and a primitive SEQUENCE or SET', () => {
    for (const tag of [0x21, 0x22, 0x25, 0x26, 0x2a]) expect(refusal(bytes(tag, 0x03, 0x02, 0x01, 0x00))).toMatch(/always primitive/);
    expect(refusal(bytes(0x10, 0x00))).toMatch(/primitive encoding of a SEQUENCE/);
    expect(refusal(bytes(0x11, 0x00))).toMatch(/primitive encoding of a SET/);
    // string types may be constructed in BER (openssl streams OCTET STRING so)
    expect(refusal(bytes(0x24, 0x03, 0x04, 0x01, 0x61))).toBe('accepted');
  });
});

describe('derOf and signedAttributesDer: DER from BER', () => {
  const der = (input: number[]) => [...derOf(decodeBer(Uint8Array.from(input), 100))];

  it('definite lengths, joined strings, TRUE as FF, SET OF sorted; DER stays as it was', () => {
    // SEQUENCE (indefinite) { BOOLEAN 01, OCTET STRING in two parts }
    expect(der([0x30, 0x80, 0x01, 0x01, 0x01, 0x24, 0x80, 0x04, 0x01, 0x61, 0x04, 0x01, 0x62, 0x00, 0x00, 0x00, 0x00])).toEqual([0x30, 0x07, 0x01, 0x01, 0xff, 0x04, 0x02, 0x61, 0x62]);
    expect(der([0x31, 0x06, 0x02, 0x01, 0x09, 0x02, 0x01, 0x03])).toEqual([0x31, 0x06, 0x02, 0x01, 0x03, 0x02, 0x01, 0x09]);
    const long = [0x04, 0x81, 0xc8, ...new Array<number>(200).fill(7)];
    expect(der(long)).toEqual(long);
  });

  it('signed attributes: a SET in the order received, values sorted, constructed values kept as received', () => {
    const attr = (oidByte: number, values: number[][]) => {
      const set = [0x31, values.flat().length, ...values.flat()];
      const body = [0x06, 0x01, oidByte, ...set];
      return [0x30, body.length, ...body];
    };
    // [0] IMPLICIT, indefinite length { attr 2 with values INTEGER 9, INTEGER 3; attr 1 with a BER SEQUENCE value }
    const berSeq = [0x30, 0x80, 0x05, 0x00, 0x00, 0x00];
    const a2 = attr(2, [[0x02, 0x01, 0x09], [0x02, 0x01, 0x03]]);
    const a1 = attr(1, [berSeq]);
    const input = Uint8Array.from([0xa0, 0x80, ...a2, ...a1, 0x00, 0x00]);
    const out = [...signedAttributesDer(decodeBer(input, 100))];
    const a2sorted = attr(2, [[0x02, 0x01, 0x03], [0x02, 0x01, 0x09]]);
    expect(out).toEqual([0x31, a2sorted.length + a1.length, ...a2sorted, ...a1]);
  });
});
