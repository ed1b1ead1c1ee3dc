// loadTrustStore / trustStoreSummary against the real smimeX509validation
// layout and a temporary IGTF directory made with openssl.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync, symlinkSync, copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { loadTrustStore, trustStoreSummary } from '../../src/node/truststore.js';
import { REAL, exists } from '../support/files.js';

const realDir = join(new URL('../..', import.meta.url).pathname, REAL, 'smimeX509validation');

describe('loadTrustStore on the real smimeX509validation layout', async () => {
  const present = await exists(`${REAL}/smimeX509validation/AddTrust_External_Root.pem`);
  if (!present) console.warn(`${REAL} is absent (it ships beside the project in CI only): the real CA-directory test is skipped`);
  it.skipIf(!present)('reads every .pem as an anchor and both .signing_policy files, ignores .crl_url', async () => {
    const store = await loadTrustStore(realDir);
    expect(store.trustAnchors).toHaveLength(4);
    expect(store.anchorFiles.map((f) => f.split('/').pop())).toEqual([
      'AddTrust_External_Root.pem',
      'TERENA_SSL_CA.pem',
      'TERENA_eScience_SSL_CA.pem',
      'UTN_USERFirst_Hardware_Root_CA.pem',
    ]);
    // base names differ from the .pem files (UTN-USERFirst-Hardware.signing_policy): still read
    expect(store.namespaces.map((n) => n.name).sort()).toEqual([
      'AddTrust_External_Root.signing_policy',
      'TERENA_eScience_SSL_CA.signing_policy',
      'UTN-USERFirst-Hardware.signing_policy',
    ]);
    expect(store.namespaces.every((n) => n.format === 'signing_policy' && n.text.includes('access_id_CA'))).toBe(true);
    expect(store.crls).toHaveLength(0);
    expect(store.intermediates).toHaveLength(0);
    expect(store.problems).toEqual([]);
    const summary = trustStoreSummary(store, '2026-01-01T00:00:00Z');
    expect(summary.cas.map((c) => c.subject)).toContain('/C=NL/O=TERENA/CN=TERENA eScience SSL CA');
    expect(summary.cas.every((c) => c.expired && c.notAfter === '2020-05-30T10:48:38Z')).toBe(true);
    expect(summary.casWithoutCrl).toHaveLength(4);
    expect(trustStoreSummary(store, '2015-01-01T00:00:00Z').cas.some((c) => c.expired)).toBe(false);
  });
});

describe('loadTrustStore on an IGTF directory', () => {
  let dir: string;
  let ca: string;
  let crlDir: string;
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmilist-ts-'));
    ca = join(dir, 'certificates');
    crlDir = join(dir, 'crls');
    mkdirSync(ca);
    mkdirSync(crlDir);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'crlnumber'), '01\n');
    writeFileSync(
      join(dir, 'ca.cnf'),
      ['[ca]', 'default_ca=d', '[d]', `database=${dir}/index.txt`, `crlnumber=${dir}/crlnumber`, 'default_md=sha256', 'default_crl_hours=12', '[req]', 'distinguished_name=dn', '[dn]', '[v3]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign', ''].join('\n'),
    );
    for (const n of ['a', 'b']) {
      openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${n}.key`, '-out', `${n}.pem`, '-days', '30', '-subj', `/DC=org/DC=example/CN=Test CA ${n}`, '-config', 'ca.cnf', '-extensions', 'v3');
    }
    // a.pem as hash .0 (PEM) and as a symlinked .pem (duplicate), b as DER .0
    const hashA = openssl('x509', '-in', 'a.pem', '-noout', '-subject_hash').toString().trim();
    const hashB = openssl('x509', '-in', 'b.pem', '-noout', '-subject_hash').toString().trim();
    copyFileSync(join(dir, 'a.pem'), join(ca, `${hashA}.0`));
    symlinkSync(join(ca, `${hashA}.0`), join(ca, 'Test-CA-a.pem'));
    openssl('x509', '-in', 'b.pem', '-outform', 'DER', '-out', join(ca, `${hashB}.0`));
    // CRLs: a's in the CA dir (PEM), b's in the CRL dir (DER)
    openssl('ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'a.key', '-cert', 'a.pem', '-out', join(ca, `${hashA}.r0`));
    openssl('ca', '-config', 'ca.cnf', '-gencrl', '-keyfile', 'b.key', '-cert', 'b.pem', '-out', 'b.crl.pem');
    openssl('crl', '-in', 'b.crl.pem', '-outform', 'DER', '-out', join(crlDir, `${hashB}.r0`));
    // metadata and junk
    writeFileSync(join(ca, `${hashA}.namespaces`), `TO Issuer "/DC=org/DC=example/CN=Test CA a" PERMIT Subject "/DC=org/DC=example/*"\n`);
    writeFileSync(join(ca, `${hashA}.signing_policy`), `access_id_CA X509 '/DC=org/DC=example/CN=Test CA a'\npos_rights globus CA:sign\ncond_subjects globus '"/DC=org/DC=example/*"'\n`);
    writeFileSync(join(ca, `${hashA}.crl_url`), 'http://example.org/a.crl\n');
    writeFileSync(join(ca, 'Test-CA-a.info'), 'alias = Test-CA-a\n');
    writeFileSync(join(ca, 'vo.lsc'), '/DC=org/CN=x\n');
    writeFileSync(join(ca, '.hidden.pem'), 'garbage');
    writeFileSync(join(ca, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    writeFileSync(join(ca, 'deadbeef.1'), new Uint8Array([0x30, 0x03, 0x02, 0x01]));
    writeFileSync(join(ca, 'key-only.pem'), readFileSync(join(dir, 'a.key')));
    symlinkSync(join(ca, 'missing-target.pem'), join(ca, 'dangling.0'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds anchors (deduplicated), CRLs in both dirs, namespace files, and reports broken files', async () => {
    const store = await loadTrustStore(ca, { crlDir });
    expect(store.trustAnchors).toHaveLength(2);
    expect(store.crls).toHaveLength(2);
    expect(store.crlFiles.some((f) => f.startsWith(crlDir))).toBe(true);
    expect(store.namespaces.map((n) => n.format).sort()).toEqual(['eacl', 'signing_policy']);
    const bad = store.problems.map((p) => p.file.split('/').pop()).sort();
    expect(bad).toEqual(['broken.pem', 'dangling.0', 'deadbeef.1', 'key-only.pem']);
    expect(store.problems.find((p) => p.file.endsWith('key-only.pem'))?.message).toMatch(/no CERTIFICATE or X509 CRL PEM block \(found: PRIVATE KEY\)/);
    expect(store.problems.find((p) => p.file.endsWith('dangling.0'))?.message).toMatch(/no such file/);
    // without the CRL dir, only the CA dir's CRL
    expect((await loadTrustStore(ca)).crls).toHaveLength(1);
  });

  it('summarises CA and CRL expiry, flagging CRLs that expire within 24 h', async () => {
    const store = await loadTrustStore(ca, { crlDir });
    const now = Date.now();
    const fresh = trustStoreSummary(store, now);
    expect(fresh.cas.map((c) => c.subject).sort()).toEqual(['/DC=org/DC=example/CN=Test CA a', '/DC=org/DC=example/CN=Test CA b']);
    expect(fresh.cas.every((c) => !c.expired)).toBe(true);
    // default_crl_hours=12: fresh, but due within a day
    expect(fresh.crls.every((c) => !c.expired && c.expiresWithin24h && c.nextUpdate !== undefined)).toBe(true);
    expect(fresh.casWithoutCrl).toEqual([]);
    const later = trustStoreSummary(store, now + 13 * 3600_000);
    expect(later.crls.every((c) => c.expired && !c.expiresWithin24h)).toBe(true);
    expect(trustStoreSummary(store, now + 31 * 86400_000).cas.every((c) => c.expired)).toBe(true);
  });

  it('refuses a directory without CAs (ERR_INPUT) and a missing one (ERR_IO)', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'x.crl_url'), 'http://x\n');
    await expect(loadTrustStore(empty)).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringContaining('no CA certificates found') });
    const err = await loadTrustStore(join(dir, 'nope')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmiListError);
    expect(err).toMatchObject({ code: 'ERR_IO', message: expect.stringContaining('no such file') });
    await expect(loadTrustStore(ca, { crlDir: join(dir, 'nope') })).rejects.toMatchObject({ code: 'ERR_IO' });
  });
});

describe('loadTrustStore reads files by content, not by name', () => {
  const vectors = new URL('../../vectors/', import.meta.url).pathname;
  const pem = (f: string): string => readFileSync(join(vectors, 'pki', f), 'utf8');
  const derOf = (text: string): Buffer => Buffer.from(text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmilist-ts-content-'));
    mkdirSync(join(dir, 'ca'));
    mkdirSync(join(dir, 'crl'));
    const ca = (f: string, data: string | Buffer): void => writeFileSync(join(dir, 'ca', f), data);
    ca('root.pem', pem('root.pem'));
    ca('intermediate.der', derOf(pem('intermediate.pem'))); // a DER certificate named .der
    ca('root.crl.pem', pem('root.crl.pem')); // a PEM CRL named *.crl.pem (was: "no CERTIFICATE PEM block")
    ca('5a1b2c3d.r0', derOf(pem('intermediate.crl.pem'))); // a DER CRL named like fetch-crl's
    ca('old.der', derOf(pem('intermediate.stale.crl.pem'))); // a DER CRL named .der (an older CRL of the intermediate)
    ca('bundle', `${pem('other-ca.pem')}\n${pem('other-ca.crl.pem')}`); // cert and CRL in one file with no extension
    ca('root.crl_url', 'http://example.org/root.crl\n');
    ca('README', 'These are the test CAs.\n'); // not trust material: silently skipped
    ca('garbage.pem', 'not a certificate at all\n'); // named like material: reported
    ca('unreadable.0', pem('root.pem'));
    chmodSync(join(dir, 'ca', 'unreadable.0'), 0o000);
    writeFileSync(join(dir, 'crl', 'stray-cert.pem'), pem('other-ca.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds CRLs named *.crl.pem, *.r0 and .der, a DER certificate, and a bundle of both', async () => {
    const store = await loadTrustStore(join(dir, 'ca'), { crlDir: join(dir, 'crl') });
    const names = (files: readonly string[]) => files.map((f) => f.slice(join(dir, 'ca').length + 1)).sort();
    expect(names(store.anchorFiles)).toEqual(['bundle (block 1)', 'intermediate.der', 'root.pem']);
    expect(names(store.crlFiles)).toEqual(['5a1b2c3d.r0', 'bundle (block 2)', 'old.der', 'root.crl.pem']);
    const summary = trustStoreSummary(store, '2026-06-01T00:00:00Z');
    expect(summary.casWithoutCrl).toEqual([]);
    expect(summary.crls.map((c) => c.issuer).sort()).toEqual(['/DC=org/DC=elsewhere/CN=Other CA', '/DC=org/DC=vmilist-test/CN=Test Grid CA', '/DC=org/DC=vmilist-test/CN=Test Grid CA', '/DC=org/DC=vmilist-test/CN=Test Root CA']);
    // the same CRL again under another name counts once
    writeFileSync(join(dir, 'ca', 'zz-copy.crl'), pem('root.crl.pem'));
    expect((await loadTrustStore(join(dir, 'ca'))).crls).toHaveLength(4);
    rmSync(join(dir, 'ca', 'zz-copy.crl'));
  });

  it('names every file it could not use, and skips what is not trust material', async () => {
    const store = await loadTrustStore(join(dir, 'ca'), { crlDir: join(dir, 'crl') });
    const byFile = new Map(store.problems.map((p) => [p.file.split('/').pop(), p.message]));
    expect(byFile.get('garbage.pem')).toMatch(/neither PEM nor DER/);
    expect(byFile.get('stray-cert.pem')).toMatch(/certificate in the CRL directory; ignored/);
    if (process.getuid?.() !== 0) expect(byFile.get('unreadable.0')).toMatch(/cannot read: .*permission denied/);
    expect([...byFile.keys()].some((f) => f === 'README' || f === 'root.crl_url')).toBe(false);
  });

  it('verifies against CRLs found by content: a revoked signer is refused, a good one accepted', async () => {
    const { verifySignedList } = await import('../../src/index.js');
    const store = await loadTrustStore(join(dir, 'ca'));
    const msg = (f: string) => new Uint8Array(readFileSync(join(vectors, 'signed', f)));
    await expect(verifySignedList(msg('revoked.smime'), { ...store, at: '2026-06-01T00:00:00Z' })).rejects.toMatchObject({ code: 'ERR_CERT_REVOKED' });
    const ok = await verifySignedList(msg('alice-sha512.smime'), { ...store, at: '2026-06-01T00:00:00Z' });
    expect(ok.signer.dn).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
  });
});

describe('loadTrustStore on vectors/trust', () => {
  const vectors = new URL('../../vectors/', import.meta.url).pathname;
  it('reads root and intermediate as anchors, both CRLs and both namespace files', async () => {
    const store = await loadTrustStore(`${vectors}trust`);
    expect(store.problems).toEqual([]);
    const summary = trustStoreSummary(store, '2026-06-01T00:00:00Z');
    expect(summary.cas.map((c) => c.subject).sort()).toEqual(['/DC=org/DC=vmilist-test/CN=Test Grid CA', '/DC=org/DC=vmilist-test/CN=Test Root CA']);
    expect(summary.crls.map((c) => c.issuer).sort()).toEqual(summary.cas.map((c) => c.subject).sort());
    expect(summary.crls.every((c) => !c.expired && !c.expiresWithin24h)).toBe(true);
    expect(store.namespaces.map((n) => n.format).sort()).toEqual(['eacl', 'signing_policy']);
    const nocrl = await loadTrustStore(`${vectors}trust-nocrl`);
    expect(nocrl.trustAnchors).toHaveLength(2);
    expect(nocrl.crls).toHaveLength(0);
    expect(trustStoreSummary(nocrl, '2026-06-01T00:00:00Z').casWithoutCrl).toHaveLength(2);
  });
});

describe('loadTrustStore hands on its parse', () => {
  it('verification uses what was loaded: the exposed buffers are copies that cannot change it', async () => {
    const { verifySignedList } = await import('../../src/index.js');
    const { readFile } = await import('node:fs/promises');
    const store = await loadTrustStore(new URL('../../vectors/trust', import.meta.url).pathname);
    expect(Object.isFrozen(store.trustAnchors) && Object.isFrozen(store.crls)).toBe(true);
    for (const b of [...store.trustAnchors, ...store.crls]) b.fill(0);
    const message = new Uint8Array(await readFile(new URL('../../vectors/signed/alice-sha512.smime', import.meta.url)));
    const v = await verifySignedList(message, { ...store, at: '2026-06-01T00:00:00Z' });
    expect(v.signer.dn).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
    // and revocation still comes from the loaded CRLs
    const revoked = new Uint8Array(await readFile(new URL('../../vectors/signed/revoked.smime', import.meta.url)));
    await expect(verifySignedList(revoked, { ...store, at: '2026-06-01T00:00:00Z' })).rejects.toMatchObject({ code: 'ERR_CERT_REVOKED' });
  });
});

describe('loadTrustStore on a directory of many files (read ahead, handled in name order)', () => {
  const trust = join(new URL('../..', import.meta.url).pathname, 'vectors/trust');
  const dir = mkdtempSync(join(tmpdir(), 'vmilist-many-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('gives the same anchors, CRLs, namespaces and problems, in name order, as the files one by one', async () => {
    // 60 names (more than are read ahead): copies of one CA, its CRL and namespaces, broken files and a subdirectory
    const ca = readFileSync(join(trust, '780967d7.0'));
    for (let i = 0; i < 20; i++) {
      const n = String(i).padStart(2, '0');
      writeFileSync(join(dir, `c${n}.pem`), ca);
      writeFileSync(join(dir, `c${n}.namespaces`), readFileSync(join(trust, '780967d7.namespaces')));
      if (i % 5 === 0) writeFileSync(join(dir, `c${n}.r0`), 'not a CRL');
      else if (i % 7 === 0) mkdirSync(join(dir, `c${n}.r0`));
      else copyFileSync(join(trust, '780967d7.r0'), join(dir, `c${n}.r0`));
    }
    const store = await loadTrustStore(dir);
    // one anchor and one CRL (the copies are the same certificate and CRL)
    expect(store.anchorFiles.map((f) => f.split('/').pop())).toEqual(['c00.pem']);
    expect(store.crls).toHaveLength(1);
    expect(store.namespaces.map((n) => n.name)).toEqual(Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}.namespaces`));
    // a problem for each broken file, in name order; the subdirectories are skipped
    expect(store.problems.map((p) => p.file.split('/').pop())).toEqual(['c00.r0', 'c05.r0', 'c10.r0', 'c15.r0']);
  });
});
