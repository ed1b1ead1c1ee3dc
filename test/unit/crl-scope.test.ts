// CRLs scoped by issuingDistributionPoint (IDP, 2.5.29.28) through the public
// verifySignedList: a scoped CRL covers only the certificates its scope names,
// a partial CRL (some reasons, indirect) never counts as the CA's CRL, and a
// CRL without nextUpdate is never stale. The CRLs are made here with pkijs and
// WebCrypto, signed by the test intermediate CA, so the same file runs in
// Node and in Chromium.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifySignedList, VmiListError, type VerifyOptions } from '../../src/index.js';
import { readBytes, readText } from '../support/files.js';
import { vec } from '../support/vectors.js';

const AT = '2026-06-01T00:00:00Z';
const ALICE = '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser';
const REX = '/DC=org/DC=vmilist-test/OU=Users/CN=Rex Revoked';
const REVOKED_SERIAL = '1008';
const IDP_OID = '2.5.29.28';
// a private engine: no global pkijs engine is set or changed
const engine = new pkijs.CryptoEngine({ name: 'test', crypto: globalThis.crypto });

function pemBody(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new Error(`no ${label} PEM block`);
  const bin = atob(m[1].replace(/\s+/g, ''));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

function hexBytes(hex: string): Uint8Array {
  const h = hex.length % 2 ? `0${hex}` : hex;
  return Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
}

let caKey: CryptoKey;
let caSubject: pkijs.RelativeDistinguishedNames;
let rootCert: Uint8Array;
let caCert: Uint8Array;
let rootCrl: Uint8Array;
let caCrl: Uint8Array; // vectors' intermediate CRL: thisUpdate 2026-01-01, revokes 1008
let alice: Uint8Array;
let rex: Uint8Array;

beforeAll(async () => {
  [rootCert, caCert, rootCrl, caCrl, alice, rex] = await Promise.all(
    ['pki/root.pem', 'pki/intermediate.pem', 'pki/root.crl.pem', 'pki/intermediate.crl.pem', 'signed/alice-sha512.smime', 'signed/revoked.smime'].map((p) => readBytes(vec(p))),
  ) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const keyDer = pemBody(await readText(vec('pki/intermediate.key.pem')), 'PRIVATE KEY');
  caKey = await crypto.subtle.importKey('pkcs8', keyDer, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  const cert = pkijs.Certificate.fromBER(pemBody(new TextDecoder().decode(caCert), 'CERTIFICATE'));
  caSubject = cert.subject;
});

/** What a generated CRL of the intermediate CA says. */
interface CrlSpec {
  /** Revoked serials, hex. */
  readonly revoke?: readonly string[];
  /** The IDP extension: pkijs parameters, or its DER when pkijs cannot express it. */
  readonly idp?: ConstructorParameters<typeof pkijs.IssuingDistributionPoint>[0] | Uint8Array;
  readonly thisUpdate?: Date;
  /** null: no nextUpdate at all. */
  readonly nextUpdate?: Date | null;
}

/** A DER CRL of the intermediate CA, signed with its key. */
async function makeCrl(spec: CrlSpec = {}): Promise<Uint8Array<ArrayBuffer>> {
  const thisUpdate = spec.thisUpdate ?? new Date(Date.UTC(2026, 0, 1));
  const nextUpdate = spec.nextUpdate === undefined ? new Date(Date.UTC(2040, 0, 1)) : spec.nextUpdate;
  const extensions: pkijs.Extension[] = [new pkijs.Extension({ extnID: '2.5.29.20', critical: false, extnValue: new asn1js.Integer({ value: 77 }).toBER(false) })];
  if (spec.idp !== undefined) {
    const idpDer = spec.idp instanceof Uint8Array ? spec.idp : new Uint8Array(new pkijs.IssuingDistributionPoint(spec.idp).toSchema().toBER(false));
    extensions.push(new pkijs.Extension({ extnID: IDP_OID, critical: true, extnValue: idpDer.slice().buffer }));
  }
  const revoke = spec.revoke ?? [];
  const crl = new pkijs.CertificateRevocationList({
    version: 1,
    issuer: caSubject,
    thisUpdate: new pkijs.Time({ type: 0, value: thisUpdate }),
    ...(nextUpdate ? { nextUpdate: new pkijs.Time({ type: 0, value: nextUpdate }) } : {}),
    ...(revoke.length
      ? {
          revokedCertificates: revoke.map(
            (s) => new pkijs.RevokedCertificate({ userCertificate: new asn1js.Integer({ valueHex: hexBytes(s) }), revocationDate: new pkijs.Time({ type: 0, value: new Date(Date.UTC(2025, 5, 1)) }) }),
          ),
        }
      : {}),
    crlExtensions: new pkijs.Extensions({ extensions }),
  });
  await crl.sign(caKey, 'SHA-256', engine);
  return new Uint8Array(crl.toSchema().toBER(false));
}

/** The trust of the vectors' main set, with the given CRLs of the intermediate instead of its own. */
function options(intermediateCrls: readonly Uint8Array[]): VerifyOptions {
  return { trustAnchors: [rootCert], intermediates: [caCert], crls: [rootCrl, ...intermediateCrls], at: AT };
}

async function refusal(input: Uint8Array, opts: VerifyOptions): Promise<InstanceType<typeof VmiListError>> {
  try {
    const v = await verifySignedList(input, opts);
    throw new Error(`expected a refusal, but it verified (signer ${v.signer.dn})`);
  } catch (e) {
    if (!(e instanceof VmiListError)) throw e;
    return e;
  }
}

/** The IDP a generated CRL carries, read back the way a consumer reads it. */
function idpOf(der: Uint8Array<ArrayBuffer>): pkijs.IssuingDistributionPoint {
  const crl = pkijs.CertificateRevocationList.fromBER(der);
  const ext = crl.crlExtensions?.extensions.find((e) => e.extnID === IDP_OID);
  expect(ext?.critical).toBe(true);
  const idp: unknown = ext?.parsedValue;
  expect(idp).toBeInstanceOf(pkijs.IssuingDistributionPoint);
  return idp as pkijs.IssuingDistributionPoint;
}

describe('the CRL generator', () => {
  it('control: without IDP, a generated CRL revoking 1008 is accepted and revokes Rex (case 6)', async () => {
    const crl = await makeCrl({ revoke: [REVOKED_SERIAL] });
    const e = await refusal(rex, options([crl]));
    expect(e.code, e.message).toBe('ERR_CERT_REVOKED');
    expect(e.message).toContain(REX);
    // and the same CRL lets Alice through: it is current and correctly signed
    const v = await verifySignedList(alice, options([crl]));
    expect(v.signer.dn).toBe(ALICE);
  });

  it('writes the IDP flags asked for', async () => {
    expect(idpOf(await makeCrl({ idp: { onlyContainsUserCerts: true } })).onlyContainsUserCerts).toBe(true);
    expect(idpOf(await makeCrl({ idp: { onlyContainsCACerts: true } })).onlyContainsCACerts).toBe(true);
    expect(idpOf(await makeCrl({ idp: { indirectCRL: true } })).indirectCRL).toBe(true);
    expect(idpOf(await makeCrl({ idp: { onlySomeReasons: 0x40 } })).onlySomeReasons).toBeDefined();
  });
});

describe('issuingDistributionPoint scope', () => {
  it('an onlyContainsCACerts CRL does not cover the end-entity signer → ERR_CRL_MISSING (case 1)', async () => {
    const empty = await makeCrl({ idp: { onlyContainsCACerts: true } });
    const e = await refusal(alice, options([empty]));
    expect(e.code, e.message).toBe('ERR_CRL_MISSING');
    // the CRL itself was accepted (signature, issuer); only its scope misses alice
    expect(e.message).toMatch(/covers end-entity certificates/);
    expect(e.message).toContain(ALICE);
    // listing Rex on a CA-only CRL does not make it cover him either
    const withRex = await makeCrl({ idp: { onlyContainsCACerts: true }, revoke: [REVOKED_SERIAL] });
    expect((await refusal(rex, options([withRex]))).code).toBe('ERR_CRL_MISSING');
  });

  it('an onlyContainsUserCerts CRL is enough for end-entity signers (case 2)', async () => {
    const users = await makeCrl({ idp: { onlyContainsUserCerts: true }, revoke: [REVOKED_SERIAL] });
    const e = await refusal(rex, options([users]));
    expect(e.code, e.message).toBe('ERR_CERT_REVOKED');
    expect(e.message).toContain(`serial ${REVOKED_SERIAL}`);
    const v = await verifySignedList(alice, options([users]));
    expect(v.signer.dn).toBe(ALICE);
  });

  it('with a user-only CRL and the full CRL, the newest covering CRL decides (case 3)', async () => {
    // The user-only CRL does not list 1008 and is older (2025-12-01) than the
    // vectors' full CRL (2026-01-01, lists 1008): the full CRL is the newest
    // covering one and decides → revoked, in either order of the list.
    const olderUsers = await makeCrl({ idp: { onlyContainsUserCerts: true }, thisUpdate: new Date(Date.UTC(2025, 11, 1)) });
    for (const crls of [[olderUsers, caCrl], [caCrl, olderUsers]]) {
      const e = await refusal(rex, options(crls));
      expect(e.code, e.message).toBe('ERR_CERT_REVOKED');
      expect(e.message).toContain(`serial ${REVOKED_SERIAL}`);
    }
    expect((await verifySignedList(alice, options([olderUsers, caCrl]))).signer.dn).toBe(ALICE);
  });

  it('a revocation in any current covering CRL counts: neither a newer scoped CRL nor the order of CRLs hides it', async () => {
    // the union rule of checkRevocation(): a user-only CRL from 2026-03-01
    // that does not list 1008 does not undo the full CRL that does
    const newerUsers = await makeCrl({ idp: { onlyContainsUserCerts: true }, thisUpdate: new Date(Date.UTC(2026, 2, 1)) });
    for (const crls of [[newerUsers, caCrl], [caCrl, newerUsers]]) {
      expect((await refusal(rex, options(crls))).code).toBe('ERR_CERT_REVOKED');
    }
    // same thisUpdate as the full CRL, both orders
    const sameDayUsers = await makeCrl({ idp: { onlyContainsUserCerts: true }, thisUpdate: new Date(Date.UTC(2026, 0, 1)) });
    for (const crls of [[sameDayUsers, caCrl], [caCrl, sameDayUsers]]) {
      expect((await refusal(rex, options(crls))).code).toBe('ERR_CERT_REVOKED');
    }
    // and the good signer still verifies with both
    expect((await verifySignedList(alice, options([newerUsers, caCrl]))).signer.dn).toBe(ALICE);
  });
});

describe('partial CRLs never count as the CA CRL (case 4)', () => {
  // [3] IMPLICIT BIT STRING keyCompromise (bit 1): 0x83 len 2, 6 unused bits, 0x40 —
  // written by hand because pkijs writes onlySomeReasons as one bare byte
  const someReasonsDer = new Uint8Array([0x30, 0x04, 0x83, 0x02, 0x06, 0x40]);
  const cases: [string, CrlSpec['idp']][] = [
    ['onlySomeReasons (pkijs)', { onlySomeReasons: 0x40 }],
    ['onlySomeReasons (DER BIT STRING)', someReasonsDer],
    ['indirectCRL', { indirectCRL: true }],
    ['onlySomeReasons on a user-only CRL', { onlyContainsUserCerts: true, onlySomeReasons: 0x40 }],
  ];
  it.each(cases)('%s → ERR_CRL_MISSING naming the partial CRL', async (_, idp) => {
    const partial = await makeCrl({ idp });
    const e = await refusal(alice, options([partial]));
    expect(e.code, e.message).toBe('ERR_CRL_MISSING');
    expect(e.message).toMatch(/partial CRL/);
    // a partial CRL listing Rex still does not count: missing, not revoked
    const partialRex = await makeCrl({ idp, revoke: [REVOKED_SERIAL] });
    expect((await refusal(rex, options([partialRex]))).code).toBe('ERR_CRL_MISSING');
  });
});

describe('a CRL without nextUpdate (case 5)', () => {
  it('is never stale: alice verifies years after its thisUpdate', async () => {
    const open = await makeCrl({ nextUpdate: null });
    expect(pkijs.CertificateRevocationList.fromBER(open).nextUpdate).toBeUndefined();
    const v = await verifySignedList(alice, options([open]));
    expect(v.signer.dn).toBe(ALICE);
    // years later (certificates still valid until 2040): a CRL with a
    // nextUpdate is stale by then, the one without is not
    const later = { at: '2035-01-01T00:00:00Z' };
    const dated = await makeCrl({ nextUpdate: new Date(Date.UTC(2030, 0, 1)) });
    expect((await refusal(alice, { ...options([dated]), ...later })).code).toBe('ERR_CRL_EXPIRED');
    const r = await verifySignedList(alice, { ...options([open]), ...later }).catch((e: unknown) => e);
    // the list itself may have expired by 2035 (a later step); the CRL step must pass
    if (r instanceof VmiListError) expect(r.code, r.message).toBe('ERR_LIST_EXPIRED');
    else expect((r as { signer: { dn: string } }).signer.dn).toBe(ALICE);
  });

  it('still revokes what it lists', async () => {
    const open = await makeCrl({ nextUpdate: null, revoke: [REVOKED_SERIAL] });
    expect((await refusal(rex, options([open]))).code).toBe('ERR_CERT_REVOKED');
  });
});
