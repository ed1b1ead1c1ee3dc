// signImageList with every kind of vector key and digest, detached and
// opaque, then verifySignedList on the result (Node and Chromium). The
// signed bytes are the CRLF-canonical form of the list.
import { describe, expect, it } from 'vitest';
import {
  VmiListError,
  parseImageList,
  parseSmime,
  prepareListForSigning,
  signImageList,
  signedContentOf,
  verifySignature,
  verifySignedList,
  type SignDigest,
  type SignOptions,
} from '../../src/index.js';
import { readBytes, readText } from '../support/files.js';
import { loadManifest, trustSet } from '../support/vectors.js';

const manifest = await loadManifest();
const AT = manifest.at;
const main = await trustSet(manifest, 'main');
const rootOnly = await trustSet(manifest, 'root-only-no-intermediate');
const pki = (f: string) => `vectors/pki/${f}`;
// certificates read once, for the synchronous prepare calls
const readTextSync = { alice: await readText(pki('alice.pem')) };

interface KeyCase {
  readonly label: string;
  readonly signer: string;
  readonly dn: string;
  readonly key: () => Promise<SignOptions['privateKey']>;
  readonly digests: readonly SignDigest[];
}

const ALICE = '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser';
const KEYS: KeyCase[] = [
  { label: 'RSA PKCS#8 PEM', signer: 'alice', dn: ALICE, key: () => readText(pki('alice.key.pem')), digests: ['sha256', 'sha384', 'sha512'] },
  { label: 'RSA traditional PEM', signer: 'alice', dn: ALICE, key: () => readText(pki('alice.rsa.key.pem')), digests: ['sha256', 'sha512'] },
  { label: 'RSA PKCS#8 DER', signer: 'alice', dn: ALICE, key: () => readBytes(pki('der/alice.key.p8.der')), digests: ['sha512'] },
  {
    label: 'ECDSA P-256',
    signer: 'carol',
    dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Carol Endorser/emailAddress=carol@vmilist-test.org',
    key: () => readText(pki('carol.key.pem')),
    digests: ['sha256', 'sha384', 'sha512'],
  },
  { label: 'ECDSA P-384', signer: 'dave', dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Dave Endorser', key: () => readText(pki('dave.key.pem')), digests: ['sha256', 'sha384', 'sha512'] },
];

const CASES = KEYS.flatMap((k) => k.digests.flatMap((digest) => [true, false].map((detached) => ({ k, digest, detached }))));

const hasBareLf = (b: Uint8Array) => b.some((x, i) => x === 10 && b[i - 1] !== 13);
const lf = (b: Uint8Array) => new TextDecoder().decode(b).replace(/\r\n/g, '\n');

describe('sign → verify with every key and digest', () => {
  it.each(CASES.map((c) => [`${c.k.label} ${c.digest} ${c.detached ? 'detached' : 'opaque'}`, c] as const))('%s', async (_, c) => {
    const listBytes = await readBytes(`vectors/lists/${c.k.signer}.json`);
    const text = await signImageList(listBytes, {
      certificate: await readText(pki(`${c.k.signer}.pem`)),
      privateKey: await c.k.key(),
      digest: c.digest,
      detached: c.detached,
      signingTime: new Date(AT),
    });
    const parsed = parseSmime(text);
    expect(parsed.kind).toBe(c.detached ? 'detached' : 'opaque');
    if (c.detached) expect(text).toMatch(new RegExp(`micalg="?sha-${c.digest.slice(3)}"?`));
    const v = await verifySignedList(text, { ...main, at: AT });
    expect(v.signer.dn).toBe(c.k.dn);
    expect(v.digestAlgorithm).toBe(c.digest);
    // what was signed is the CRLF form of the LF file
    expect(hasBareLf(v.content)).toBe(false);
    expect(lf(v.content)).toBe(lf(listBytes));
    expect(v.content).toEqual(signedContentOf(listBytes));
  });
});

describe('canonical form and MIME shape', () => {
  it('signedContentOf turns LF, CRLF and mixed text into the same CRLF bytes', () => {
    const enc = new TextEncoder();
    const want = enc.encode('{\r\n  "a": 1\r\n}\r\n');
    for (const t of ['{\n  "a": 1\n}\n', '{\r\n  "a": 1\r\n}\r\n', '{\r\n  "a": 1\n}\r\n']) expect(signedContentOf(t)).toEqual(want);
  });

  it('a detached message carries the list readable, with CRLF line ends throughout', async () => {
    const text = await signImageList(await readBytes('vectors/lists/alice.json'), {
      certificate: await readText(pki('alice.pem')),
      privateKey: await readText(pki('alice.key.pem')),
      signingTime: new Date(AT),
    });
    expect(text).toMatch(/^MIME-Version: 1\.0\r\n/);
    expect(text).toMatch(/Content-Type: multipart\/signed;[^\r\n]*protocol="application\/(x-)?pkcs7-signature"/);
    expect(text).toContain('"hv:imagelist": {\r\n');
    expect(/[^\r]\n/.test(text)).toBe(false);
    // default digest is SHA-512
    expect(text).toContain('micalg="sha-512"');
    // the message verifies also after a transfer turned it into LF
    await expect(verifySignedList(text.replace(/\r\n/g, '\n'), { ...main, at: AT })).resolves.toMatchObject({ digestAlgorithm: 'sha512' });
  });

  it('signing a parsed list signs its canonical serialisation', async () => {
    const { document } = parseImageList(await readBytes('vectors/lists/alice.json'));
    const text = await signImageList(document, {
      certificate: await readText(pki('alice.pem')),
      privateKey: await readText(pki('alice.key.pem')),
      signingTime: new Date(AT),
    });
    const v = await verifySignedList(text, { ...main, at: AT });
    expect(v.document).toEqual(document);
    expect(v.content).toEqual(signedContentOf(document));
  });

  it('non-ASCII text in the list survives signing (UTF-8 bytes, detached and opaque)', async () => {
    const doc = JSON.parse(await readText('vectors/lists/alice.json'));
    doc['hv:imagelist']['dc:description'] = 'Übersicht – images für Zürich ✓';
    const bytes = new TextEncoder().encode(JSON.stringify(doc, null, 4));
    for (const detached of [true, false]) {
      const text = await signImageList(bytes, {
        certificate: await readText(pki('alice.pem')),
        privateKey: await readText(pki('alice.key.pem')),
        detached,
        signingTime: new Date(AT),
      });
      // a caller writes the returned string as UTF-8, then a verifier reads those bytes
      const v = await verifySignedList(new TextEncoder().encode(text), { ...main, at: AT });
      expect(v.list['dc:description'], detached ? 'detached' : 'opaque').toBe('Übersicht – images für Zürich ✓');
    }
  });

  it('an embedded chain lets a verifier that trusts only the root build the path', async () => {
    const opts = {
      certificate: await readText(pki('alice.pem')),
      privateKey: await readText(pki('alice.key.pem')),
      signingTime: new Date(AT),
    };
    const listBytes = await readBytes('vectors/lists/alice.json');
    const without = await signImageList(listBytes, opts);
    await expect(verifySignedList(without, { ...rootOnly, at: AT })).rejects.toMatchObject({ code: 'ERR_CERT_UNTRUSTED' });
    const withChain = await signImageList(listBytes, { ...opts, chain: [await readText(pki('intermediate.pem'))] });
    const v = await verifySignedList(withChain, { ...rootOnly, at: AT });
    expect(v.chain).toEqual([ALICE, '/DC=org/DC=vmilist-test/CN=Test Grid CA', '/DC=org/DC=vmilist-test/CN=Test Root CA']);
  });

  it('the signingTime given is the one in the signature; two signatures of one list share the content', async () => {
    const listBytes = await readBytes('vectors/lists/alice.json');
    const base = { certificate: await readText(pki('alice.pem')), privateKey: await readText(pki('alice.key.pem')) };
    const a = await signImageList(listBytes, { ...base, signingTime: new Date('2026-02-01T00:00:00Z') });
    const b = await signImageList(listBytes, { ...base, signingTime: new Date('2026-03-01T00:00:00Z') });
    expect(a).not.toBe(b);
    const [va, vb] = await Promise.all([verifySignature(a), verifySignature(b)]);
    expect(va.content).toEqual(vb.content);
  });
});

describe('signing refuses what cannot be right', () => {
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'resolved';
    } catch (e) {
      return e instanceof VmiListError ? e.code : `not a VmiListError: ${String(e)}`;
    }
  };

  it('a key that is not the certificate’s', async () => {
    expect(
      await code(
        signImageList(await readBytes('vectors/lists/alice.json'), {
          certificate: await readText(pki('alice.pem')),
          privateKey: await readText(pki('bob.key.pem')),
          signingTime: new Date(AT),
        }),
      ),
    ).toBe('ERR_INPUT');
    expect(
      await code(
        signImageList(await readBytes('vectors/lists/carol.json'), {
          certificate: await readText(pki('carol.pem')),
          privateKey: await readText(pki('alice.key.pem')),
          signingTime: new Date(AT),
        }),
      ),
    ).toBe('ERR_INPUT');
  });

  it('a weak or unknown digest, a missing signingTime, a certificate that is not one', async () => {
    const base = {
      certificate: await readText(pki('alice.pem')),
      privateKey: await readText(pki('alice.key.pem')),
      signingTime: new Date(AT),
    };
    const list = await readBytes('vectors/lists/alice.json');
    expect(await code(signImageList(list, { ...base, digest: 'sha1' as SignDigest }))).toBe('ERR_INPUT');
    expect(await code(signImageList(list, { ...base, signingTime: undefined as unknown as Date }))).toBe('ERR_INPUT');
    expect(await code(signImageList(list, { ...base, signingTime: new Date(Number.NaN) }))).toBe('ERR_INPUT');
    expect(await code(signImageList(list, { ...base, certificate: 'not a certificate' }))).toBe('ERR_INPUT');
    expect(await code(signImageList(list, { ...base, privateKey: 'not a key' }))).toBe('ERR_INPUT');
  });
});

describe('prepareListForSigning', () => {
  const now = new Date(AT);

  it('fills hv:dn and hv:ca from the certificate when null, keeps them when they match', async () => {
    const doc = JSON.parse(await readText('vectors/lists/alice.json'));
    const x509 = doc['hv:imagelist']['hv:endorser']['hv:x509'];
    const expected = { dn: x509['hv:dn'], ca: x509['hv:ca'] };
    x509['hv:dn'] = null;
    x509['hv:ca'] = null;
    const cert = await readText(pki('alice.pem'));
    const prepared = prepareListForSigning(doc, cert, { now });
    const filled = (prepared.document as typeof doc)['hv:imagelist']['hv:endorser']['hv:x509'];
    expect([filled['hv:dn'], filled['hv:ca']]).toEqual([expected.dn, expected.ca]);
    expect(x509['hv:dn']).toBeNull(); // the input is not changed
  });

  it('refuses a list that names another endorser (ERR_ENDORSER_MISMATCH)', async () => {
    const doc = JSON.parse(await readText('vectors/lists/bob.json'));
    expect(() => prepareListForSigning(doc, readTextSync.alice, { now })).toThrow(expect.objectContaining({ code: 'ERR_ENDORSER_MISMATCH' }));
  });

  it('bump raises the version the Python way and renews the dates', async () => {
    const doc = JSON.parse(await readText('vectors/lists/alice.json'));
    doc['hv:imagelist']['hv:version'] = '0.0.9';
    const p = prepareListForSigning(doc, readTextSync.alice, { now, bump: true, lifetimeDays: 10 });
    const list = (p.document as typeof doc)['hv:imagelist'];
    expect(list['hv:version']).toBe('0.0.10');
    expect(list['dc:date:created']).toBe('2026-06-01T00:00:00Z');
    expect(list['dc:date:expires']).toBe('2026-06-11T00:00:00Z');
  });

  it('warns when the list outlives the certificate', async () => {
    const doc = JSON.parse(await readText('vectors/lists/alice.json'));
    doc['hv:imagelist']['dc:date:expires'] = '2041-01-01T00:00:00Z'; // alice's certificate ends 2040-01-01
    const p = prepareListForSigning(doc, readTextSync.alice, { now });
    expect(p.warnings.map((w) => w.path)).toContain('/hv:imagelist/dc:date:expires');
    const q = prepareListForSigning(JSON.parse(await readText('vectors/lists/alice.json')), readTextSync.alice, { now });
    expect(q.warnings).toEqual([]);
  });
});

describe('a key that does not belong to the certificate', () => {
  it('is refused with ERR_INPUT before anything is written (RSA key of another endorser)', async () => {
    const err = await signImageList(await readText('vectors/lists/alice.json'), {
      certificate: await readText(pki('alice.pem')),
      privateKey: await readText(pki('bob.key.pem')),
      signingTime: new Date('2026-06-01T00:00:00Z'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmiListError);
    expect((err as VmiListError).code).toBe('ERR_INPUT');
    expect((err as VmiListError).message).toContain('does not belong to the certificate');
  });
});

describe('a list larger than the ASN.1 reader\'s default limits', () => {
  it('an opaque list of over 16 MiB (one OCTET STRING inside the signature) signs and verifies', async () => {
    const doc = JSON.parse(await readText('vectors/lists/alice.json')) as { 'hv:imagelist': { 'hv:images': Array<{ 'hv:image': Record<string, unknown> }> } };
    const images = doc['hv:imagelist']['hv:images'];
    const first = images[0]?.['hv:image'] as Record<string, unknown>;
    images.length = 0;
    // ~600 bytes an image: 30,000 images make a list of about 18 MB
    for (let i = 0; i < 30_000; i++) {
      images.push({ 'hv:image': { ...first, 'dc:identifier': `7c9d0e1f-2a3b-4c5d-9e6f-${(0x100000000 + i).toString(16).padStart(12, '0')}`, 'dc:description': `image ${i} ${'x'.repeat(120)}` } });
    }
    const listBytes = new TextEncoder().encode(JSON.stringify(doc, null, 4));
    expect(listBytes.length).toBeGreaterThan(16 * 1024 * 1024);
    const text = await signImageList(listBytes, { certificate: await readText(pki('alice.pem')), privateKey: await readText(pki('alice.key.pem')), digest: 'sha256', detached: false, signingTime: new Date(AT) });
    expect(parseSmime(text).kind).toBe('opaque');
    const v = await verifySignedList(text, { ...main, at: AT });
    expect(v.signer.dn).toBe(ALICE);
    expect(v.list['hv:images'].length).toBe(30_000);
  }, 120_000);
});
