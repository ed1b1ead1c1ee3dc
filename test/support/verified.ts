// Test builder: verified image lists WITHOUT signing. Uses the internal
// sealVerified() the verifier uses, so the reducer sees a genuine
// VerifiedImageList. Deterministic: UUIDs and checksums derive from labels.
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Image, ImageList, ImageListDocument } from '../../src/model/types.js';
import { sealVerified, type VerifiedImageList } from '../../src/model/verified.js';

/** An endorser identity: certificate subject and issuer (OpenSSL one-line form). */
export interface TestEndorser {
  readonly name: string;
  readonly dn: string;
  readonly ca: string;
}

export const GRIDKA = '/C=DE/O=GermanGrid/CN=GridKa-CA';
export const CERN_CA = '/DC=ch/DC=cern/CN=CERN Grid Certification Authority';

/** A named endorser with a grid-style DN. */
export function endorser(name: string, ca = GRIDKA): TestEndorser {
  return { name, dn: `/C=DE/O=GermanGrid/OU=Test/CN=${name}`, ca };
}

/** A deterministic RFC 4122-shaped UUID for a label. */
export function uuidOf(label: string): string {
  const h = bytesToHex(sha256(utf8ToBytes(`uuid:${label}`)));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A deterministic SHA-512 hex for a label (stands for an image's bytes). */
export function checksumOf(label: string): string {
  return bytesToHex(sha512(utf8ToBytes(`image:${label}`)));
}

/** Image metadata for a label; `extra` overrides or adds fields (e.g. `ad:vo`). */
export function image(label: string, extra: Partial<Image> & Record<string, unknown> = {}): Image {
  return {
    'dc:identifier': uuidOf(label),
    'dc:title': label,
    'hv:uri': `https://images.example.org/${label}.img`,
    'hv:size': 1024 + label.length,
    'hv:version': '1',
    'hv:hypervisor': 'kvm',
    'sl:arch': 'x86_64',
    'sl:os': 'Linux',
    'sl:osversion': 'SL 6',
    'sl:checksum:sha512': checksumOf(label),
    ...extra,
  } as Image;
}

/** What a list is made of. */
export interface ListSpec {
  /** List UUID label or UUID (labels are hashed). */
  readonly list: string;
  readonly version: string;
  readonly created: string;
  readonly expires: string;
  readonly images: readonly Image[];
  /** The endorser named in `hv:endorser` and signing the list. */
  readonly by: TestEndorser;
  /** Sign with this identity instead (binding is the verifier's job; tests use it to forge). */
  readonly signer?: TestEndorser;
  readonly title?: string;
  readonly uri?: string;
  /** Precomputed content digest (benchmarks: skip hashing megabytes). */
  readonly contentSha256?: string;
  /** Serialise the content? Default true; false skips it (benchmarks). */
  readonly withContent?: boolean;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The list body of a spec. */
export function listOf(spec: ListSpec): ImageList {
  return {
    'dc:identifier': UUID_RE.test(spec.list) ? spec.list : uuidOf(spec.list),
    'dc:date:created': spec.created,
    'dc:date:expires': spec.expires,
    'dc:title': spec.title ?? `${spec.list} list`,
    'hv:uri': spec.uri ?? `https://lists.example.org/${spec.list}.list`,
    'hv:version': spec.version,
    'hv:endorser': { 'hv:x509': { 'dc:creator': spec.by.name, 'hv:dn': spec.by.dn, 'hv:ca': spec.by.ca } },
    'hv:images': spec.images.map((i) => ({ 'hv:image': i })),
  };
}

/** A sealed VerifiedImageList for a spec, as if its signature had verified. */
export function verified(spec: ListSpec): VerifiedImageList {
  const list = listOf(spec);
  const document: ImageListDocument = { 'hv:imagelist': list };
  const withContent = spec.withContent ?? true;
  const content = withContent ? utf8ToBytes(JSON.stringify(document, null, 2)) : new Uint8Array(0);
  const signer = spec.signer ?? spec.by;
  return sealVerified({
    list,
    document,
    signer: { dn: signer.dn, issuer: signer.ca, serial: '01', notBefore: '2010-01-01T00:00:00Z', notAfter: '2099-01-01T00:00:00Z' },
    chain: [signer.dn, signer.ca],
    digestAlgorithm: 'sha256',
    content,
    contentSha256: spec.contentSha256 ?? bytesToHex(sha256(content)),
    verifiedAt: spec.created,
    warnings: [],
  });
}

/** Recursively freezes a value (to prove functions do not mutate their input). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}
