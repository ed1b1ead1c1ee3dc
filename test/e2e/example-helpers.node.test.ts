/**
 * The browser example's DOM-free helpers (trust-file classification,
 * instant parsing, sizes, image matching) and the static server's path
 * mapping, in Node.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumPrefix, errorSentence, ERROR_SENTENCES, humanSize } from '../../examples/browser/format.js';
import { hashFile, matchImage } from '../../examples/browser/hash-image.js';
import { addTrustFile, describeTrust, emptyTrust } from '../../examples/browser/trust.js';
import { describeInput, printable } from '../../examples/browser/input-kind.js';
import type { VerifyJob } from '../../examples/browser/protocol.js';
import { isRawCms, parseInstant, toView, verifyJob } from '../../examples/browser/verify.js';
import { resolveMounted } from '../../examples/browser/serve.mjs';
import { ERROR_CODES, verifySignedList } from '../../src/index.js';
import { caseNamed, loadManifest, nodeOptions, VECTORS } from './manifest.js';

const vec = (p: string): Uint8Array<ArrayBuffer> => new Uint8Array(readFileSync(resolve(VECTORS, p)));
const pemText = (p: string): string => readFileSync(resolve(VECTORS, p), 'utf8');

describe('trust files', () => {
  it('splits a PEM bundle into certificates and CRLs, whatever picker it came through', () => {
    const bundle = new TextEncoder().encode(
      [pemText('pki/root.pem'), pemText('pki/intermediate.pem'), pemText('pki/root.crl.pem'), pemText('pki/intermediate.crl.pem')].join('\n'),
    );
    const t = emptyTrust();
    addTrustFile(t, 'bundle.pem', bundle, 'anchor');
    expect([t.anchors.length, t.intermediates.length, t.crls.length]).toEqual([2, 0, 2]);
    expect(t.anchors[0]).toBe(pemText('pki/root.pem').trim());
    const u = emptyTrust();
    addTrustFile(u, 'bundle.pem', bundle, 'intermediate');
    expect([u.anchors.length, u.intermediates.length, u.crls.length]).toEqual([0, 2, 2]);
  });

  it('reads an IGTF directory: .0 certificates, .r0 CRLs, namespace files; ignores .info and .crl_url', () => {
    const t = emptyTrust();
    for (const f of ['780967d7.0', '780967d7.r0', '780967d7.namespaces', '780967d7.signing_policy', '780967d7.info', '780967d7.crl_url', 'ed6627ae.0']) {
      addTrustFile(t, f, vec(`trust/${f}`), 'anchor');
    }
    expect(t.anchors).toHaveLength(2);
    expect(t.crls).toHaveLength(1);
    expect(t.namespaces.map((n) => [n.name, n.format])).toEqual([
      ['780967d7.namespaces', 'eacl'],
      ['780967d7.signing_policy', 'signing_policy'],
    ]);
    expect(t.ignored).toEqual(['780967d7.info', '780967d7.crl_url']);
    expect(describeTrust(t)).toBe('2 CA certificates, 0 intermediates, 1 CRL, 2 namespace files; ignored: 780967d7.info, 780967d7.crl_url');
  });

  it('takes DER by picker and IGTF name, and ignores a private key', () => {
    const t = emptyTrust();
    addTrustFile(t, 'root.der', vec('pki/der/root.der'), 'anchor');
    addTrustFile(t, 'intermediate.crl.der', vec('pki/der/intermediate.crl.der'), 'anchor');
    addTrustFile(t, 'intermediate.der', vec('pki/der/intermediate.der'), 'intermediate');
    addTrustFile(t, 'alice.key.pem', vec('pki/alice.key.pem'), 'anchor');
    expect([t.anchors.length, t.intermediates.length, t.crls.length]).toEqual([1, 1, 1]);
    expect(t.anchors[0]).toBeInstanceOf(Uint8Array);
    expect(t.ignored).toEqual(['alice.key.pem (PRIVATE KEY)']);
  });
});

describe('instant, sizes, sentences', () => {
  it('reads dates and zoned date-times; empty is now; a zoneless time is refused', () => {
    const fixed = new Date('2030-01-02T03:04:05Z');
    expect(parseInstant('', () => fixed)).toBe(fixed);
    expect(parseInstant('  ', () => fixed)).toBe(fixed);
    expect(parseInstant('2026-06-01T00:00:00Z').toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parseInstant('2026-06-01T02:00:00+02:00').toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(parseInstant('2026-06-01').toISOString()).toBe('2026-06-01T00:00:00.000Z');
    for (const bad of ['2026-06-01T00:00:00', 'yesterday', '2026-13-01T00:00:00Z', '1780272000']) {
      expect(() => parseInstant(bad), bad).toThrow(expect.objectContaining({ code: 'ERR_INPUT' }));
    }
  });

  it('formats sizes in binary units and checksum prefixes', () => {
    expect(humanSize(0)).toBe('0 B');
    expect(humanSize(1023)).toBe('1023 B');
    expect(humanSize(1024)).toBe('1.0 KiB');
    expect(humanSize(5000)).toBe(`${(5000 / 1024).toFixed(1)} KiB`);
    expect(humanSize(3 * 1024 ** 3 + 1)).toBe('3.0 GiB');
    expect(humanSize(-1)).toBe('?');
    expect(checksumPrefix('a'.repeat(128))).toBe(`${'a'.repeat(16)}…`);
    expect(checksumPrefix('abc')).toBe('abc');
  });

  it('has a sentence for every error code', () => {
    expect(Object.keys(ERROR_SENTENCES).sort()).toEqual([...ERROR_CODES].sort());
    expect(errorSentence('NOT_A_CODE')).toMatch(/unexpected/);
  });
});

describe('verifyJob and image matching', () => {
  const manifest = loadManifest();
  const c = caseNamed(manifest, 'alice-rsa-sha512-detached');
  const job = (message: Uint8Array, trust: VerifyJob['trust'], at: string, extra: Partial<VerifyJob> = {}): VerifyJob => ({
    kind: 'verify',
    id: 1,
    name: 'list.smime',
    message,
    trust,
    at,
    ...extra,
  });

  it('gives the Node verdict for the alice vector, names the file and its SHA-256, and ERR_INPUT without a CA', async () => {
    const o = await nodeOptions(manifest, c);
    const trust = { ...emptyTrust(), anchors: [...o.trustAnchors], intermediates: [...(o.intermediates ?? [])], crls: [...(o.crls ?? [])] };
    const v = await verifyJob(job(vec(c.file), trust, manifest.at));
    const node = await verifySignedList(vec(c.file), o);
    expect(v.ok).toBe(true);
    expect(v.signer).toBe(node.signer.dn);
    expect(v.issuer).toBe(node.signer.issuer);
    expect(v.at).toBe(manifest.at);
    expect(v.file).toEqual({ name: 'list.smime', size: vec(c.file).length, sha256: createHash('sha256').update(vec(c.file)).digest('hex') });
    expect(v.view?.signer.notAfter).toBe(node.signer.notAfter);
    expect(v.view?.images.map((i) => i.uri)).toEqual(node.list['hv:images'].map((e) => e['hv:image']['hv:uri']));
    const none = await verifyJob(job(vec(c.file), emptyTrust(), manifest.at));
    expect([none.ok, none.code]).toEqual([false, 'ERR_INPUT']);
    expect(none.file?.name).toBe('list.smime');
    const badAt = await verifyJob(job(vec(c.file), trust, 'soon'));
    expect([badAt.ok, badAt.code]).toEqual([false, 'ERR_INPUT']);

    // detached content is for raw CMS only: a leftover file does not change an S/MIME verdict
    const leftover = await verifyJob(job(vec(c.file), trust, manifest.at, { content: { name: 'left.json', bytes: vec('lists/alice.json') } }));
    expect(leftover.ok).toBe(true);
    expect(leftover.notes?.join(' ')).toMatch(/left\.json" was not used/);
  });

  it('tells raw CMS from S/MIME, describes unreadable input in words and never shows raw bytes', () => {
    expect(isRawCms(new Uint8Array([0x30, 0x82, 1, 2]))).toBe(true);
    expect(isRawCms(new TextEncoder().encode('\n-----BEGIN PKCS7-----\n'))).toBe(true);
    expect(isRawCms(vec(c.file))).toBe(false);
    expect(describeInput(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]))).toMatch(/PNG image/);
    expect(describeInput(new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 255)))).toMatch(/binary data/);
    expect(describeInput(new Uint8Array())).toMatch(/empty/);
    expect(describeInput(vec('lists/alice.json'))).toMatch(/JSON/);
    expect(describeInput(vec(c.file))).toBeUndefined();
    expect(printable('message: "\rnÏ0òS´\u0015v×8" is not a header line', true)).toBe('message: (unreadable bytes) is not a header line');
    expect(printable('a\u0000b', false)).toBe('a…b');
  });

  it('hashes a Blob with progress and matches by SHA-512 and size', async () => {
    const verified = await verifySignedList(vec(c.file), await nodeOptions(manifest, c));
    const images = toView(verified).images;
    const bytes = vec('images/tiny-linux-x86_64.img');
    const seen: number[] = [];
    const h = await hashFile(new Blob([new Uint8Array(bytes)]), (done, total) => {
      expect(total).toBe(bytes.length);
      seen.push(done);
    });
    expect(seen.at(-1)).toBe(bytes.length);
    expect(['wasm', 'js']).toContain(h.backend);
    const m = matchImage(images, h);
    expect(m.kind).toBe('match');
    if (m.kind === 'match') expect(m.image.sha512).toBe(h.sha512);
    expect(matchImage(images, { sha512: h.sha512, size: h.size + 1 }).kind).toBe('size-differs');
    expect(matchImage(images, { sha512: '0'.repeat(128), size: h.size }).kind).toBe('none');
  });
});

describe('static server paths', () => {
  const mounts = { '/': '/srv/site', '/vectors/': '/srv/vectors' };
  it('maps paths into mounts, the longest prefix first', () => {
    expect(resolveMounted('/', mounts)).toBe('/srv/site/index.html');
    expect(resolveMounted('/main.js', mounts)).toBe('/srv/site/main.js');
    expect(resolveMounted('/vectors/signed/a.smime', mounts)).toBe('/srv/vectors/signed/a.smime');
  });
  it('never leaves a mount', () => {
    for (const p of ['/../etc/passwd', '/vectors/../../etc/passwd', '/vectors/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e%2fetc', '/a%00b', '/%E0%A4%A']) {
      const r = resolveMounted(p, mounts);
      expect(r === null || r.startsWith('/srv/site/') || r.startsWith('/srv/vectors/'), `${p} → ${r}`).toBe(true);
    }
    expect(resolveMounted('/vectors/%2e%2e/%2e%2e/etc/passwd', mounts)).toBeNull();
  });
});
