// Real signed lists from the tools in use (../shared/fixtures/real, read in
// place; provenance in its SOURCES.md) get the verdicts SOURCES.md implies.
// Outside CI, when ../shared/fixtures is absent, every test here is skipped
// and says why.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { parseSmime, verifySignature, verifySignedList, type VerifyOptions } from '../../src/index.js';
import { REAL, exists, readBytes, readText } from '../support/files.js';

const present = await exists(`${REAL}/SOURCES.md`);
const SKIP = `${REAL} is absent (it ships beside the project in CI only): real-fixture tests skipped`;
if (!present) console.warn(SKIP);
const real = (p: string) => readBytes(`${REAL}/${p}`);

/** The certificates a CMS blob embeds, as DER. */
function embeddedCertificates(cms: Uint8Array): Uint8Array[] {
  const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(cms).result });
  const sd = new pkijs.SignedData({ schema: ci.content });
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => new Uint8Array(c.toSchema().toBER(false)));
}

/** The smimeX509validation example trust dir (IGTF layout, no CRLs), read file by file so it works in the browser. */
async function smimeX509Store(): Promise<Pick<VerifyOptions, 'trustAnchors' | 'namespaces'>> {
  const dir = 'smimeX509validation';
  const pems = ['AddTrust_External_Root.pem', 'TERENA_SSL_CA.pem', 'TERENA_eScience_SSL_CA.pem', 'UTN_USERFirst_Hardware_Root_CA.pem'];
  const policies = ['AddTrust_External_Root.signing_policy', 'TERENA_eScience_SSL_CA.signing_policy', 'UTN-USERFirst-Hardware.signing_policy'];
  return {
    trustAnchors: await Promise.all(pems.map((f) => real(`${dir}/${f}`))),
    namespaces: await Promise.all(policies.map(async (name) => ({ name, format: 'signing_policy' as const, text: await readText(`${REAL}/${dir}/${name}`) }))),
  };
}

const OWEN = '/C=DE/O=GermanGrid/OU=DESY/CN=Owen Synge';
const GRIDKA = '/C=DE/O=GermanGrid/CN=GridKa-CA';
const SIGNED_2011 = '2011-06-02T17:02:37Z'; // its signingTime
const AU = '/C=AU/ST=Some-State/O=Internet Widgits Pty Ltd';

describe.skipIf(!present)('hepixvmitrust README example (SHA-1, GridKa-CA, signer expired before signing)', () => {
  const file = 'hepixvmitrust/README.md.signed-example.smime';

  it('is a detached multipart/signed message whose content part is the list', async () => {
    const p = parseSmime(await real(file));
    expect(p.kind).toBe('detached');
    expect(p.micalg).toBe('sha1');
    const listText = new TextDecoder().decode(p.content);
    expect(JSON.parse(listText)['hv:imagelist']['dc:identifier']).toBeTypeOf('string');
  });

  it('refuses SHA-1 by default with ERR_DIGEST_WEAK, at the signature step already', async () => {
    const bytes = await real(file);
    await expect(verifySignature(bytes)).rejects.toMatchObject({ code: 'ERR_DIGEST_WEAK' });
    await expect(verifySignedList(bytes, { ...(await smimeX509Store()), at: SIGNED_2011 })).rejects.toMatchObject({ code: 'ERR_DIGEST_WEAK' });
  });

  it('with allowSha1 the signature itself verifies (Owen Synge, GridKa-CA)', async () => {
    const r = await verifySignature(await real(file), { allowSha1: true });
    expect(r.digestAlgorithm).toBe('sha1');
    expect(r.signers).toHaveLength(1);
    expect(r.signers[0]).toMatchObject({ dn: OWEN, issuer: GRIDKA, notAfter: '2011-02-04T15:19:22Z' });
    const list = JSON.parse(new TextDecoder().decode(r.content))['hv:imagelist'];
    expect(list['hv:endorser']['hv:x509']['hv:dn']).toBe(OWEN);
  });

  it('its mixed CRLF/LF file verifies as stored, converted to LF and converted to CRLF', async () => {
    const bytes = await real(file);
    const latin1 = new TextDecoder('latin1').decode(bytes);
    expect(latin1).toMatch(/\r\n/);
    expect(latin1).toMatch(/[^\r]\n/);
    const toBytes = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));
    const asLf = toBytes(latin1.replace(/\r\n/g, '\n'));
    const asCrlf = toBytes(latin1.replace(/\r?\n/g, '\r\n'));
    for (const b of [bytes, asLf, asCrlf]) {
      const r = await verifySignature(b, { allowSha1: true });
      expect(r.signers[0]?.dn).toBe(OWEN);
    }
  });

  it('with allowSha1 full verification still fails: GridKa-CA is in no trust store here → ERR_CERT_UNTRUSTED', async () => {
    const bytes = await real(file);
    await expect(verifySignedList(bytes, { ...(await smimeX509Store()), at: SIGNED_2011, allowSha1: true, crlPolicy: 'off' })).rejects.toMatchObject({
      code: 'ERR_CERT_UNTRUSTED',
    });
  });

  it('trusting the signer certificate itself does not help: an end-entity certificate is no trust anchor', async () => {
    const bytes = await real(file);
    const [signerCert] = embeddedCertificates(parseSmime(bytes).cms);
    expect(signerCert).toBeDefined();
    // otherwise it would be a complete path of its own that no CRL covers
    await expect(
      verifySignedList(bytes, { trustAnchors: [signerCert as Uint8Array], at: SIGNED_2011, allowSha1: true, crlPolicy: 'off' }),
    ).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/no CA certificate/) });
  });
});

describe.skipIf(!present)('cloudkeeper signed mock lists (self-signed CA:TRUE signer, not the hv:endorser)', () => {
  const good = ['imagelist01.signed', 'imagelist02.signed', 'imagelist03.signed', 'imagelist04.signed'];

  it.each(good)('%s: the signature verifies over the content (SHA-256, the AU certificate)', async (f) => {
    const r = await verifySignature(await real(`cloudkeeper/${f}`));
    expect(r.digestAlgorithm).toBe('sha256');
    expect(r.signers.map((s) => [s.dn, s.issuer])).toEqual([[AU, AU]]);
    const body = JSON.parse(new TextDecoder().decode(r.content));
    expect(body['hv:imagelist']['hv:images']).toHaveLength(2);
  });

  it('imagelist01.unsigned is the signed body of imagelist01.signed', async () => {
    const r = await verifySignature(await real('cloudkeeper/imagelist01.signed'));
    const norm = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\r\n/g, '\n').trimEnd();
    expect(norm(r.content)).toBe(norm(await real('cloudkeeper/imagelist01.unsigned')));
  });

  it.each(good)('%s with its ca/ as trust anchor and no CRL check: refused, the signer is a CA certificate (ERR_CERT_USAGE)', async (f) => {
    const anchor = await real('cloudkeeper/ca/9da13359.0');
    await expect(verifySignedList(await real(`cloudkeeper/${f}`), { trustAnchors: [anchor], crlPolicy: 'off', at: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'ERR_CERT_USAGE',
    });
  });

  it.each(good)('%s against the smimeX509validation CA dir: ERR_CERT_UNTRUSTED (the AU self-signed CA is not in it)', async (f) => {
    await expect(verifySignedList(await real(`cloudkeeper/${f}`), { ...(await smimeX509Store()), at: '2019-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'ERR_CERT_UNTRUSTED',
    });
  });

  it('imagelist_invalid.signed: ERR_SIGNATURE_INVALID, in the signature step and in full verification', async () => {
    const bytes = await real('cloudkeeper/imagelist_invalid.signed');
    await expect(verifySignature(bytes)).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    const anchor = await real('cloudkeeper/ca/9da13359.0');
    await expect(verifySignedList(bytes, { trustAnchors: [anchor], crlPolicy: 'off', at: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'ERR_SIGNATURE_INVALID',
    });
  });
});
