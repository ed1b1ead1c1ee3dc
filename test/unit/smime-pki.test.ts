// Steps 2–5 and 7–8 one function at a time, on the vectors' PKI: CMS
// signatures, path building, validity, CA constraints, usage profiles, IGTF
// namespaces (EACL and Globus, the vectors' and the real smimeX509validation
// files), CRLs, endorser binding and list time.
import { describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { parseImageList } from '../../src/model/parse.js';
import { checkEndorserAllowed, checkEndorserBinding, checkListTime } from '../../src/smime/binding.js';
import { parseCertificate, type Cert } from '../../src/smime/certs.js';
import { parseCms, verifyCmsSignatures } from '../../src/smime/cms.js';
import { checkRevocation, parseCrls } from '../../src/smime/crl.js';
import { parseSmime } from '../../src/smime/mime.js';
import { checkNamespaces, parseEacl, parseNamespaceFiles, parseSigningPolicy } from '../../src/smime/namespaces.js';
import { buildPath, checkPathConstraints, checkValidity, signedByChecker } from '../../src/smime/path.js';
import { checkSignerUsage } from '../../src/smime/usage.js';
import { derItems } from '../../src/smime/certs.js';
import { REAL, exists, readBytes, readText } from '../support/files.js';

const crypto = globalThis.crypto;
const AT = Date.parse('2026-06-01T00:00:00Z');
const cert = async (name: string): Promise<Cert> => parseCertificate(derItems(await readBytes(`vectors/pki/${name}.pem`), ['CERTIFICATE'], name)[0] as Uint8Array, name);
const [root, inter, other, alice, bob, carol, host, expired, notyet, wrongku, wrongeku, caleaf, mallory, revoked, eve] = await Promise.all(
  ['root', 'intermediate', 'other-ca', 'alice', 'bob', 'carol', 'host', 'expired', 'notyet', 'wrongku', 'wrongeku', 'caleaf', 'mallory', 'revoked', 'eve'].map(cert),
) as Cert[] as [Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert, Cert];
const crl = async (f: string) => parseCrls([await readBytes(`vectors/pki/${f}`)]);
const rootCrl = await crl('root.crl.pem');
const interCrl = await crl('intermediate.crl.pem');
const staleCrl = await crl('intermediate.stale.crl.pem');
const badCrl = await crl('intermediate.badsig.crl.pem');

const code = async (f: () => unknown): Promise<string | undefined> => {
  try {
    await f();
    return undefined;
  } catch (e) {
    return e instanceof VmiListError ? e.code : `not a VmiListError: ${String(e)}`;
  }
};
const path = (signer: Cert) => buildPath(signer, { anchors: [root], intermediates: [inter] }, signedByChecker(crypto));

describe('CMS signatures (step 2)', () => {
  const cmsOf = async (f: string) => {
    const p = parseSmime(await readBytes(`vectors/signed/${f}`));
    return { cms: parseCms(p.cms), content: p.content };
  };

  it('finds the embedded signer and reports the digest and the form that verified', async () => {
    const { cms, content } = await cmsOf('alice-sha512.smime');
    expect(cms.certificates.map((c) => c.dn)).toEqual([alice.dn]);
    const r = await verifyCmsSignatures(cms, content as Uint8Array, cms.certificates, { crypto });
    expect(r.signers.map((s) => s.dn)).toEqual([alice.dn]);
    expect(r.digestAlgorithm).toBe('sha512');
    expect(r.form).toBe('as-received'); // openssl wrote the signed part in CRLF
    const lfContent = new TextEncoder().encode(new TextDecoder().decode(content).replace(/\r\n/g, '\n'));
    expect((await verifyCmsSignatures(cms, lfContent, cms.certificates, { crypto })).form).toBe('crlf');
  });

  it('two signer infos: both verified, in order; one changed byte of content refuses both', async () => {
    const { cms, content } = await cmsOf('two-signers.smime');
    const r = await verifyCmsSignatures(cms, content as Uint8Array, cms.certificates, { crypto });
    expect(r.signers.map((s) => s.dn)).toEqual([alice.dn, bob.dn]);
    const changed = (content as Uint8Array).slice();
    changed[10] = (changed[10] as number) ^ 1;
    expect(await code(() => verifyCmsSignatures(cms, changed, cms.certificates, { crypto }))).toBe('ERR_SIGNATURE_INVALID');
  });

  it('a signer certificate found neither in the message nor among the given ones', async () => {
    const { cms, content } = await cmsOf('alice-sha512.smime');
    expect(await code(() => verifyCmsSignatures(cms, content as Uint8Array, [bob], { crypto }))).toBe('ERR_SIGNATURE_INVALID');
  });

  it('SHA-1 needs allowSha1, MD5 never passes', async () => {
    const sha1 = await cmsOf('alice-sha1.smime');
    expect(await code(() => verifyCmsSignatures(sha1.cms, sha1.content as Uint8Array, sha1.cms.certificates, { crypto }))).toBe('ERR_DIGEST_WEAK');
    expect((await verifyCmsSignatures(sha1.cms, sha1.content as Uint8Array, sha1.cms.certificates, { crypto, allowSha1: true })).digestAlgorithm).toBe('sha1');
    const md5 = await cmsOf('alice-md5.smime');
    expect(await code(() => verifyCmsSignatures(md5.cms, md5.content as Uint8Array, md5.cms.certificates, { crypto, allowSha1: true }))).toBe('ERR_DIGEST_WEAK');
  });

  it('bytes that are not CMS SignedData are a broken message, not a bad signature', async () => {
    expect(await code(() => parseCms(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])))).toBe('ERR_MIME_MALFORMED');
    expect(await code(() => parseCms(new Uint8Array([0xff])))).toBe('ERR_MIME_MALFORMED');
  });
});

describe('path building and validity (step 3)', () => {
  it('signer → intermediate → root', async () => {
    expect((await path(alice)).map((c) => c.dn)).toEqual([alice.dn, inter.dn, root.dn]);
  });

  it('goes on to the root when the intermediate is also an anchor (so the root CRL counts too)', async () => {
    const p = await buildPath(alice, { anchors: [root, inter], intermediates: [] }, signedByChecker(crypto));
    expect(p.map((c) => c.dn)).toEqual([alice.dn, inter.dn, root.dn]);
    const p2 = await buildPath(alice, { anchors: [inter], intermediates: [] }, signedByChecker(crypto));
    expect(p2.map((c) => c.dn)).toEqual([alice.dn, inter.dn]);
  });

  it('no intermediate, an unrelated CA, or a forged issuer with the right name: ERR_CERT_UNTRUSTED', async () => {
    expect(await code(() => buildPath(alice, { anchors: [root], intermediates: [] }, signedByChecker(crypto)))).toBe('ERR_CERT_UNTRUSTED');
    expect(await code(() => buildPath(eve, { anchors: [root], intermediates: [inter] }, signedByChecker(crypto)))).toBe('ERR_CERT_UNTRUSTED');
    // eve's CA is other-ca: trusting it completes eve's path, not alice's
    expect((await buildPath(eve, { anchors: [other], intermediates: [] }, signedByChecker(crypto))).map((c) => c.dn)).toEqual([eve.dn, other.dn]);
    expect(await code(() => buildPath(alice, { anchors: [other], intermediates: [inter] }, signedByChecker(crypto)))).toBe('ERR_CERT_UNTRUSTED');
  });

  it('validity is inclusive at both ends, checked for every certificate of the path', async () => {
    const p = await path(alice);
    expect(() => checkValidity(p, alice.notAfter)).not.toThrow();
    expect(() => checkValidity(p, alice.notBefore)).not.toThrow();
    expect(await code(() => checkValidity(p, alice.notAfter + 1000))).toBe('ERR_CERT_EXPIRED');
    expect(await code(() => checkValidity(p, alice.notBefore - 1000))).toBe('ERR_CERT_EXPIRED');
    expect(await code(async () => checkValidity(await path(expired), AT))).toBe('ERR_CERT_EXPIRED');
    expect(await code(async () => checkValidity(await path(notyet), AT))).toBe('ERR_CERT_EXPIRED');
    // a CA that expired makes the path invalid even while the signer is valid
    expect(await code(() => checkValidity(p, root.notAfter + 1000))).toBe('ERR_CERT_EXPIRED');
  });

  it('a CA:TRUE signer is refused (ERR_CERT_USAGE); the vectors path is otherwise well-formed', async () => {
    expect(() => checkPathConstraints([alice, inter, root])).not.toThrow();
    expect(await code(async () => checkPathConstraints(await path(caleaf)))).toBe('ERR_CERT_USAGE');
  });

  it('an end-entity certificate cannot act as an issuer', async () => {
    // alice "issuing" bob: names do not chain, and constraints refuse a non-CA in the middle
    expect(await code(() => checkPathConstraints([bob, alice, inter, root]))).toBe('ERR_CERT_UNTRUSTED');
  });
});

describe('damaged certificates and CRLs', () => {
  // Bytes 540–650 of alice.der hold its extensions (basicConstraints, keyUsage,
  // extKeyUsage, key identifiers): damage there must give a VmiListError (or a
  // certificate that still parses), never a TypeError, and never a missing
  // keyUsage read as "no restriction".
  it('single-byte damage in the extensions of a certificate', async () => {
    const der = await readBytes('vectors/pki/der/alice.der');
    const escaped: string[] = [];
    for (let i = 540; i < 650 && i < der.length; i++) {
      for (const x of [1, 0x20, 0x80, 0xff]) {
        const b = der.slice();
        b[i] = (b[i] as number) ^ x;
        try {
          parseCertificate(b);
        } catch (e) {
          if (!(e instanceof VmiListError)) escaped.push(`offset ${i} ^${x}: ${String(e)}`);
        }
      }
    }
    expect(escaped.slice(0, 5), `${escaped.length} escaped`).toEqual([]);
  });

  it('single-byte damage anywhere in a CRL', async () => {
    const der = await readBytes('vectors/pki/der/intermediate.crl.der');
    const escaped: string[] = [];
    for (let i = 0; i < der.length; i++) {
      const b = der.slice();
      b[i] = (b[i] as number) ^ 0x81;
      try {
        parseCrls([b]);
      } catch (e) {
        if (!(e instanceof VmiListError)) escaped.push(`offset ${i}: ${String(e)}`);
      }
    }
    expect(escaped).toEqual([]);
  });
});

describe('trust anchors must be CAs', () => {
  // A stray end-entity certificate among the anchors (e.g. an endorser's
  // certificate dropped into an IGTF CA directory, which makes every file an
  // anchor) must not become a one-certificate path that skips revocation and
  // namespaces: here its issuer's CRL revokes it and it still must not pass.
  it('a revoked end-entity certificate given as an anchor is not accepted', async () => {
    const { verifySignedList } = await import('../../src/index.js');
    const r = (f: string) => readBytes(`vectors/${f}`);
    const outcome = await verifySignedList(await r('signed/revoked.smime'), {
      trustAnchors: [await r('pki/revoked.pem')],
      crls: [await r('pki/root.crl.pem'), await r('pki/intermediate.crl.pem')],
      at: AT,
    }).then(
      (v) => `verified (chain ${v.chain.join(' ← ')}, no revocation check)`,
      (e: unknown) => (e instanceof VmiListError ? e.code : String(e)),
    );
    expect(['ERR_INPUT', 'ERR_CERT_UNTRUSTED', 'ERR_CERT_REVOKED', 'ERR_CRL_MISSING']).toContain(outcome);
  });
});

describe('usage profiles (step 3)', () => {
  it.each([
    ['alice (KU dS,nR,kE; EKU clientAuth,emailProtection)', 'alice', true, true],
    ['bob (KU dS, no EKU)', 'bob', true, true],
    ['carol (P-256, EKU clientAuth,emailProtection)', 'carol', true, true],
    ['host (EKU serverAuth,clientAuth)', 'host', true, false],
    ['wrongku (KU keyEncipherment only)', 'wrongku', false, false],
    ['wrongeku (EKU serverAuth only)', 'wrongeku', false, false],
  ] as const)('%s: grid %s, smime %s', async (_, name, grid, smime) => {
    const c = { alice, bob, carol, host, wrongku, wrongeku }[name];
    expect(await code(() => checkSignerUsage(c, 'grid'))).toBe(grid ? undefined : 'ERR_CERT_USAGE');
    expect(await code(() => checkSignerUsage(c, 'smime'))).toBe(smime ? undefined : 'ERR_CERT_USAGE');
  });
});

const eacl = { name: 'vec.namespaces', format: 'eacl' as const, text: await readText('vectors/pki/intermediate.namespaces') };
const globus = { name: 'vec.signing_policy', format: 'signing_policy' as const, text: await readText('vectors/pki/intermediate.signing_policy') };
const realPresent = await exists(`${REAL}/smimeX509validation/TERENA_eScience_SSL_CA.signing_policy`);
if (!realPresent) console.warn(`${REAL} is absent (it ships beside the project in CI only): the real signing_policy tests are skipped`);

describe('IGTF namespaces (step 4)', () => {

  it.each([
    ['EACL', eacl],
    ['Globus', globus],
  ])('%s: alice and carol (emailAddress) inside, mallory outside', async (_, file) => {
    const rules = parseNamespaceFiles([file]);
    expect(rules.map((r) => r.issuer)).toEqual([inter.dn]);
    for (const c of [alice, carol, bob, host]) expect(await code(async () => checkNamespaces(await path(c), rules)), c.dn).toBeUndefined();
    expect(await code(async () => checkNamespaces(await path(mallory), rules))).toBe('ERR_NAMESPACE_VIOLATION');
  });

  it('a DENY rule wins over a PERMIT; rules of another CA do not apply', async () => {
    const text = `TO Issuer "${inter.dn}" PERMIT Subject "/DC=org/DC=vmilist-test/.*"\nTO Issuer "${inter.dn}" DENY Subject "/DC=org/DC=vmilist-test/OU=Hosts/.*"\n`;
    const rules = parseEacl({ name: 't.namespaces', format: 'eacl', text });
    expect(await code(async () => checkNamespaces(await path(alice), rules))).toBeUndefined();
    expect(await code(async () => checkNamespaces(await path(host), rules))).toBe('ERR_NAMESPACE_VIOLATION');
    const elsewhere = parseEacl({ name: 'o.namespaces', format: 'eacl', text: `TO Issuer "/DC=org/DC=elsewhere/CN=Other CA" PERMIT Subject "/DC=nowhere/.*"\n` });
    expect(await code(async () => checkNamespaces(await path(mallory), elsewhere))).toBeUndefined();
  });

  it('EACL and Globus for one CA: the EACL file decides', async () => {
    const strictEacl = { name: 's.namespaces', format: 'eacl' as const, text: `TO Issuer "${inter.dn}" PERMIT Subject "/DC=org/DC=vmilist-test/OU=Users/CN=Alice.*"\n` };
    const rules = parseNamespaceFiles([strictEacl, globus]);
    expect(await code(async () => checkNamespaces(await path(alice), rules))).toBeUndefined();
    expect(await code(async () => checkNamespaces(await path(bob), rules))).toBe('ERR_NAMESPACE_VIOLATION');
  });

  it('reads continuation lines and comments; refuses syntax errors with ERR_INPUT', async () => {
    const text = `# comment\n\nTO Issuer "${inter.dn}" \\\n  PERMIT Subject "/DC=org/DC=vmilist-test/.*"\n`;
    expect(parseEacl({ name: 'c.namespaces', format: 'eacl', text })[0]?.rules).toHaveLength(1);
    expect(await code(() => parseEacl({ name: 'b.namespaces', format: 'eacl', text: 'TO Issuer nonsense\n' }))).toBe('ERR_INPUT');
    expect(await code(() => parseEacl({ name: 'r.namespaces', format: 'eacl', text: `TO Issuer "${inter.dn}" PERMIT Subject "/DC=(unclosed"\n` }))).toBe('ERR_INPUT');
    expect(await code(() => parseSigningPolicy({ name: 'b.signing_policy', format: 'signing_policy', text: "cond_subjects globus '\"/DC=x/*\"'\n" }))).toBe('ERR_INPUT');
  });

  it('a Globus glob matches literally apart from * and ?', async () => {
    const rules = parseSigningPolicy({ name: 'g.signing_policy', format: 'signing_policy', text: `access_id_CA X509 '${inter.dn}'\npos_rights globus CA:sign\ncond_subjects globus '"/DC=org/DC=vmilist.test/*"'\n` });
    // "." in the glob is a dot, not "any character": vmilist-test does not match vmilist.test
    expect(await code(async () => checkNamespaces(await path(alice), rules))).toBe('ERR_NAMESPACE_VIOLATION');
  });

  it.skipIf(!realPresent)('parses the real smimeX509validation signing_policy files', async () => {
    for (const f of ['AddTrust_External_Root', 'TERENA_eScience_SSL_CA', 'UTN-USERFirst-Hardware']) {
      const rules = parseSigningPolicy({ name: `${f}.signing_policy`, format: 'signing_policy', text: await readText(`${REAL}/smimeX509validation/${f}.signing_policy`) });
      expect(rules).toHaveLength(1);
      expect(rules[0]?.rules.length).toBeGreaterThan(0);
    }
    const terena = parseSigningPolicy({ name: 't', format: 'signing_policy', text: await readText(`${REAL}/smimeX509validation/TERENA_eScience_SSL_CA.signing_policy`) })[0];
    expect(terena?.issuer).toBe('/C=NL/O=TERENA/CN=TERENA SSL CA');
    expect(terena?.rules[0]?.pattern.test('/C=NL/O=Stichting FOM/OU=Nikhef/CN=host.nikhef.nl')).toBe(true);
    expect(terena?.rules[0]?.pattern.test('/C=NL/O=Other/CN=x')).toBe(false);
  });
});

describe('revocation (step 5)', () => {
  const opts = { policy: 'require' as const, graceSeconds: 0, at: AT, crypto };

  it('fresh CRLs for both CAs: no warnings', async () => {
    expect(await checkRevocation(await path(alice), [...rootCrl, ...interCrl], opts)).toEqual([]);
  });

  it('a revoked serial, a missing CRL, a stale one, a badly signed one are told apart', async () => {
    expect(await code(async () => checkRevocation(await path(revoked), [...rootCrl, ...interCrl], opts))).toBe('ERR_CERT_REVOKED');
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl], opts))).toBe('ERR_CRL_MISSING');
    expect(await code(async () => checkRevocation(await path(alice), [...interCrl], opts))).toBe('ERR_CRL_MISSING');
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...staleCrl], opts))).toBe('ERR_CRL_EXPIRED');
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...badCrl], opts))).toBe('ERR_CRL_MISSING');
  });

  it('the expired-CRL message names the CA and nextUpdate', async () => {
    try {
      await checkRevocation(await path(alice), [...rootCrl, ...staleCrl], opts);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain(inter.dn);
      expect((e as Error).message).toContain('2025-02-01T00:00:00Z');
    }
  });

  it('a CRL of another CA with the same name does not count (its signature does not verify)', async () => {
    const eveCrl = await crl('other-ca.crl.pem');
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...eveCrl], opts))).toBe('ERR_CRL_MISSING');
  });

  it('if-present: a CA without any CRL is skipped with a warning; a stale or bad one still fails', async () => {
    const w = await checkRevocation(await path(alice), [...rootCrl], { ...opts, policy: 'if-present' });
    expect(w.join(' ')).toContain(inter.dn);
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...staleCrl], { ...opts, policy: 'if-present' }))).toBe('ERR_CRL_EXPIRED');
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...badCrl], { ...opts, policy: 'if-present' }))).toBe('ERR_CRL_MISSING');
  });

  it('grace covers nextUpdate + grace, exclusive', async () => {
    const next = Date.parse('2025-02-01T00:00:00Z');
    const graceSeconds = (AT - next) / 1000;
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...staleCrl], { ...opts, graceSeconds: graceSeconds + 1 }))).toBeUndefined();
    expect(await code(async () => checkRevocation(await path(alice), [...rootCrl, ...staleCrl], { ...opts, graceSeconds }))).toBe('ERR_CRL_EXPIRED');
  });

  it('off checks nothing', async () => {
    expect(await checkRevocation(await path(revoked), [], { ...opts, policy: 'off' })).toEqual([]);
  });

  it('of several CRLs for one CA the newest current one decides', async () => {
    // the stale CRL (2025-01-01) predates the revocation; the fresh one (2026-01-01) lists it
    expect(await code(async () => checkRevocation(await path(revoked), [...rootCrl, ...staleCrl, ...interCrl], opts))).toBe('ERR_CERT_REVOKED');
  });
});

describe('binding and list time (steps 7–8)', () => {
  const list = async (f: string) => parseImageList(await readBytes(`vectors/lists/${f}.json`)).list;

  it('the signer must be an hv:endorser of the list, subject and issuer', async () => {
    expect(await code(async () => checkEndorserBinding(await list('alice'), alice))).toBeUndefined();
    expect(await code(async () => checkEndorserBinding(await list('endorsers-array'), alice))).toBeUndefined();
    expect(await code(async () => checkEndorserBinding(await list('wrong-endorser'), alice))).toBe('ERR_ENDORSER_MISMATCH');
    expect(await code(async () => checkEndorserBinding(await list('alice'), bob))).toBe('ERR_ENDORSER_MISMATCH');
  });

  it('the allow-list, by DN and optional CA, in either DN form', async () => {
    expect(await code(() => checkEndorserAllowed(alice, undefined))).toBeUndefined();
    expect(await code(() => checkEndorserAllowed(alice, [{ dn: 'CN=Alice Endorser,OU=Users,DC=vmilist-test,DC=org', ca: inter.dn }]))).toBeUndefined();
    expect(await code(() => checkEndorserAllowed(alice, [{ dn: alice.dn, ca: root.dn }]))).toBe('ERR_ENDORSER_NOT_TRUSTED');
    expect(await code(() => checkEndorserAllowed(alice, []))).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });

  it('created ≤ at + skew, expires > at', async () => {
    const l = await list('expired-list'); // created 2026-01-01, expires 2026-01-15
    const created = Date.parse('2026-01-01T00:00:00Z');
    const expires = Date.parse('2026-01-15T00:00:00Z');
    expect(await code(() => checkListTime(l, expires - 1000, 300))).toBeUndefined();
    expect(await code(() => checkListTime(l, expires, 300))).toBe('ERR_LIST_EXPIRED');
    expect(await code(() => checkListTime(l, created - 300_000, 300))).toBeUndefined();
    expect(await code(() => checkListTime(l, created - 300_001, 300))).toBe('ERR_LIST_NOT_YET_VALID');
    expect(await code(() => checkListTime(l, created - 1000, 0))).toBe('ERR_LIST_NOT_YET_VALID');
  });
});
