// Every case of vectors/manifest.json through the public verifySignedList,
// in Node and in headless Chromium: the verdict and code the manifest
// records (first failing step decides), the signer and image count of the
// good cases, and the shape of what comes back.
import { describe, expect, it } from 'vitest';
import * as vmilist from '../../src/index.js';
import { loadManifest, caseInput, caseOptions, vec, type ManifestCase } from '../support/vectors.js';
import { readBytes } from '../support/files.js';

const { verifySignedList, isVerifiedImageList, imagesOf, VmiListError } = vmilist;
const manifest = await loadManifest();

// Codes of verification steps 1–8 (DESIGN.md): the manifest must cover each.
const STEP_CODES = [
  'ERR_MIME_MALFORMED',
  'ERR_SIGNATURE_INVALID',
  'ERR_DIGEST_WEAK',
  'ERR_CERT_UNTRUSTED',
  'ERR_CERT_EXPIRED',
  'ERR_CERT_USAGE',
  'ERR_NAMESPACE_VIOLATION',
  'ERR_CERT_REVOKED',
  'ERR_CRL_MISSING',
  'ERR_CRL_EXPIRED',
  'ERR_JSON_MALFORMED',
  'ERR_SCHEMA_INVALID',
  'ERR_ENDORSER_MISMATCH',
  'ERR_ENDORSER_NOT_TRUSTED',
  'ERR_LIST_EXPIRED',
  'ERR_LIST_NOT_YET_VALID',
];

describe('the manifest itself', () => {
  it('has ≥ 50 cases with unique names and a case for every step code', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(50);
    expect(new Set(manifest.cases.map((c) => c.name)).size).toBe(manifest.cases.length);
    const codes = new Set(manifest.cases.flatMap((c) => (c.expect.ok ? [] : [c.expect.code])));
    for (const code of STEP_CODES) expect(codes, code).toContain(code);
    for (const code of codes) expect(vmilist.ERROR_CODES as readonly string[]).toContain(code);
  });

  it('names a trust set for every case', () => {
    for (const c of manifest.cases) expect(manifest.trustSets[c.trust], c.name).toBeDefined();
  });
});

async function run(c: ManifestCase): Promise<{ ok: true; v: vmilist.VerifiedImageList } | { ok: false; e: unknown }> {
  const input = await caseInput(c);
  const options = await caseOptions(manifest, c);
  try {
    return { ok: true, v: await verifySignedList(input, options) };
  } catch (e) {
    return { ok: false, e };
  }
}

describe('manifest cases', () => {
  it.each(manifest.cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const r = await run(c);
    if (c.expect.ok) {
      if (!r.ok) throw new Error(`${c.name}: expected ok, got ${r.e instanceof VmiListError ? `${r.e.code}: ${r.e.message}` : String(r.e)}`);
      const v = r.v;
      expect(v.signer.dn).toBe(c.expect.signer);
      expect(imagesOf(v.list)).toHaveLength(c.expect.images);
      expect(isVerifiedImageList(v)).toBe(true);
      expect(Object.isFrozen(v) && Object.isFrozen(v.list) && Object.isFrozen(v.signer)).toBe(true);
      expect(v.content).toBeInstanceOf(Uint8Array);
      expect(['sha1', 'sha256', 'sha384', 'sha512']).toContain(v.digestAlgorithm);
      expect(v.chain[0]).toBe(v.signer.dn);
      expect(v.signer.notBefore).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(v.signer.serial).toMatch(/^[0-9a-f]+$/);
    } else {
      if (r.ok) throw new Error(`${c.name}: expected ${c.expect.code}, but it verified (signer ${r.v.signer.dn})`);
      expect(r.e, String(r.e)).toBeInstanceOf(VmiListError);
      const e = r.e as InstanceType<typeof VmiListError>;
      expect(e.code, e.message).toBe(c.expect.code);
      expect(e.message.length).toBeGreaterThan(10);
    }
  });
});

describe('properties across cases', () => {
  it('LF, CRLF and mixed line endings of one message give the same list and signer', async () => {
    const names = ['alice-rsa-sha512-detached', 'alice-lf', 'alice-crlf', 'alice-mixed'];
    const results = await Promise.all(names.map((n) => run(manifest.cases.find((c) => c.name === n) as ManifestCase)));
    const lists = results.map((r) => {
      if (!r.ok) throw new Error(String(r.e));
      return JSON.stringify(r.v.document);
    });
    expect(new Set(lists).size).toBe(1);
  });

  it('LF, CRLF and mixed copies of one signed list have the same contentSha256 (the reducer\'s "same list" test)', async () => {
    // A mirror or an ASCII-mode transfer that changes line endings does not change what was signed;
    // a different hash makes the reducer see "same version, other content" and reject it (ERR_VERSION_REUSED).
    const names = ['alice-rsa-sha512-detached', 'alice-lf', 'alice-crlf', 'alice-mixed'];
    const hashes = await Promise.all(
      names.map(async (n) => {
        const r = await run(manifest.cases.find((c) => c.name === n) as ManifestCase);
        if (!r.ok) throw r.e;
        return r.v.contentSha256;
      }),
    );
    expect(new Set(hashes).size, JSON.stringify(hashes)).toBe(1);
  });

  it('the signed content is returned as received (bytes of the message), not re-serialised', async () => {
    const c = manifest.cases.find((x) => x.name === 'alice-raw-der') as ManifestCase;
    const r = await run(c);
    if (!r.ok) throw r.e;
    expect(r.v.content).toEqual(await readBytes(vec(c.content as string)));
  });

  it('the signer is the first SignerInfo when two signed, and the endorser array may name the signer second', async () => {
    for (const [name, signer] of [
      ['two-signers', '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser'],
      ['endorser-array-second', '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser'],
    ] as const) {
      const r = await run(manifest.cases.find((c) => c.name === name) as ManifestCase);
      if (!r.ok) throw r.e;
      expect(r.v.signer.dn).toBe(signer);
    }
  });

  it('a relaxation shows up as a warning (SHA-1 allowed, CRLs off)', async () => {
    for (const name of ['alice-sha1-allowed', 'crl-missing-off']) {
      const r = await run(manifest.cases.find((c) => c.name === name) as ManifestCase);
      if (!r.ok) throw r.e;
      expect(r.v.warnings.length, name).toBeGreaterThan(0);
    }
  });

  it('misspelt or missing options are refused, never read as a relaxation', async () => {
    const c = manifest.cases.find((x) => x.name === 'crl-missing') as ManifestCase;
    const input = await caseInput(c);
    const base = await caseOptions(manifest, c);
    const bad: [string, unknown][] = [
      ['crlPolicy typo', { ...base, crlPolicy: 'of' }],
      ['certProfile typo', { ...base, certProfile: 'gird' }],
      ['allowSha1 as a string', { ...base, allowSha1: 'yes' }],
      ['no at', { ...base, at: undefined }],
      ['no trust anchors', { ...base, trustAnchors: [] }],
      ['negative grace', { ...base, crlGraceSeconds: -1 }],
    ];
    for (const [what, options] of bad) {
      await expect(verifySignedList(input, options as vmilist.VerifyOptions), what).rejects.toMatchObject({ code: 'ERR_INPUT' });
    }
    // the same message with the valid options still fails closed for the recorded reason
    await expect(verifySignedList(input, base)).rejects.toMatchObject({ code: 'ERR_CRL_MISSING' });
  });

  it('a message over maxBytes is refused before parsing', async () => {
    const c = manifest.cases.find((x) => x.name === 'alice-rsa-sha512-detached') as ManifestCase;
    const input = (await caseInput(c)) as Uint8Array;
    await expect(verifySignedList(input, { ...(await caseOptions(manifest, c)), maxBytes: input.length - 1 })).rejects.toMatchObject({ code: 'ERR_TOO_LARGE' });
  });
});
