/**
 * The library's main path in a few lines: an endorser signs a list, a site
 * verifies it against its CAs and CRLs. Uses the test PKI in vectors/ (never
 * a real key). Run: npx tsx examples/sign-and-verify.ts
 */
import { readFile } from 'node:fs/promises';
import { signImageList, verifySignedList, VmiListError } from 'vmilist';

const pki = new URL('../vectors/pki/', import.meta.url);
const read = (name: string): Promise<string> => readFile(new URL(name, pki), 'utf8');

// endorser side: the list already names Alice as its endorser
const list = await readFile(new URL('../vectors/lists/alice.json', import.meta.url), 'utf8');
const signed = await signImageList(list, {
  certificate: await read('alice.pem'),
  privateKey: await read('alice.key.pem'),
  digest: 'sha512',
  signingTime: new Date('2026-06-01T00:00:00Z'),
});

// site side: trust material is an argument, and so is the instant
const trust = {
  trustAnchors: [await read('root.pem')],
  intermediates: [await read('intermediate.pem')],
  crls: [await read('root.crl.pem'), await read('intermediate.crl.pem')],
};
const verified = await verifySignedList(signed, { ...trust, at: '2026-06-01T00:00:00Z' });
console.log(`verified: ${verified.signer.dn} signed list ${verified.list['dc:identifier']} v${verified.list['hv:version']}`);

// one changed byte and the same call refuses it, with a code
try {
  await verifySignedList(signed.replace('"hv:version"', '"hv:version" '), { ...trust, at: '2026-06-01T00:00:00Z' });
  throw new Error('a tampered list was accepted');
} catch (e) {
  if (!(e instanceof VmiListError) || e.code !== 'ERR_SIGNATURE_INVALID') throw e;
  console.log(`tampered copy refused: ${e.code}`);
}
