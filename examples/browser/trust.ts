/**
 * Turns the files a person picks into trust material. People pick what they
 * have: a CA bundle, single PEM certificates, the files of an IGTF CA
 * directory (`*.0`, `*.r0`, `*.namespaces`, `*.signing_policy`, plus
 * `*.info`/`*.crl_url` that are ignored) or DER files. PEM text is split
 * into blocks, so one bundle holding certificates and CRLs works.
 */
import type { DerOrPem, NamespaceFile } from '../../src/index.js';

/** Trust material gathered from files, with what was left out. */
export interface TrustFiles {
  anchors: DerOrPem[];
  intermediates: DerOrPem[];
  crls: DerOrPem[];
  namespaces: NamespaceFile[];
  /** Names (and block kinds) that were not used, shown to the person. */
  ignored: string[];
}

/** Which picker a file came from: decides what a certificate is for. */
export type TrustRole = 'anchor' | 'intermediate' | 'crl';

/** An empty collection. */
export function emptyTrust(): TrustFiles {
  return { anchors: [], intermediates: [], crls: [], namespaces: [], ignored: [] };
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const CRL_LABELS = new Set(['X509 CRL']);

function asText(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Adds one file to `into`. Certificates go to anchors or intermediates by
 * the picker they came from; CRLs and namespace files are recognised by
 * content or name, whichever picker they came through.
 */
export function addTrustFile(into: TrustFiles, name: string, bytes: Uint8Array, role: TrustRole): void {
  const lower = name.toLowerCase();
  const text = asText(bytes);
  if (lower.endsWith('.namespaces') && text !== null) {
    into.namespaces.push({ name, format: 'eacl', text });
    return;
  }
  if (lower.endsWith('.signing_policy') && text !== null) {
    into.namespaces.push({ name, format: 'signing_policy', text });
    return;
  }
  if (text !== null && text.includes('-----BEGIN ')) {
    let used = 0;
    for (const m of text.matchAll(PEM_BLOCK)) {
      const label = m[1] ?? '';
      if (CERT_LABELS.has(label)) (role === 'intermediate' ? into.intermediates : into.anchors).push(m[0]);
      else if (CRL_LABELS.has(label)) into.crls.push(m[0]);
      else {
        into.ignored.push(`${name} (${label})`);
        continue;
      }
      used++;
    }
    if (used === 0 && !into.ignored.some((i) => i.startsWith(`${name} (`))) into.ignored.push(name);
    return;
  }
  // DER (binary): a DER certificate and a DER CRL both start with SEQUENCE,
  // so the picker and the IGTF name (.r0/.crl) decide.
  if (text === null && bytes[0] === 0x30) {
    if (role === 'crl' || /\.(r\d+|crl|crl\.der)$/.test(lower)) into.crls.push(bytes);
    else (role === 'intermediate' ? into.intermediates : into.anchors).push(bytes);
    return;
  }
  into.ignored.push(name);
}

/** One line about what was loaded, e.g. `2 CA certificates, 1 intermediate, 2 CRLs, 0 namespace files`. */
export function describeTrust(t: TrustFiles): string {
  const n = (count: number, one: string, many: string): string => `${count} ${count === 1 ? one : many}`;
  const parts = [
    n(t.anchors.length, 'CA certificate', 'CA certificates'),
    n(t.intermediates.length, 'intermediate', 'intermediates'),
    n(t.crls.length, 'CRL', 'CRLs'),
    n(t.namespaces.length, 'namespace file', 'namespace files'),
  ];
  return t.ignored.length > 0 ? `${parts.join(', ')}; ignored: ${t.ignored.join(', ')}` : parts.join(', ');
}
