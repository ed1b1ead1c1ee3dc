/**
 * Trust material parsed once. Parsing a certificate or CRL costs about a
 * millisecond, and an IGTF CA directory holds a hundred CAs and their CRLs;
 * a site that verifies many lists against the same directory should not pay
 * that per list. {@link prepareTrust} copies and parses the material once
 * and returns it as frozen arrays; passing those same arrays to
 * `verifySignedList` (e.g. `{ ...prepared, at }`) reuses the parse. What is
 * trusted is exactly the material as prepared: later changes to the
 * caller's buffers cannot reach it, and nothing outlives the object the
 * caller holds (no global cache; freshness of CRLs stays the caller's choice).
 */
import { parseCertificates, type Cert } from './certs.js';
import { parseCrls, type Crl } from './crl.js';
import { parseNamespaceFiles, type NamespaceRules } from './namespaces.js';
import type { DerOrPem, NamespaceFile, TrustMaterial } from './types.js';

/** Parsed trust material. */
export interface ParsedTrust {
  readonly anchors: readonly Cert[];
  readonly intermediates: readonly Cert[];
  readonly crls: readonly Crl[];
  readonly namespaces: readonly NamespaceRules[];
}

/** Trust material whose parse is kept with it (see {@link prepareTrust}). */
export interface PreparedTrust extends TrustMaterial {
  readonly trustAnchors: readonly Uint8Array[];
  readonly intermediates: readonly Uint8Array[];
  readonly crls: readonly Uint8Array[];
  readonly namespaces: readonly NamespaceFile[];
}

// keyed by the frozen trustAnchors array of a preparation
const PREPARED = new WeakMap<object, { readonly material: PreparedTrust; readonly parsed: ParsedTrust }>();

function toDer(items: readonly DerOrPem[] | undefined): Uint8Array[] {
  // PEM text stays as bytes of the text (parsing accepts both); bytes are copied
  return (items ?? []).map((x) => (typeof x === 'string' ? new TextEncoder().encode(x) : x.slice()));
}

/**
 * Parses trust material once for many verifications.
 *
 * @throws VmiListError `ERR_INPUT` for a certificate, CRL or namespace file that cannot be parsed.
 */
export function prepareTrust(material: TrustMaterial): PreparedTrust {
  // private copies are parsed; the arrays handed back are copies again, so
  // neither the caller's buffers nor the exposed ones can change what is trusted
  const anchors = toDer(material.trustAnchors);
  const intermediates = toDer(material.intermediates);
  const crls = toDer(material.crls);
  return preparedFromParsed(
    { trustAnchors: anchors, intermediates, crls, namespaces: material.namespaces ?? [] },
    { anchors: parseCertificates(anchors, 'trustAnchors'), intermediates: parseCertificates(intermediates, 'intermediates'), crls: parseCrls(crls) },
  );
}

/**
 * Internal (for loaders that parse each file anyway, to report it): trust
 * material with its certificates and CRLs already parsed from buffers the
 * caller keeps to itself. The arrays exposed are frozen copies.
 */
export function preparedFromParsed(material: PreparedTrust, parsed: Omit<ParsedTrust, 'namespaces'>): PreparedTrust {
  const copies = (items: readonly Uint8Array[]): readonly Uint8Array[] => Object.freeze(items.map((b) => b.slice()));
  const namespaces = Object.freeze(material.namespaces.map((n) => Object.freeze({ ...n })));
  const prepared: PreparedTrust = Object.freeze({
    trustAnchors: copies(material.trustAnchors),
    intermediates: copies(material.intermediates),
    crls: copies(material.crls),
    namespaces,
  });
  PREPARED.set(prepared.trustAnchors, { material: prepared, parsed: { ...parsed, namespaces: parseNamespaceFiles(namespaces) } });
  return prepared;
}

/** The parse of `material` when it is (spread from) one preparation, else `undefined`. */
export function preparedParse(material: TrustMaterial): ParsedTrust | undefined {
  const entry = PREPARED.get(material.trustAnchors);
  if (!entry) return undefined;
  const m = entry.material;
  const same = material.intermediates === m.intermediates && material.crls === m.crls && material.namespaces === m.namespaces;
  return same ? entry.parsed : undefined;
}
