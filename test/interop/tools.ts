// Shared helpers of the interop tests: where the vectors are, running
// openssl and M2Crypto, and the trust material in the forms each tool wants.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Absolute path of vectors/. */
export const VECTORS = new URL('../../vectors/', import.meta.url).pathname;
/** Absolute path of this folder (the M2Crypto scripts). */
export const HERE = new URL('.', import.meta.url).pathname;
/** The instant every case is verified at (the vectors' manifest time). */
export const AT = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')).at as string;
/** `AT` in seconds since the epoch, for `openssl -attime`. */
export const AT_EPOCH = String(Math.floor(Date.parse(AT) / 1000));

/** An endorser of the vectors' PKI. */
export interface Signer {
  readonly name: string;
  readonly cert: string;
  readonly key: string;
  readonly list: string;
  readonly dn: string;
  readonly kind: 'RSA' | 'ECDSA P-256' | 'ECDSA P-384';
}

const pki = (f: string) => join(VECTORS, 'pki', f);

/** The endorsers used in the matrix: RSA (alice), ECDSA P-256 (carol), ECDSA P-384 (dave). */
export const SIGNERS: readonly Signer[] = [
  { name: 'alice', cert: pki('alice.pem'), key: pki('alice.key.pem'), list: join(VECTORS, 'lists/alice.json'), dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser', kind: 'RSA' },
  { name: 'carol', cert: pki('carol.pem'), key: pki('carol.key.pem'), list: join(VECTORS, 'lists/carol.json'), dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Carol Endorser/emailAddress=carol@vmilist-test.org', kind: 'ECDSA P-256' },
  { name: 'dave', cert: pki('dave.pem'), key: pki('dave.key.pem'), list: join(VECTORS, 'lists/dave.json'), dn: '/DC=org/DC=vmilist-test/OU=Users/CN=Dave Endorser', kind: 'ECDSA P-384' },
];

/** Trust material in the files openssl and M2Crypto read. */
export interface OpensslTrust {
  /** Temporary directory holding the files (remove it after the tests). */
  readonly dir: string;
  /** Root + intermediate certificates (PEM). */
  readonly bundle: string;
  /** Root + intermediate CRLs (PEM). */
  readonly crls: string;
  /** Certificates and CRLs in one file: openssl 3.0 `smime`/`cms` have no `-CRLfile`, `-CAfile` loads CRLs too. */
  readonly bundleWithCrls: string;
}

/** A temporary directory with the CA bundle (root + intermediate) and the CRLs, separately and together. */
export function opensslTrust(): OpensslTrust {
  const dir = mkdtempSync(join(tmpdir(), 'vmilist-interop-'));
  const bundle = join(dir, 'ca-bundle.pem');
  const crls = join(dir, 'crls.pem');
  const bundleWithCrls = join(dir, 'ca-bundle-crls.pem');
  const certs = readFileSync(pki('root.pem'), 'utf8') + readFileSync(pki('intermediate.pem'), 'utf8');
  const crlText = readFileSync(pki('root.crl.pem'), 'utf8') + readFileSync(pki('intermediate.crl.pem'), 'utf8');
  writeFileSync(bundle, certs);
  writeFileSync(crls, crlText);
  writeFileSync(bundleWithCrls, certs + crlText);
  return { dir, bundle, crls, bundleWithCrls };
}

/** Result of a child process. */
export interface Run {
  readonly status: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/** Runs a command without a shell. */
export function run(cmd: string, args: readonly string[], input?: Uint8Array): Run {
  const r = spawnSync(cmd, args, { input, maxBuffer: 256 << 20 });
  return { status: r.status, stdout: r.stdout ?? Buffer.alloc(0), stderr: r.stderr?.toString() ?? String(r.error ?? '') };
}

/** Whether an openssl verify run succeeded: exit 0 **and** the success message (openssl 3.0 smime/cms exit 0 on a usage error). */
export function opensslOk(r: Run): boolean {
  return r.status === 0 && r.stderr.includes('Verification successful');
}

/**
 * openssl smime|cms -verify with the full chain and CRL checks for every CA
 * (`-crl_check_all`, CRLs loaded through `-CAfile`) at AT, any purpose (the
 * `grid` profile; openssl's default smimesign purpose refuses host
 * certificates); the content goes to stdout. `at` overrides AT (epoch s).
 */
export function opensslVerify(tool: 'smime' | 'cms', file: string, trust: OpensslTrust, inform?: 'DER' | 'PEM', at = AT_EPOCH): Run {
  return run('openssl', [
    tool, '-verify', '-in', file, ...(inform ? ['-inform', inform] : []),
    '-CAfile', trust.bundleWithCrls, '-crl_check_all', '-purpose', 'any', '-attime', at,
  ]);
}

/** A python3 that can import M2Crypto (Debian's python3-m2crypto lives in /usr/bin/python3), or why not. */
export const M2: { python?: string; reason?: string } = (() => {
  const candidates = [process.env['VMILIST_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import M2Crypto'], { stdio: 'ignore' });
    if (r.status === 0) return { python: py };
  }
  return { reason: `M2Crypto is not importable by ${candidates.join(' or ')} (install Debian's python3-m2crypto); M2Crypto interop skipped` };
})();

/** Verifies with the M2Crypto script (as the Python subscriber does) against the bundle and CRLs. */
export function m2Verify(file: string, trust: OpensslTrust): Run {
  return run(M2.python as string, [join(HERE, 'm2crypto_verify.py'), '--cafile', trust.bundle, '--crlfile', trust.crls, file]);
}

/** Signs with the M2Crypto script (as hepixvmitrust does). */
export function m2Sign(signer: Signer, digest: string, opaque: boolean, input: string, output: string): Run {
  return run(M2.python as string, [join(HERE, 'm2crypto_sign.py'), '--cert', signer.cert, '--key', signer.key, '--digest', digest, ...(opaque ? ['--opaque'] : []), input, output]);
}

/** Text with CRLF turned into LF (S/MIME canonical form → file form). */
export function lf(bytes: Uint8Array | string): string {
  return (typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')).replace(/\r\n/g, '\n');
}

/** One cell row of the interop matrix: a signer key, a digest and detached or opaque. */
export interface SigningCase {
  readonly signer: Signer;
  readonly digest: 'sha256' | 'sha384' | 'sha512';
  readonly detached: boolean;
}

/** The ten key/digest/shape combinations every signer × verifier cell is tested with (docs/interop.md). */
export const SIGNING_MATRIX: readonly SigningCase[] = (
  [['alice', ['sha256', 'sha512']], ['carol', ['sha256']], ['dave', ['sha384', 'sha512']]] as const
).flatMap(([name, digests]) => {
  const signer = SIGNERS.find((s) => s.name === name) as Signer;
  return digests.flatMap((digest) => [true, false].map((detached) => ({ signer, digest, detached })));
});
