// Verdicts on input that is not a signature at all (ERR_MIME_MALFORMED: the
// transfer or the file is broken) versus a signature that reads but does not
// verify (ERR_SIGNATURE_INVALID: someone changed the list). The openssl
// cross-check of the same bytes is test/interop/malformed-openssl.node.test.ts.
import { describe, expect, it } from 'vitest';
import { VmiListError, verifySignature, verifySignedList } from '../../src/index.js';
import { malformedCases, unsignedList } from '../support/malformed.js';
import { loadManifest, trustSet } from '../support/vectors.js';

const manifest = await loadManifest();
const options = { ...(await trustSet(manifest, 'main')), at: manifest.at };
const cases = await malformedCases();

async function refusal(run: () => Promise<unknown>): Promise<VmiListError> {
  const e = await run().then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(VmiListError);
  return e as VmiListError;
}

describe('malformed and tampered messages', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    for (const run of [() => verifySignature(c.message), () => verifySignedList(c.message, options)]) {
      const e = await refusal(run);
      expect(e.code, e.message).toBe(c.code);
      expect(e.message).toMatch(c.says);
      // asn1js/pkijs words only inside ours, never as the whole message
      expect(e.message).not.toMatch(/^(Wrong input string|Object's schema|Cannot read)/);
    }
  });

  it('a tampered SHA-1 list reports the tampering even with allowSha1 off, and the policy when untouched', async () => {
    const tampered = cases.find((c) => c.name.startsWith('SHA-1'));
    expect((await refusal(() => verifySignedList(tampered?.message as Uint8Array, { ...options, allowSha1: false }))).code).toBe('ERR_SIGNATURE_INVALID');
    const { readBytes } = await import('../support/files.js');
    const untouched = await readBytes('vectors/signed/alice-sha1.smime');
    expect((await refusal(() => verifySignedList(untouched, options))).code).toBe('ERR_DIGEST_WEAK');
  });

  it('plain unsigned JSON is "not signed", with a pointer to validate', async () => {
    const json = await unsignedList();
    for (const run of [() => verifySignature(json), () => verifySignedList(json, options)]) {
      const e = await refusal(run);
      expect(e.code).toBe('ERR_MIME_MALFORMED');
      expect(e.message).toMatch(/the input is not signed: it is plain JSON.*vmilist validate/);
    }
  });
});
