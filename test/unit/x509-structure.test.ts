// The certificate and CRL readers (src/x509/der.ts over asn1js, no pkijs on
// the verify path) on structures the vectors do not hold: variants of the
// test PKI's certificates and CRLs made here with pkijs (an independent
// encoder) or by editing bytes. Reading is checked by parseCertificate /
// parseCrl; signatures by checkIssuerSignature with the issuer's real key.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { checkIssuerSignature, ecdsaDerToRaw, ecdsaRawToDer } from '../../src/smime/algorithms.js';
import { derItems, EXT, parseCertificate, type Cert } from '../../src/smime/certs.js';
import { parseCrl } from '../../src/smime/crl.js';
import { readBytes, readText } from '../support/files.js';
import { vec } from '../support/vectors.js';

const engine = new pkijs.CryptoEngine({ name: 'test', crypto: globalThis.crypto });
const SHA256_RSA = '1.2.840.113549.1.1.11';
const SHA512_RSA = '1.2.840.113549.1.1.13';

let aliceDer: Uint8Array<ArrayBuffer>;
let inter: Cert;
let interKeyPkcs8: Uint8Array<ArrayBuffer>;

function pemBody(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new Error(`no ${label} PEM block`);
  return Uint8Array.from(atob(m[1].replace(/\s+/g, '')), (ch) => ch.charCodeAt(0));
}

const firstDer = async (p: string): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(derItems(await readBytes(vec(p)), ['CERTIFICATE'], p)[0] as Uint8Array);

beforeAll(async () => {
  aliceDer = await firstDer('pki/alice.pem');
  inter = parseCertificate(await firstDer('pki/intermediate.pem'), 'intermediate');
  interKeyPkcs8 = pemBody(await readText(vec('pki/intermediate.key.pem')), 'PRIVATE KEY');
});

const signingKey = (hash: string): Promise<CryptoKey> => crypto.subtle.importKey('pkcs8', interKeyPkcs8, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'accepted';
  } catch (e) {
    if (!(e instanceof VmiListError)) throw e;
    return e.code;
  }
}

/** Alice's certificate with `edit` applied, re-signed by the intermediate CA. */
async function reissued(edit: (c: pkijs.Certificate) => void): Promise<Uint8Array<ArrayBuffer>> {
  const c = pkijs.Certificate.fromBER(aliceDer);
  edit(c);
  await c.sign(await signingKey('SHA-256'), 'SHA-256', engine);
  return new Uint8Array(c.toSchema(true).toBER(false));
}

/** Replaces the first occurrence of `from` (ASCII) in `der` by `to` (same length). */
function editAscii(der: Uint8Array, from: string, to: string): Uint8Array<ArrayBuffer> {
  const text = Array.from(der, (b) => String.fromCharCode(b)).join('');
  const at = text.indexOf(from);
  expect(at, `"${from}" is in the certificate`).toBeGreaterThan(0);
  expect(to.length).toBe(from.length);
  const out = new Uint8Array(der);
  for (let i = 0; i < to.length; i++) out[at + i] = to.charCodeAt(i);
  return out;
}

describe('certificates', () => {
  it('control: a certificate re-issued by the CA reads and its signature checks with the CA key', async () => {
    const der = await reissued(() => {});
    const c = parseCertificate(der, 'reissued');
    expect(c.dn).toContain('CN=Alice Endorser');
    expect(await checkIssuerSignature(crypto, c.signed, inter.publicKey, 'reissued', inter.dn)).toBe(true);
  });

  it('the algorithm outside the signed part must be the one inside it (OpenSSL refuses a mismatch too)', async () => {
    // sign the tbs with SHA-512 and say so outside only: the signature is good for the outer algorithm
    const c = pkijs.Certificate.fromBER(await reissued(() => {}));
    expect(c.signature.algorithmId).toBe(SHA256_RSA);
    const tbs = new Uint8Array(c.tbsView);
    const sig = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', await signingKey('SHA-512'), tbs));
    const mixed = new asn1js.Sequence({
      value: [asn1js.fromBER(tbs).result, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: SHA512_RSA }), new asn1js.Null()] }), new asn1js.BitString({ valueHex: sig.buffer })],
    });
    const parsed = parseCertificate(new Uint8Array(mixed.toBER(false)), 'mixed');
    const verdict = await checkIssuerSignature(crypto, parsed.signed, inter.publicKey, 'certificate mixed', inter.dn);
    expect(verdict).toMatch(/two different signature algorithms/);
    // the same bytes with the outer algorithm told inside verify: it is the mismatch that is refused
    expect(await checkIssuerSignature(crypto, { ...parsed.signed, tbsSignatureAlgorithm: parsed.signed.signatureAlgorithm }, inter.publicKey, 'x', inter.dn)).toBe(true);
  });

  it('an extension present twice makes the certificate unreadable', async () => {
    const twice = await reissued((c) => {
      const ku = c.extensions?.find((e) => e.extnID === EXT.keyUsage);
      expect(ku).toBeDefined();
      c.extensions?.push(ku as pkijs.Extension);
    });
    const e = (() => {
      try {
        parseCertificate(twice, 'twice');
      } catch (err) {
        return err as VmiListError;
      }
      return undefined;
    })();
    expect(e?.code).toBe('ERR_INPUT');
    expect(e?.message).toMatch(/extension 2\.5\.29\.15 twice/);
  });

  it('validity times: only UTC forms with seconds, and only dates that exist', () => {
    expect(codeOf(() => parseCertificate(aliceDer, 'alice'))).toBe('accepted');
    const c = parseCertificate(aliceDer, 'alice');
    const notAfter = new Date(c.notAfter).toISOString();
    // UTCTime YYMMDDHHMMSSZ of notAfter, as encoded
    const utc = `${notAfter.slice(2, 4)}${notAfter.slice(5, 7)}${notAfter.slice(8, 10)}${notAfter.slice(11, 13)}${notAfter.slice(14, 16)}${notAfter.slice(17, 19)}Z`;
    expect(codeOf(() => parseCertificate(editAscii(aliceDer, utc, `${utc.slice(0, 12)}+`), 'x'))).toBe('ERR_INPUT');
    expect(codeOf(() => parseCertificate(editAscii(aliceDer, utc, `${utc.slice(0, 2)}0230${utc.slice(6)}`), 'x'))).toBe('ERR_INPUT');
    expect(codeOf(() => parseCertificate(editAscii(aliceDer, utc, `${utc.slice(0, 6)}24${utc.slice(8)}`), 'x'))).toBe('ERR_INPUT');
    expect(codeOf(() => parseCertificate(editAscii(aliceDer, utc, `${utc.slice(0, 10)}60Z`), 'x'))).toBe('ERR_INPUT');
    // a later valid date reads as that date
    const later = parseCertificate(editAscii(aliceDer, utc, `${utc.slice(0, 2)}1231235959Z`), 'x');
    expect(new Date(later.notAfter).toISOString().slice(5, 19)).toBe('12-31T23:59:59');
  });

  it('an embedded certificate that does not read is the message\'s fault (ERR_MIME_MALFORMED)', () => {
    const broken = aliceDer.slice(0, aliceDer.length - 10);
    expect(codeOf(() => parseCertificate(broken, 'certificate 1 in the message', 'ERR_MIME_MALFORMED'))).toBe('ERR_MIME_MALFORMED');
  });
});

describe('CRLs', () => {
  async function bigCrl(count: number, revokedSerial: string): Promise<Uint8Array> {
    const caSubject = pkijs.Certificate.fromBER(new Uint8Array(inter.der)).subject;
    const date = new pkijs.Time({ type: 0, value: new Date(Date.UTC(2025, 5, 1)) });
    const reason = new pkijs.Extensions({ extensions: [new pkijs.Extension({ extnID: EXT.cRLReason, critical: false, extnValue: new asn1js.Enumerated({ value: 1 }).toBER(false) })] });
    const entries = Array.from({ length: count }, (_, i) => {
      const hex = i === count - 1 ? revokedSerial : (0x100000 + i).toString(16);
      return new pkijs.RevokedCertificate({ userCertificate: new asn1js.Integer({ valueHex: Uint8Array.from(hex.match(/../g) ?? [], (b) => parseInt(b, 16)).buffer }), revocationDate: date, crlEntryExtensions: reason });
    });
    const crl = new pkijs.CertificateRevocationList({
      version: 1,
      issuer: caSubject,
      thisUpdate: new pkijs.Time({ type: 0, value: new Date(Date.UTC(2026, 0, 1)) }),
      nextUpdate: new pkijs.Time({ type: 0, value: new Date(Date.UTC(2040, 0, 1)) }),
      revokedCertificates: entries,
    });
    await crl.sign(await signingKey('SHA-256'), 'SHA-256', engine);
    // encoded from the fields (as signed): pkijs cannot read its own big tbs back (asn1js's default element limit)
    return new Uint8Array(crl.toSchema(true).toBER(false));
  }

  it('a CRL of a big CA (20,000 revocations, ~160,000 ASN.1 elements) reads, with its signature and the last entry', async () => {
    const der = await bigCrl(20_000, '1008');
    const crl = parseCrl(der, 'big.crl');
    expect(crl.revoked.size).toBe(20_000);
    expect(crl.revoked.get('1008')).toBe(Date.UTC(2025, 5, 1));
    expect(await checkIssuerSignature(crypto, crl.signed, inter.publicKey, 'CRL', inter.dn)).toBe(true);
  }, 60_000);
});

describe('ECDSA signature values', () => {
  it('only the DER form of (r, s) is read, as OpenSSL requires', async () => {
    const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new Uint8Array(8)));
    const der = ecdsaRawToDer(raw);
    expect(ecdsaDerToRaw(der, 32)).toEqual(raw);
    // r with one more leading 00 than it needs: the same numbers, not DER
    const r = der.subarray(2, 2 + 2 + (der[3] as number));
    const s = der.subarray(2 + r.length);
    const padded = Uint8Array.from([0x02, (r[1] as number) + 1, 0x00, ...r.subarray(2)]);
    const nonMinimal = Uint8Array.from([0x30, padded.length + s.length, ...padded, ...s]);
    expect(ecdsaDerToRaw(nonMinimal, 32)).toBeUndefined();
    // the outer SEQUENCE with an indefinite length
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 0x80, ...der.subarray(2), 0, 0]), 32)).toBeUndefined();
    // a negative r (sign bit set without its 00)
    const negative = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01]);
    expect(ecdsaDerToRaw(negative, 32)).toBeUndefined();
    expect(ecdsaDerToRaw(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x7f, 0x02, 0x01, 0x01]), 32)?.length).toBe(64);
  });
});
