// A message can carry any certificates its author likes. Thirty CA
// certificates with one name, all signed by one key, make every one a valid
// issuer of every other: without a bound the path search would try 30^9
// paths. It must end quickly with ERR_CERT_UNTRUSTED.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySignedList, VmiListError } from '../../src/index.js';
import { ROOT } from '../support/server.js';

const openssl = (args: string[], cwd: string): string => execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('path building under hostile certificates', () => {
  it('a web of same-named CA certificates ends in ERR_CERT_UNTRUSTED; too many certificates are refused outright', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmilist-pathdos-'));
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key'], dir);
    writeFileSync(join(dir, 'ca.cnf'), '[v3]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    const cas: string[] = [];
    for (let i = 1; i <= 65; i++) {
      openssl(['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/DC=org/DC=vmilist-test/CN=Test Grid CA', '-set_serial', String(i), '-days', '9000', '-extensions', 'v3', '-config', 'ca.cnf', '-out', `ca${i}.pem`], dir);
      cas.push(readFileSync(join(dir, `ca${i}.pem`), 'utf8'));
    }
    writeFileSync(join(dir, 'all.pem'), cas.slice(0, 30).join(''));
    writeFileSync(join(dir, 'too-many.pem'), cas.join(''));
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ee.key'], dir);
    openssl(['req', '-new', '-key', 'ee.key', '-subj', '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser', '-out', 'ee.csr'], dir);
    openssl(['x509', '-req', '-in', 'ee.csr', '-CA', 'ca1.pem', '-CAkey', 'ca.key', '-set_serial', '4096', '-days', '9000', '-out', 'ee.pem'], dir);
    writeFileSync(join(dir, 'list.json'), readFileSync(join(ROOT, 'vectors/lists/alice.json')));
    openssl(['smime', '-sign', '-in', 'list.json', '-signer', 'ee.pem', '-inkey', 'ee.key', '-certfile', 'all.pem', '-md', 'sha256', '-out', 'list.smime'], dir);
    openssl(['smime', '-sign', '-in', 'list.json', '-signer', 'ee.pem', '-inkey', 'ee.key', '-certfile', 'too-many.pem', '-md', 'sha256', '-out', 'many.smime'], dir);
    // 66 certificates in one message: refused before any is parsed or tried
    const many = await verifySignedList(readFileSync(join(dir, 'many.smime')), { trustAnchors: [readFileSync(join(ROOT, 'vectors/pki/root.pem'), 'utf8')], at: '2026-06-01T00:00:00Z' }).catch((e: unknown) => e);
    expect(many).toBeInstanceOf(VmiListError);
    expect((many as VmiListError).code).toBe('ERR_SIGNATURE_INVALID');
    expect((many as VmiListError).message).toMatch(/66 certificates; more than 64/);

    const pki = (f: string): string => readFileSync(join(ROOT, 'vectors/pki', f), 'utf8');
    let caught: unknown;
    try {
      await verifySignedList(readFileSync(join(dir, 'list.smime')), {
        trustAnchors: [pki('root.pem')],
        intermediates: [pki('intermediate.pem')],
        crls: [pki('root.crl.pem'), pki('intermediate.crl.pem')],
        at: '2026-06-01T00:00:00Z',
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VmiListError);
    expect((caught as VmiListError).code).toBe('ERR_CERT_UNTRUSTED');
    // unbounded, the search would not end: the test's time limit is the hang guard
  }, 120_000);
});
