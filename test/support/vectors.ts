/**
 * The test vectors' manifest (vectors/manifest.json) and its trust sets as
 * `VerifyOptions`, read through test/support/files.ts so they load in Node
 * and Chromium alike.
 */
import type { NamespaceFile, SignedInput, TrustMaterial, VerifyOptions } from '../../src/smime/types.js';
import { readBytes, readText } from './files.js';

/** A trust set of the manifest: file lists relative to vectors/. */
export interface ManifestTrustSet {
  readonly anchors: readonly string[];
  readonly intermediates: readonly string[];
  readonly crls: readonly string[];
  readonly namespaces: readonly { readonly file: string; readonly format: 'eacl' | 'signing_policy' }[];
}

/** The verdict a case expects. */
export type ManifestExpect = { readonly ok: true; readonly signer: string; readonly images: number } | { readonly ok: false; readonly code: string };

/** One case of the manifest. */
export interface ManifestCase {
  readonly name: string;
  readonly file: string;
  readonly content: string | null;
  readonly trust: string;
  readonly at: string | null;
  readonly options: Partial<Pick<VerifyOptions, 'allowSha1' | 'crlPolicy' | 'crlGraceSeconds' | 'certProfile' | 'endorsers' | 'strict'>>;
  readonly expect: ManifestExpect;
  readonly openssl: boolean;
  readonly note: string;
}

/** The manifest. */
export interface Manifest {
  readonly version: number;
  readonly at: string;
  readonly trustSets: Readonly<Record<string, ManifestTrustSet>>;
  readonly cases: readonly ManifestCase[];
}

/** Path of a vectors file relative to the project root. */
export const vec = (p: string): string => `vectors/${p}`;

/** Reads vectors/manifest.json. */
export async function loadManifest(): Promise<Manifest> {
  return JSON.parse(await readText(vec('manifest.json'))) as Manifest;
}

const trustCache = new Map<string, Promise<TrustMaterial>>();

/** The trust material of a named trust set, as bytes (certificates, CRLs) and text (namespaces). */
export function trustSet(manifest: Manifest, name: string): Promise<TrustMaterial> {
  let p = trustCache.get(name);
  if (!p) {
    const t = manifest.trustSets[name];
    if (!t) throw new Error(`manifest has no trust set ${name}`);
    p = (async () => {
      const namespaces: NamespaceFile[] = await Promise.all(
        t.namespaces.map(async (n) => ({ name: n.file.split('/').pop() as string, format: n.format, text: await readText(vec(n.file)) })),
      );
      return {
        trustAnchors: await Promise.all(t.anchors.map((f) => readBytes(vec(f)))),
        intermediates: await Promise.all(t.intermediates.map((f) => readBytes(vec(f)))),
        crls: await Promise.all(t.crls.map((f) => readBytes(vec(f)))),
        namespaces,
      };
    })();
    trustCache.set(name, p);
  }
  return p;
}

/** The input of a case: the message, or raw CMS with its detached content. */
export async function caseInput(c: ManifestCase): Promise<SignedInput> {
  const msg = await readBytes(vec(c.file));
  return c.content ? { cms: msg, content: await readBytes(vec(c.content)) } : msg;
}

/** The complete options of a case. */
export async function caseOptions(manifest: Manifest, c: ManifestCase): Promise<VerifyOptions> {
  return { ...(await trustSet(manifest, c.trust)), at: c.at ?? manifest.at, ...c.options };
}
