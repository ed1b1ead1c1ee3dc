/**
 * vectors/manifest.json, typed, with the trust material of a case read the
 * way a Node caller reads files (PEM text, namespace files with their names).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VerifyOptions } from '../../src/index.js';

/** Project root and the vectors folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const VECTORS = resolve(ROOT, 'vectors');

// the manifest's types are the ones the isomorphic tests use
import type { Manifest, ManifestCase, ManifestTrustSet } from '../support/vectors.js';
export type { Manifest, ManifestCase } from '../support/vectors.js';

/** Options a case may set (the VerifyOptions names). */
export type CaseOptions = ManifestCase['options'];

/** One trust set of the manifest; paths relative to vectors/. */
export type TrustSet = ManifestTrustSet;

/** Reads vectors/manifest.json. */
export function loadManifest(): Manifest {
  return JSON.parse(readFileSync(resolve(VECTORS, 'manifest.json'), 'utf8')) as Manifest;
}

/** A case by name; throws when the manifest has no such case. */
export function caseNamed(m: Manifest, name: string): ManifestCase {
  const c = m.cases.find((x) => x.name === name);
  if (!c) throw new Error(`vectors/manifest.json has no case ${name}`);
  return c;
}

/** The trust set of a case; throws when missing. */
export function trustOf(m: Manifest, c: ManifestCase): TrustSet {
  const t = m.trustSets[c.trust];
  if (!t) throw new Error(`case ${c.name}: no trust set ${c.trust}`);
  return t;
}

/** The verify options a Node caller builds for a case (files read from disk). */
export async function nodeOptions(m: Manifest, c: ManifestCase): Promise<VerifyOptions> {
  const t = trustOf(m, c);
  const text = (p: string): Promise<string> => readFile(resolve(VECTORS, p), 'utf8');
  return {
    ...c.options,
    trustAnchors: await Promise.all(t.anchors.map(text)),
    intermediates: await Promise.all(t.intermediates.map(text)),
    crls: await Promise.all(t.crls.map(text)),
    namespaces: await Promise.all(t.namespaces.map(async (n) => ({ name: basename(n.file), format: n.format, text: await text(n.file) }))),
    at: c.at ?? m.at,
  };
}
