// verifySignedList reads the payload (step 6) while the content is hashed
// for step 2, but a refusal must still name the first step that failed: a
// bad signature, an untrusted or revoked signer all win over a payload that
// is not a list, and a payload error is reported only once steps 1–5 passed.
import { describe, expect, it } from 'vitest';
import { signImageList, verifySignedList, VmiListError } from '../../src/index.js';
import { readBytes, readText } from '../support/files.js';
import { loadManifest, trustSet } from '../support/vectors.js';

const manifest = await loadManifest();
const AT = manifest.at;
const main = await trustSet(manifest, 'main');
const NOT_A_LIST = '{"hv:imagelist": {"dc:identifier": "x", "dc:identifier": "y"';

async function codeOf(message: string | Uint8Array): Promise<string> {
  try {
    await verifySignedList(message, { ...main, at: AT });
    return 'accepted';
  } catch (e) {
    if (!(e instanceof VmiListError)) throw e;
    return e.code;
  }
}

const signedBy = async (who: string, content: string, detached = true): Promise<string> =>
  signImageList(content, { certificate: await readText(`vectors/pki/${who}.pem`), privateKey: await readText(`vectors/pki/${who}.key.pem`), digest: 'sha256', detached, signingTime: new Date(AT) });

describe('the first failed step is the one reported', () => {
  it('a payload that is not a list, signed by a good endorser: the payload error (step 6)', async () => {
    expect(await codeOf(await signedBy('alice', NOT_A_LIST))).toBe('ERR_JSON_MALFORMED');
    expect(await codeOf(await signedBy('alice', NOT_A_LIST, false))).toBe('ERR_JSON_MALFORMED');
  });

  it('the same payload, signed by a revoked certificate: revocation (step 5) wins', async () => {
    expect(await codeOf(await signedBy('revoked', NOT_A_LIST))).toBe('ERR_CERT_REVOKED');
  });

  it('the same payload, signed by an expired certificate: validity (step 4) wins', async () => {
    expect(await codeOf(await signedBy('expired', NOT_A_LIST))).toBe('ERR_CERT_EXPIRED');
  });

  it('the same payload, signed under a CA that is not trusted: the path (step 3) wins', async () => {
    expect(await codeOf(await signedBy('eve', NOT_A_LIST))).toBe('ERR_CERT_UNTRUSTED');
  });

  it('a good list changed after signing into something that is not a list: the signature (step 2) wins', async () => {
    const good = new TextDecoder().decode(await readBytes('vectors/signed/alice-sha512.smime'));
    const changed = good.replace('"hv:imagelist": {', '"hv:imagelist": {{');
    expect(changed).not.toBe(good);
    expect(await codeOf(changed)).toBe('ERR_SIGNATURE_INVALID');
    expect(await codeOf(good)).toBe('accepted');
  });
});
