// Lists signed by vmilist are accepted by the tools subscribers use:
// openssl smime, openssl cms (full chain, CRLs for every CA, -attime) and
// M2Crypto as the Python subscriber calls it — and by vmilist itself.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImageList, verifySignedList } from '../../src/smime/index.js';
import { loadTrustStore, type TrustStore } from '../../src/node/truststore.js';
import { AT, M2, SIGNING_MATRIX, VECTORS, lf, m2Verify, opensslOk, opensslTrust, opensslVerify, type OpensslTrust, type SigningCase } from './tools.js';

type Case = SigningCase;
const CASES = SIGNING_MATRIX;
const label = (c: Case) => `${c.signer.name} ${c.signer.kind} ${c.digest} ${c.detached ? 'detached' : 'opaque'}`;

describe('vmilist signs, others verify', () => {
  let trust: OpensslTrust;
  let store: TrustStore;
  const files = new Map<Case, string>();

  beforeAll(async () => {
    trust = opensslTrust();
    store = await loadTrustStore(join(VECTORS, 'trust'));
    mkdirSync(join(trust.dir, 'signed'));
    for (const c of CASES) {
      const text = await signImageList(new Uint8Array(readFileSync(c.signer.list)), {
        certificate: readFileSync(c.signer.cert, 'utf8'),
        privateKey: readFileSync(c.signer.key, 'utf8'),
        digest: c.digest,
        detached: c.detached,
        signingTime: new Date(AT),
      });
      const file = join(trust.dir, 'signed', `${c.signer.name}-${c.digest}-${c.detached ? 'detached' : 'opaque'}.smime`);
      writeFileSync(file, text);
      files.set(c, file);
    }
  });
  afterAll(() => rmSync(trust.dir, { recursive: true, force: true }));

  it.each(CASES.map((c) => [label(c), c] as const))('%s: MIME shape as declared', (_, c) => {
    const text = readFileSync(files.get(c) as string, 'utf8');
    if (c.detached) expect(text).toMatch(/Content-Type: multipart\/signed;[^\n]*protocol="application\/(x-)?pkcs7-signature"/i);
    else expect(text).toMatch(/Content-Type: application\/(x-)?pkcs7-mime;[^\n]*smime-type=signed-data/i);
  });

  for (const tool of ['smime', 'cms'] as const) {
    it.each(CASES.map((c) => [label(c), c] as const))(`openssl ${tool} -verify accepts %s`, (_, c) => {
      const r = opensslVerify(tool, files.get(c) as string, trust);
      expect(r.stderr).toMatch(/Verification successful/);
      expect(opensslOk(r)).toBe(true);
      expect(lf(r.stdout)).toBe(lf(readFileSync(c.signer.list)));
    });
  }

  it.skipIf(!M2.python).each(CASES.map((c) => [label(c), c] as const))('M2Crypto (Python subscriber) accepts %s', (_, c) => {
    const r = m2Verify(files.get(c) as string, trust);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lf(r.stdout)).toBe(lf(readFileSync(c.signer.list)));
  });

  it.each(CASES.map((c) => [label(c), c] as const))('vmilist accepts its own %s', async (_, c) => {
    const v = await verifySignedList(new Uint8Array(readFileSync(files.get(c) as string)), { ...store, at: AT });
    expect(v.signer.dn).toBe(c.signer.dn);
    expect(v.digestAlgorithm).toBe(c.digest);
    expect(lf(v.content)).toBe(lf(readFileSync(c.signer.list)));
  });

  it('every tool refuses a vmilist message whose content was changed after signing', async () => {
    const c = CASES[0] as Case;
    const text = readFileSync(files.get(c) as string, 'utf8');
    const tampered = text.replace('"hv:size": 8192', '"hv:size": 8193');
    expect(tampered).not.toBe(text);
    const file = join(trust.dir, 'tampered.smime');
    writeFileSync(file, tampered);
    expect(opensslOk(opensslVerify('smime', file, trust))).toBe(false);
    expect(opensslOk(opensslVerify('cms', file, trust))).toBe(false);
    if (M2.python) expect(m2Verify(file, trust).status).toBe(1);
    await expect(verifySignedList(new Uint8Array(Buffer.from(tampered)), { ...store, at: AT })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });

  it('openssl refuses a vmilist message at a time the CRLs do not cover (the checks are live)', () => {
    const c = CASES[0] as Case;
    // the same message and trust at AT pass (first test group); in 2025-06 the CRLs (lastUpdate 2026-01-01) are not yet valid
    const r = opensslVerify('smime', files.get(c) as string, trust, undefined, String(Date.parse('2025-06-01T00:00:00Z') / 1000));
    expect(opensslOk(r)).toBe(false);
    expect(r.stderr).toMatch(/CRL is not yet valid/i);
  });
});

if (!M2.python) console.log(M2.reason);
