// Lists signed by the tools endorsers use — openssl smime, openssl cms and
// M2Crypto as hepixvmitrust calls it — verify with vmilist (IGTF trust
// directory, CRLs required), with the signed content intact.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignedList } from '../../src/smime/index.js';
import { loadTrustStore, type TrustStore } from '../../src/node/truststore.js';
import { AT, M2, SIGNERS, SIGNING_MATRIX, VECTORS, lf, m2Sign, m2Verify, opensslOk, opensslTrust, opensslVerify, run, type OpensslTrust, type Signer, type SigningCase } from './tools.js';

type Tool = 'openssl smime' | 'openssl cms' | 'M2Crypto';
interface Case extends SigningCase {
  readonly tool: Tool;
}

const TOOLS: Tool[] = ['openssl smime', 'openssl cms', ...(M2.python ? (['M2Crypto'] as const) : [])];
const CASES: Case[] = TOOLS.flatMap((tool) => SIGNING_MATRIX.map((m) => ({ tool, ...m })));
const label = (c: Case) => `${c.tool}: ${c.signer.name} ${c.signer.kind} ${c.digest} ${c.detached ? 'detached' : 'opaque'}`;

function sign(c: Case, out: string): void {
  if (c.tool === 'M2Crypto') {
    const r = m2Sign(c.signer, c.digest, !c.detached, c.signer.list, out);
    if (r.status !== 0) throw new Error(`M2Crypto sign failed: ${r.stderr}`);
    return;
  }
  const tool = c.tool === 'openssl smime' ? 'smime' : 'cms';
  // smime signs detached unless -nodetach; so does cms
  const r = run('openssl', [tool, '-sign', '-in', c.signer.list, '-signer', c.signer.cert, '-inkey', c.signer.key, '-md', c.digest, ...(c.detached ? [] : ['-nodetach']), '-out', out]);
  // openssl 3.0 exits 0 on a usage error: the output must exist as well
  if (r.status !== 0 || !existsSync(out) || statSync(out).size === 0) throw new Error(`openssl ${tool} -sign failed: ${r.stderr}`);
}

describe('others sign, vmilist verifies', () => {
  let trust: OpensslTrust;
  let store: TrustStore;
  const files = new Map<Case, string>();

  beforeAll(async () => {
    trust = opensslTrust();
    store = await loadTrustStore(join(VECTORS, 'trust'));
    mkdirSync(join(trust.dir, 'signed'));
    CASES.forEach((c, i) => {
      const file = join(trust.dir, 'signed', `${i}.smime`);
      sign(c, file);
      files.set(c, file);
    });
  });
  afterAll(() => rmSync(trust.dir, { recursive: true, force: true }));

  it.each(CASES.map((c) => [label(c), c] as const))('%s', async (_, c) => {
    const file = files.get(c) as string;
    // the message is what the tool says it is (and openssl itself accepts it)
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(c.detached ? /multipart\/signed/ : /application\/(x-)?pkcs7-mime/);
    expect(opensslOk(opensslVerify('cms', file, trust))).toBe(true);
    expect(opensslOk(opensslVerify('smime', file, trust))).toBe(true);
    // the Python subscriber's verifier accepts it too (checks against the clock; the vectors are valid until 2040)
    if (M2.python) expect(m2Verify(file, trust).status).toBe(0);

    const v = await verifySignedList(new Uint8Array(readFileSync(file)), { ...store, at: AT });
    expect(v.signer.dn).toBe(c.signer.dn);
    expect(v.signer.issuer).toBe('/DC=org/DC=vmilist-test/CN=Test Grid CA');
    expect(v.digestAlgorithm).toBe(c.digest);
    expect(lf(v.content)).toBe(lf(readFileSync(c.signer.list)));
    expect(v.list['dc:identifier']).toBe(JSON.parse(readFileSync(c.signer.list, 'utf8'))['hv:imagelist']['dc:identifier']);
  });

  // Less common shapes openssl can produce; each must verify with its content intact.
  it.each([
    ['openssl cms RSA-PSS (-keyopt rsa_padding_mode:pss)', ['cms', '-sign', '-md', 'sha256', '-keyopt', 'rsa_padding_mode:pss'], 'smime'],
    ['openssl cms without signed attributes (-noattr)', ['cms', '-sign', '-md', 'sha256', '-noattr'], 'smime'],
    ['openssl cms -binary, raw DER with detached content', ['cms', '-sign', '-md', 'sha512', '-binary', '-outform', 'DER'], 'raw'],
    ['openssl smime, PEM PKCS7 with detached content', ['smime', '-sign', '-md', 'sha256', '-outform', 'PEM'], 'raw'],
    ['openssl cms -keyid (signer named by subjectKeyIdentifier)', ['cms', '-sign', '-md', 'sha256', '-keyid'], 'smime'],
    ['openssl cms -stream -nodetach (BER indefinite lengths, opaque)', ['cms', '-sign', '-md', 'sha256', '-stream', '-nodetach'], 'smime'],
    ['openssl cms -stream (detached)', ['cms', '-sign', '-md', 'sha256', '-stream'], 'smime'],
  ] as const)('%s', async (_, args, shape) => {
    const alice = SIGNERS[0] as Signer;
    const out = join(trust.dir, `extra-${args.join('_').replace(/[^a-z0-9_-]/gi, '')}`);
    // -keyopt must follow -inkey
    const r = run('openssl', [...args.slice(0, 2), '-in', alice.list, '-signer', alice.cert, '-inkey', alice.key, ...args.slice(2), '-out', out]);
    expect(r.status === 0 && existsSync(out) && statSync(out).size > 0, r.stderr).toBe(true);
    const bytes = new Uint8Array(readFileSync(out));
    const input = shape === 'raw' ? { cms: bytes, content: new Uint8Array(readFileSync(alice.list)) } : bytes;
    const v = await verifySignedList(input, { ...store, at: AT });
    expect(v.signer.dn).toBe(alice.dn);
    expect(lf(v.content)).toBe(lf(readFileSync(alice.list)));
    // and a changed byte of the detached content is refused
    if (shape === 'raw') {
      const changed = new Uint8Array(readFileSync(alice.list));
      changed[20] = (changed[20] as number) ^ 1;
      await expect(verifySignedList({ cms: bytes, content: changed }, { ...store, at: AT })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    }
  });

  it('vmilist refuses what openssl refuses: a changed body of an openssl-signed message', async () => {
    const c = CASES.find((x) => x.tool === 'openssl smime' && x.detached) as Case;
    const tampered = readFileSync(files.get(c) as string, 'utf8').replace('"hv:size": 8192', '"hv:size": 8193');
    const file = join(trust.dir, 'tampered.smime');
    writeFileSync(file, tampered);
    expect(opensslOk(opensslVerify('smime', file, trust))).toBe(false);
    await expect(verifySignedList(new Uint8Array(Buffer.from(tampered)), { ...store, at: AT })).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });

  it.skipIf(!M2.python)('hepixvmitrust defaults (M2Crypto, SHA-1) are refused unless --allow-sha1', async () => {
    const alice = SIGNERS[0] as Signer;
    const file = join(trust.dir, 'm2-sha1.smime');
    expect(m2Sign(alice, 'sha1', false, alice.list, file).status).toBe(0);
    const bytes = new Uint8Array(readFileSync(file));
    await expect(verifySignedList(bytes, { ...store, at: AT })).rejects.toMatchObject({ code: 'ERR_DIGEST_WEAK' });
    const v = await verifySignedList(bytes, { ...store, at: AT, allowSha1: true });
    expect(v.digestAlgorithm).toBe('sha1');
  });

  it('without CRLs (trust-nocrl) an openssl-signed list is refused: revocation is required', async () => {
    const c = CASES[0] as Case;
    const nocrl = await loadTrustStore(join(VECTORS, 'trust-nocrl'));
    await expect(verifySignedList(new Uint8Array(readFileSync(files.get(c) as string)), { ...nocrl, at: AT })).rejects.toMatchObject({ code: 'ERR_CRL_MISSING' });
  });
});

if (!M2.python) console.log(M2.reason);
