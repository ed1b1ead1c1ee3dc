// prepareTrust: trust material parsed once gives the same verdicts as raw
// material, and what it trusts is fixed at preparation.
import { describe, expect, it } from 'vitest';
import { prepareTrust, verifySignedList, VmiListError, type PreparedTrust, type TrustMaterial } from '../../src/index.js';
import { caseInput, loadManifest, trustSet } from '../support/vectors.js';

const manifest = await loadManifest();

async function verdict(input: Parameters<typeof verifySignedList>[0], options: Parameters<typeof verifySignedList>[1]): Promise<string> {
  try {
    return `ok ${(await verifySignedList(input, options)).signer.dn}`;
  } catch (e) {
    if (!(e instanceof VmiListError)) throw e;
    return e.code;
  }
}

describe('prepareTrust', () => {
  it('gives every manifest case the same verdict as the raw trust material', async () => {
    const prepared = new Map<string, PreparedTrust>();
    for (const c of manifest.cases) {
      const raw = await trustSet(manifest, c.trust);
      if (!prepared.has(c.trust)) prepared.set(c.trust, prepareTrust(raw));
      const at = c.at ?? manifest.at;
      const input = await caseInput(c);
      const a = await verdict(input, { ...raw, at, ...c.options });
      const b = await verdict(input, { ...(prepared.get(c.trust) as PreparedTrust), at, ...c.options });
      expect(b, c.name).toBe(a);
      expect(a, c.name).toBe(c.expect.ok ? `ok ${c.expect.signer}` : c.expect.code);
    }
  });

  it('trusts the material as prepared: changing the caller’s buffers afterwards has no effect', async () => {
    const raw = await trustSet(manifest, 'main');
    const copies: TrustMaterial = {
      trustAnchors: raw.trustAnchors.map((b) => (typeof b === 'string' ? b : b.slice())),
      intermediates: (raw.intermediates ?? []).map((b) => (typeof b === 'string' ? b : b.slice())),
      crls: (raw.crls ?? []).map((b) => (typeof b === 'string' ? b : b.slice())),
    };
    const prepared = prepareTrust(copies);
    // wreck the caller's buffers and the exposed ones
    for (const b of [...copies.trustAnchors, ...(copies.crls ?? []), ...prepared.trustAnchors, ...prepared.crls]) if (typeof b !== 'string') b.fill(0);
    const c = manifest.cases.find((x) => x.name === 'revoked');
    expect(c).toBeDefined();
    expect(await verdict(await caseInput(c!), { ...prepared, at: manifest.at })).toBe('ERR_CERT_REVOKED');
    expect(Object.isFrozen(prepared) && Object.isFrozen(prepared.trustAnchors)).toBe(true);
  });

  it('material mixed from two preparations is parsed afresh, not taken from either', async () => {
    const main = prepareTrust(await trustSet(manifest, 'main'));
    const nocrl = prepareTrust(await trustSet(manifest, 'main-nocrl'));
    const c = manifest.cases.find((x) => x.name === 'alice-rsa-sha512-detached');
    // anchors of one, CRLs of the other (none): must be CRL_MISSING, as the raw material says
    expect(await verdict(await caseInput(c!), { ...main, crls: nocrl.crls, at: manifest.at })).toBe('ERR_CRL_MISSING');
  });

  it('refuses unparseable material at preparation with ERR_INPUT', () => {
    expect(() => prepareTrust({ trustAnchors: [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])] })).toThrow(VmiListError);
  });
});
