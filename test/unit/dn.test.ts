// DN helpers: OpenSSL one-line and RFC 4514 forms, parsing, comparison by
// RDN sequence with decoded string types, and names read from certificates.
// Names with unusual string types are built here with asn1js, so the test
// runs the same in Node and Chromium.
import * as asn1js from 'asn1js';
import { describe, expect, it } from 'vitest';
import {
  certificateIssuer,
  certificateSubject,
  decodeName,
  dnEquals,
  nameToOpenSsl,
  nameToRfc4514,
  parseDn,
  toOpenSslDn,
  type DistinguishedName,
} from '../../src/x509/dn.js';
import { VmiListError } from '../../src/errors.js';
import { readBytes, readText } from '../support/files.js';
import { errorCode } from '../support/errors.js';

const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';
const C = '2.5.4.6';
const DC = '0.9.2342.19200300.100.1.25';
const EMAIL = '1.2.840.113549.1.9.1';
const UID = '0.9.2342.19200300.100.1.1';

type StringKind = 'utf8' | 'printable' | 'bmp' | 'ia5' | 'teletex' | 'universal';

function str(kind: StringKind, value: string): asn1js.AsnType {
  switch (kind) {
    case 'utf8':
      return new asn1js.Utf8String({ value });
    case 'printable':
      return new asn1js.PrintableString({ value });
    case 'bmp':
      return new asn1js.BmpString({ value });
    case 'ia5':
      return new asn1js.IA5String({ value });
    case 'teletex':
      return new asn1js.TeletexString({ value });
    case 'universal':
      return new asn1js.UniversalString({ value });
  }
}

/** DER of a Name: each inner array is one RDN (SET) of [oid, kind, value]. */
function nameDer(rdns: [string, StringKind, string][][]): Uint8Array {
  const seq = new asn1js.Sequence({
    value: rdns.map(
      (rdn) =>
        new asn1js.Set({
          value: rdn.map(([oid, kind, value]) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), str(kind, value)] })),
        }),
    ),
  });
  return new Uint8Array(seq.toBER(false));
}

const code = errorCode;

describe('parseDn: OpenSSL one-line form', () => {
  it('reads several DC/OU/CN with spaces, in certificate order', () => {
    const dn = parseDn('/DC=ch/DC=cern/OU=Organic Units/OU=Users/CN=buncic/CN=379010/CN=Predrag Buncic');
    expect(dn.map((r) => r.map((a) => [a.type, a.value]))).toEqual([
      [[DC, 'ch']],
      [[DC, 'cern']],
      [[OU, 'Organic Units']],
      [[OU, 'Users']],
      [[CN, 'buncic']],
      [[CN, '379010']],
      [[CN, 'Predrag Buncic']],
    ]);
  });

  it('keeps a slash inside a value (CN=host/foo.example.org)', () => {
    expect(parseDn('/O=Grid/CN=host/foo.example.org')).toEqual([[{ type: O, value: 'Grid' }], [{ type: CN, value: 'host/foo.example.org' }]]);
  });

  it('reads \\/ as a literal slash even when the rest looks like an attribute', () => {
    expect(parseDn('/O=x/CN=a\\/b=c')).toEqual([[{ type: O, value: 'x' }], [{ type: CN, value: 'a/b=c' }]]);
  });

  it('reads + name= as a multi-valued RDN and a bare + as part of the value', () => {
    expect(parseDn('/DC=org/CN=x+UID=42')).toEqual([[{ type: DC, value: 'org' }], [{ type: CN, value: 'x' }, { type: UID, value: '42' }]]);
    expect(parseDn('/O=A+B Ltd/CN=x')).toEqual([[{ type: O, value: 'A+B Ltd' }], [{ type: CN, value: 'x' }]]);
  });

  it('decodes \\xHH escapes as UTF-8 (what openssl writes for non-ASCII)', () => {
    expect(parseDn('/C=DE/CN=J\\xC3\\xBCrgen M\\xC3\\xBCller')).toEqual([[{ type: C, value: 'DE' }], [{ type: CN, value: 'Jürgen Müller' }]]);
  });

  it('knows emailAddress, Email and E as one attribute', () => {
    for (const name of ['emailAddress', 'Email', 'E', 'EMAILADDRESS']) {
      expect(parseDn(`/CN=x/${name}=a@b.org`)[1]).toEqual([{ type: EMAIL, value: 'a@b.org' }]);
    }
  });

  it('accepts dotted OIDs as attribute names', () => {
    expect(parseDn('/2.5.4.3=x')).toEqual([[{ type: CN, value: 'x' }]]);
  });

  it('reads a part without name= as the continuation of the previous value', () => {
    expect(parseDn('/CN=x/=y')).toEqual([[{ type: CN, value: 'x/=y' }]]);
  });

  it('gives [] for empty text', () => {
    expect(parseDn('')).toEqual([]);
    expect(parseDn('   ')).toEqual([]);
  });

  it.each([
    ['/foo', 'a part with no attribute name'],
    ['/XX=1', 'an unknown attribute'],
    ['/=y', 'an empty attribute name first'],
  ])('refuses %s (%s) with ERR_INPUT', (text) => {
    expect(code(() => parseDn(text))).toBe('ERR_INPUT');
  });
});

describe('parseDn: RFC 4514 form', () => {
  it('reads most specific first and stores certificate order', () => {
    expect(parseDn('CN=Owen Synge,O=GermanGrid,C=DE')).toEqual([[{ type: C, value: 'DE' }], [{ type: O, value: 'GermanGrid' }], [{ type: CN, value: 'Owen Synge' }]]);
  });

  it('handles escapes of , + = \\ and hex pairs', () => {
    expect(parseDn('CN=a\\,b,O=x\\+y\\=z\\\\')).toEqual([[{ type: O, value: 'x+y=z\\' }], [{ type: CN, value: 'a,b' }]]);
    expect(parseDn('CN=caf\\C3\\A9')).toEqual([[{ type: CN, value: 'café' }]]);
  });

  it('reads a #hex value holding a BER string as the decoded string', () => {
    // 0c 03 'abc' = UTF8String "abc"
    expect(parseDn('CN=#0c03616263')).toEqual([[{ type: CN, value: 'abc' }]]);
  });

  it('ignores spaces around separators and accepts lower-case names and ;', () => {
    expect(parseDn('cn=x, o=y; c=DE')).toEqual([[{ type: C, value: 'DE' }], [{ type: O, value: 'y' }], [{ type: CN, value: 'x' }]]);
  });

  it('reads + as a multi-valued RDN', () => {
    expect(parseDn('CN=x+UID=1,DC=org')).toEqual([[{ type: DC, value: 'org' }], [{ type: CN, value: 'x' }, { type: UID, value: '1' }]]);
  });

  it.each(['CN', 'XX=1', 'CN=#zz', 'CN=x\\'])('refuses %s with ERR_INPUT', (text) => {
    expect(code(() => parseDn(text))).toBe('ERR_INPUT');
  });
});

describe('output forms', () => {
  const sample: DistinguishedName = [[{ type: C, value: 'DE' }], [{ type: O, value: 'GermanGrid' }], [{ type: OU, value: 'DESY' }], [{ type: CN, value: 'Owen Synge' }]];

  it('nameToOpenSsl writes /C=DE/O=GermanGrid/OU=DESY/CN=Owen Synge', () => {
    expect(nameToOpenSsl(sample)).toBe('/C=DE/O=GermanGrid/OU=DESY/CN=Owen Synge');
  });

  it('nameToRfc4514 writes the reverse order with commas', () => {
    expect(nameToRfc4514(sample)).toBe('CN=Owen Synge,OU=DESY,O=GermanGrid,C=DE');
  });

  it('escapes what would otherwise change the meaning, in both forms', () => {
    const tricky: DistinguishedName = [[{ type: O, value: 'a/CN=b' }], [{ type: CN, value: 'x+UID=1' }]];
    const one = nameToOpenSsl(tricky);
    expect(parseDn(one)).toEqual(tricky);
    const rfc = nameToRfc4514([[{ type: CN, value: ' lead, "q" +x;<>=\\ z' }], [{ type: CN, value: '#not hex' }]]);
    expect(parseDn(rfc)).toEqual([[{ type: CN, value: ' lead, "q" +x;<>=\\ z' }], [{ type: CN, value: '#not hex' }]]);
  });

  // Values whose one-line or RFC 4514 text must not read back as another name.
  it.each([
    ['a value ending in a backslash before the next RDN', [[{ type: CN, value: 'a\\' }], [{ type: O, value: 'x' }]]],
    ['a value holding the text \\x41', [[{ type: CN, value: 'x\\x41' }]]],
    ['a value ending in a space (RFC 4514 escapes it as "\\ ")', [[{ type: CN, value: 'x ' }]]],
    ['a value starting with a space', [[{ type: CN, value: ' x' }]]],
  ])('round-trips %s through both forms', (_, dn: DistinguishedName) => {
    expect(parseDn(nameToOpenSsl(dn)), nameToOpenSsl(dn)).toEqual(dn);
    expect(parseDn(nameToRfc4514(dn)), nameToRfc4514(dn)).toEqual(dn);
  });

  it('two different names never print as the same one-line text', () => {
    const twoRdns: DistinguishedName = [[{ type: CN, value: 'a\\' }], [{ type: O, value: 'x' }]];
    const oneRdn: DistinguishedName = [[{ type: CN, value: 'a/O=x' }]];
    expect(nameToOpenSsl(twoRdns)).not.toBe(nameToOpenSsl(oneRdn));
    expect(dnEquals(twoRdns, nameToOpenSsl(twoRdns))).toBe(true);
  });

  it('writes emailAddress and DC by their usual short names', () => {
    const dn: DistinguishedName = [[{ type: DC, value: 'org' }], [{ type: CN, value: 'c' }], [{ type: EMAIL, value: 'c@x.org' }]];
    expect(nameToOpenSsl(dn)).toBe('/DC=org/CN=c/emailAddress=c@x.org');
    expect(nameToRfc4514(dn)).toBe('emailAddress=c@x.org,CN=c,DC=org');
  });

  it('toOpenSslDn converts RFC 4514 to one-line form and keeps one-line form', () => {
    expect(toOpenSslDn('CN=Alice Endorser,OU=Users,DC=vmilist-test,DC=org')).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
    expect(toOpenSslDn('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser')).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
  });

  it('round-trips random names through both forms', () => {
    const alphabet = ['a', 'B', ' ', '/', '+', '=', ',', '\\', '"', '#', 'é', '1', ';', '<'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const types = [CN, O, OU, DC];
    for (let k = 0; k < 300; k++) {
      const dn: { type: string; value: string }[][] = [];
      const rdns = 1 + rnd(4);
      for (let i = 0; i < rdns; i++) {
        let value = 'v';
        const len = rnd(8);
        for (let j = 0; j < len; j++) value += alphabet[rnd(alphabet.length)];
        value += 'z'; // no leading/trailing specials: they are exercised above
        dn.push([{ type: types[rnd(types.length)] as string, value }]);
      }
      expect(parseDn(nameToRfc4514(dn)), nameToRfc4514(dn)).toEqual(dn);
      expect(parseDn(nameToOpenSsl(dn)), nameToOpenSsl(dn)).toEqual(dn);
    }
  });
});

describe('dnEquals', () => {
  it('one-line and RFC 4514 forms of the same name are equal', () => {
    expect(dnEquals('/C=DE/O=GermanGrid/CN=Owen Synge', 'CN=Owen Synge,O=GermanGrid,C=DE')).toBe(true);
  });

  it('compares CN case-sensitively, DC and emailAddress case-insensitively', () => {
    expect(dnEquals('/C=DE/CN=Owen Synge', '/C=DE/CN=owen synge')).toBe(false);
    expect(dnEquals('/DC=ORG/CN=x/emailAddress=A@B.org', '/DC=org/CN=x/E=a@b.org')).toBe(true);
  });

  it('order of RDNs matters, order inside a multi-valued RDN does not', () => {
    expect(dnEquals('/O=x/CN=y', '/CN=y/O=x')).toBe(false);
    expect(dnEquals('/DC=org/CN=x+UID=1', '/DC=org/UID=1+CN=x')).toBe(true);
  });

  it('a multi-valued RDN equals its flattened one-line printing (OpenSSL prints it with /)', () => {
    expect(dnEquals('/DC=org/CN=x+UID=1', '/DC=org/CN=x/UID=1')).toBe(true);
    // but not a different order once flattened
    expect(dnEquals('/DC=org/CN=x+UID=1', '/DC=org/UID=1/CN=x')).toBe(false);
  });

  it('differs on extra or missing RDNs and on attribute types', () => {
    expect(dnEquals('/O=x/CN=y', '/O=x/CN=y/CN=z')).toBe(false);
    expect(dnEquals('/O=x/CN=y', '/O=x/OU=y')).toBe(false);
  });

  it('text that is not a DN equals nothing, not even itself', () => {
    expect(dnEquals('garbage', 'garbage')).toBe(false);
    expect(dnEquals('/XX=1', '/XX=1')).toBe(false);
  });

  it('compares parsed names as well as text', () => {
    expect(dnEquals(parseDn('/O=x/CN=y'), 'CN=y,O=x')).toBe(true);
  });
});

describe('decodeName: string types of the certificate are decoded before comparing', () => {
  const kinds: StringKind[] = ['utf8', 'printable', 'bmp', 'teletex', 'universal'];
  it.each(kinds)('%s CN and O equal the same text in UTF8String', (kind) => {
    const value = kind === 'printable' ? 'Grid CA 2' : kind === 'teletex' ? 'Grid CA 2' : 'Grid CA – Ünïcode';
    const a = decodeName(nameDer([[[C, 'printable', 'DE']], [[O, kind, value]], [[CN, kind, value]]]));
    const b = decodeName(nameDer([[[C, 'printable', 'DE']], [[O, 'utf8', value]], [[CN, 'utf8', value]]]));
    expect(a).toEqual(b);
    expect(dnEquals(a, b)).toBe(true);
    expect(nameToOpenSsl(a)).toBe(`/C=DE/O=${value}/CN=${value}`);
  });

  it('keeps multi-valued RDNs from DER', () => {
    const dn = decodeName(nameDer([[[DC, 'ia5', 'org']], [[CN, 'utf8', 'x'], [UID, 'utf8', '7']]]));
    expect(dn).toEqual([[{ type: DC, value: 'org' }], [{ type: CN, value: 'x' }, { type: UID, value: '7' }]]);
    expect(nameToOpenSsl(dn)).toBe('/DC=org/CN=x+UID=7');
    expect(dnEquals(dn, '/DC=org/UID=7+CN=x')).toBe(true);
  });

  it('writes a non-string value as # + hex of its BER', () => {
    const seq = new asn1js.Sequence({
      value: [new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: CN }), new asn1js.Integer({ value: 5 })] })] })],
    });
    expect(decodeName(new Uint8Array(seq.toBER(false)))).toEqual([[{ type: CN, value: '#020105' }]]);
  });

  it.each([
    ['not BER', new Uint8Array([0xff, 0x00])],
    ['not a SEQUENCE', new Uint8Array([0x02, 0x01, 0x01])],
    ['an RDN that is not a SET', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])],
  ])('refuses %s with ERR_INPUT', (_, der) => {
    expect(code(() => decodeName(der))).toBe('ERR_INPUT');
  });
});

describe('certificateSubject / certificateIssuer on the vectors', () => {
  // expected values: README of vectors/ (what `openssl x509 -nameopt compat` prints)
  it.each([
    ['alice', '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser'],
    ['bob', '/DC=org/DC=vmilist-test/OU=Organic Units/OU=Users/CN=bobend/CN=424242/CN=Bob Endorser'],
    ['carol', '/DC=org/DC=vmilist-test/OU=Users/CN=Carol Endorser/emailAddress=carol@vmilist-test.org'],
    ['host', '/DC=org/DC=vmilist-test/OU=Hosts/CN=appdb.vmilist-test.org'],
    ['mallory', '/DC=org/DC=intruder/CN=Mallory'],
  ])('%s (PEM)', async (name, subject) => {
    const pem = await readText(`vectors/pki/${name}.pem`);
    expect(certificateSubject(pem)).toBe(subject);
    expect(certificateIssuer(pem)).toBe('/DC=org/DC=vmilist-test/CN=Test Grid CA');
  });

  it('reads DER too, and the intermediate names the root as issuer', async () => {
    expect(certificateSubject(await readBytes('vectors/pki/der/alice.der'))).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
    const inter = await readText('vectors/pki/intermediate.pem');
    expect(certificateSubject(inter)).toBe('/DC=org/DC=vmilist-test/CN=Test Grid CA');
    expect(certificateIssuer(inter)).toBe('/DC=org/DC=vmilist-test/CN=Test Root CA');
    const root = await readText('vectors/pki/root.pem');
    expect(certificateIssuer(root)).toBe(certificateSubject(root));
  });

  it('matches the hv:dn / hv:ca each vector list names', async () => {
    for (const name of ['alice', 'bob', 'carol', 'dave', 'host', 'eve']) {
      const doc = JSON.parse(await readText(`vectors/lists/${name}.json`)) as { 'hv:imagelist': { 'hv:endorser': { 'hv:x509': { 'hv:dn': string; 'hv:ca': string } } } };
      const x509 = doc['hv:imagelist']['hv:endorser']['hv:x509'];
      const pem = await readText(`vectors/pki/${name}.pem`);
      expect(dnEquals(certificateSubject(pem), x509['hv:dn']), name).toBe(true);
      expect(dnEquals(certificateIssuer(pem), x509['hv:ca']), name).toBe(true);
    }
  });

  it.each([
    ['text without a certificate', 'nothing here'],
    ['bytes that are not DER', new Uint8Array([1, 2, 3])],
    ['DER that is not a certificate', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])],
  ])('refuses %s with ERR_INPUT', (_, input) => {
    expect(code(() => certificateSubject(input))).toBe('ERR_INPUT');
  });
});
