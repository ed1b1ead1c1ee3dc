// Signed attributes sent in BER: RFC 5652 §5.4 signs their DER encoding, and
// OpenSSL re-encodes what it received (definite lengths, SET OF sorted)
// before checking the signature. The same openssl-made message with its
// signed attributes re-sent with an indefinite length must verify with
// vmilist as with `openssl smime -verify`; the attributes in another order
// (OpenSSL keeps the order received: that is not what was signed) and a
// changed attribute value are refused by both.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VmiListError, parseSmime, verifySignature } from '../../src/index.js';
import { decodeBer, type Asn } from '../../src/x509/ber.js';
import { run, VECTORS } from './tools.js';

const haveOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'vmilist-ber-attrs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const message = parseSmime(readFileSync(join(VECTORS, 'signed/alice-sha512.smime')));
const content = message.content as Uint8Array;
const cms = message.cms;
const root = decodeBer(cms, 10_000);
// ContentInfo → [0] → SignedData → signerInfos (last) → SignerInfo 1 → signedAttrs [0]
const signedData = root.children[1]?.children[0] as Asn;
const signerInfo = signedData.children[signedData.children.length - 1]?.children[0] as Asn;
const signedAttrs = signerInfo.children[3] as Asn;

const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const lengthOctets = (n: number): number[] => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
/** `n` with a new content, definite length (identifier octet kept: every tag here is below 31). */
const withContent = (n: Asn, body: Uint8Array): Uint8Array => concat([Uint8Array.of(n.encoding[0] as number, ...lengthOctets(body.length)), body]);

/** The CMS with `target` replaced by `replacement`, every element around it re-encoded. */
function replaced(n: Asn, target: Asn, replacement: Uint8Array): Uint8Array {
  if (n === target) return replacement;
  if (!n.constructed) return n.encoding;
  const kids = n.children.map((c) => replaced(c, target, replacement));
  return kids.every((k, i) => k === n.children[i]?.encoding) ? n.encoding : withContent(n, concat(kids));
}

const attrs = signedAttrs.children.map((a) => a.encoding);
// openssl adds smimeCapabilities: a value that is a SEQUENCE, kept by OpenSSL as it came
const capabilities = signedAttrs.children.find((a) => a.children[1]?.children[0]?.tag === 16)?.children[1]?.children[0];
const berInsideValue = (): Uint8Array => {
  const c = capabilities as Asn;
  return concat([Uint8Array.of(0x30, 0x80), ...c.children.map((x) => x.encoding), Uint8Array.of(0, 0)]);
};
const VARIANTS: ReadonlyArray<readonly [string, Uint8Array, 'ok' | 'refused']> = [
  ['as openssl wrote it (DER)', cms, 'ok'],
  ['signed attributes with an indefinite length', replaced(root, signedAttrs, concat([Uint8Array.of(0xa0, 0x80), ...attrs, Uint8Array.of(0, 0)])), 'ok'],
  ['signed attributes in reverse order', replaced(root, signedAttrs, withContent(signedAttrs, concat([...attrs].reverse()))), 'refused'],
  ['a SEQUENCE value inside an attribute sent in BER (not what was signed: OpenSSL keeps such values as received)', replaced(root, capabilities as Asn, berInsideValue()), 'refused'],
  ['a signed attribute value changed', replaced(root, signedAttrs, (() => {
    const e = signedAttrs.encoding.slice();
    e[e.length - 1] = (e[e.length - 1] as number) ^ 1;
    return e;
  })()), 'refused'],
];

describe.skipIf(!haveOpenssl)('signed attributes in BER: vmilist and openssl smime -verify agree', () => {
  it('the variants really differ from the original', () => {
    expect(attrs.length).toBeGreaterThanOrEqual(3);
    expect(capabilities?.constructed).toBe(true);
    for (const [, der] of VARIANTS.slice(1)) expect(Buffer.from(der).equals(Buffer.from(cms))).toBe(false);
  });

  it.each(VARIANTS.map(([name, der, want], i) => [name, der, want, i] as const))('%s', async (_, der, want, i) => {
    const cmsFile = join(dir, `v${i}.der`);
    const contentFile = join(dir, 'content');
    writeFileSync(cmsFile, der);
    writeFileSync(contentFile, content);
    const r = run('openssl', ['smime', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', cmsFile, '-content', contentFile, '-out', join(dir, 'out')]);
    expect(r.status === 0 ? 'ok' : 'refused', r.stderr).toBe(want);
    const ours = await verifySignature({ cms: der, content }).then(
      () => 'ok',
      (e: unknown) => (e instanceof VmiListError ? 'refused' : `not a VmiListError: ${String(e)}`),
    );
    expect(ours).toBe(want);
  });
});
