/**
 * Endorser-side builders: the `vmilisttool` flow as functions. A template
 * list, image metadata for a file, merging images into a list, and the list
 * of fields still `null`. Defaults come from the original tool's environment
 * variables (`HVMIL_*` list, `HVMILE_*` endorser, `HVMILI_*` image), passed
 * in as a plain map: the core never reads `process.env` itself.
 */
import { VmiListError } from '../errors.js';
import { formatListDate } from './dates.js';
import type { JsonObject, JsonValue } from './json.js';

/** Environment-style defaults, e.g. `process.env`. */
export type EnvDefaults = Readonly<Record<string, string | undefined>>;

/** List-level variables of the original tool, and the field each sets. */
export const LIST_ENV = {
  HVMIL_DC_DATE_CREATED: 'dc:date:created',
  HVMIL_DC_DATE_EXPIRES: 'dc:date:expires',
  HVMIL_DC_DESCRIPTION: 'dc:description',
  HVMIL_DC_IDENTIFIER: 'dc:identifier',
  HVMIL_DC_SOURCE: 'dc:source',
  HVMIL_DC_TITLE: 'dc:title',
  HVMIL_HV_URI: 'hv:uri',
  HVMIL_HV_VERSION: 'hv:version',
} as const;

/** Endorser-level variables and their fields under `hv:endorser/hv:x509`. */
export const ENDORSER_ENV = {
  HVMILE_DC_CREATOR: 'dc:creator',
  HVMILE_HV_CA: 'hv:ca',
  HVMILE_HV_DN: 'hv:dn',
  HVMILE_HV_EMAIL: 'hv:email',
} as const;

/** Image-level variables and their fields under `hv:image`. */
export const IMAGE_ENV = {
  HVMILI_DC_DESCRIPTION: 'dc:description',
  HVMILI_DC_IDENTIFIER: 'dc:identifier',
  HVMILI_DC_TITLE: 'dc:title',
  HVMILI_HV_HYPERVISOR: 'hv:hypervisor',
  HVMILI_HV_SIZE: 'hv:size',
  HVMILI_HV_URI: 'hv:uri',
  HVMILI_HV_VERSION: 'hv:version',
  HVMILI_SL_ARCH: 'sl:arch',
  HVMILI_SL_CHECKSUM_SHA512: 'sl:checksum:sha512',
  HVMILI_SL_COMMENTS: 'sl:comments',
  HVMILI_SL_OS: 'sl:os',
  HVMILI_SL_OSVERSION: 'sl:osversion',
} as const;

/** Options for {@link createListTemplate}. */
export interface ListTemplateOptions {
  /** Environment defaults (`HVMIL_*`, `HVMILE_*`). */
  env?: EnvDefaults;
  /** The creation time; with it, `dc:date:created` and `dc:date:expires` are filled. */
  now?: Date;
  /** Lifetime in days for `dc:date:expires`. Default 28. */
  lifetimeDays?: number;
  /** A fresh UUID for `dc:identifier` (default: `crypto.randomUUID()`). */
  uuid?: string;
}

function newUuid(given?: string): string {
  if (given) return given;
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (!c?.randomUUID) throw new VmiListError('ERR_INPUT', 'no crypto.randomUUID in this runtime; pass a uuid');
  return c.randomUUID();
}

function applyEnv(target: JsonObject, map: Readonly<Record<string, string>>, env: EnvDefaults | undefined): void {
  if (!env) return;
  for (const [name, field] of Object.entries(map)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    target[field] = field === 'hv:size' && /^[0-9]+$/.test(v) ? Number(v) : v;
  }
}

/**
 * An image-list template, as `vmilisttool --json template.json` writes it:
 * every field present, those without a value `null` for the endorser to fill.
 */
export function createListTemplate(options: ListTemplateOptions = {}): JsonObject {
  const lifetime = options.lifetimeDays ?? 28;
  const now = options.now;
  const x509: JsonObject = { 'dc:creator': null, 'hv:ca': null, 'hv:dn': null, 'hv:email': null };
  applyEnv(x509, ENDORSER_ENV, options.env);
  const list: JsonObject = {
    'dc:date:created': now ? formatListDate(now.getTime()) : null,
    'dc:date:expires': now ? formatListDate(now.getTime() + lifetime * 86_400_000) : null,
    'dc:description': null,
    'dc:identifier': newUuid(options.uuid),
    'dc:source': null,
    'dc:title': null,
    'hv:endorser': { 'hv:x509': x509 },
    'hv:images': [],
    'hv:uri': null,
    'hv:version': '1',
  };
  applyEnv(list, LIST_ENV, options.env);
  return { 'hv:imagelist': list };
}

/** Facts about an image file, measured by the caller (see `hashFile` in `vmilist/node`). */
export interface ImageFacts {
  /** Size in bytes. */
  size: number;
  /** SHA-512 hex. */
  sha512: string;
}

/** Options for {@link createImageMetadata}. */
export interface ImageMetadataOptions {
  /** Environment defaults (`HVMILI_*`). Measured size and checksum win over them. */
  env?: EnvDefaults;
  /** A fresh UUID for `dc:identifier` (default: `crypto.randomUUID()`). */
  uuid?: string;
}

/**
 * Image metadata, as `vmilisttool --image FILE --generate meta.json` writes
 * it: measured size and SHA-512, other fields from the environment or `null`.
 */
export function createImageMetadata(facts: ImageFacts, options: ImageMetadataOptions = {}): JsonObject {
  const image: JsonObject = {
    'dc:description': null,
    'dc:identifier': null,
    'dc:title': null,
    'hv:hypervisor': null,
    'hv:size': null,
    'hv:uri': null,
    'hv:version': '1',
    'sl:arch': null,
    'sl:checksum:sha512': null,
    'sl:comments': null,
    'sl:os': null,
    'sl:osversion': null,
  };
  applyEnv(image, IMAGE_ENV, options.env);
  if (image['dc:identifier'] === null) image['dc:identifier'] = newUuid(options.uuid);
  image['hv:size'] = facts.size;
  image['sl:checksum:sha512'] = facts.sha512.toLowerCase();
  return { 'hv:image': image };
}

/** What {@link addImages} did. */
export interface AddImagesResult {
  /** The merged document (a new object; the inputs are not changed). */
  document: JsonObject;
  /** UUIDs of images that were added. */
  added: string[];
  /** UUIDs of images that replaced an entry with the same UUID. */
  replaced: string[];
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Adds image metadata documents (`{"hv:image": …}` or a bare image object) to
 * a list document; an image whose `dc:identifier` is already in the list
 * replaces that entry (a new version of the same image).
 */
export function addImages(listDocument: JsonValue, images: readonly JsonValue[]): AddImagesResult {
  const document = structuredClone(listDocument);
  const list = isObject(document) ? document['hv:imagelist'] : undefined;
  if (!isObject(document) || !isObject(list)) {
    throw new VmiListError('ERR_SCHEMA_INVALID', '/hv:imagelist is required: the first file is not an image list', {
      issues: [{ path: '/hv:imagelist', message: 'is required' }],
    });
  }
  const entries: JsonValue[] = Array.isArray(list['hv:images']) ? list['hv:images'] : [];
  list['hv:images'] = entries;
  const added: string[] = [];
  const replaced: string[] = [];
  images.forEach((meta, n) => {
    const image = isObject(meta) && isObject(meta['hv:image']) ? meta['hv:image'] : meta;
    if (!isObject(image)) {
      throw new VmiListError('ERR_SCHEMA_INVALID', `image ${n + 1}: not an image object`, {
        issues: [{ path: '/hv:image', message: 'must be an object' }],
      });
    }
    const id = image['dc:identifier'];
    const at = entries.findIndex((e) => isObject(e) && isObject(e['hv:image']) && e['hv:image']['dc:identifier'] === id && id != null);
    const entry: JsonObject = { 'hv:image': structuredClone(image) };
    if (at >= 0) {
      entries[at] = entry;
      replaced.push(String(id));
    } else {
      entries.push(entry);
      added.push(String(id));
    }
  });
  return { document, added, replaced };
}

/** Paths of every field whose value is `null` (fields the endorser still has to fill). */
export function nullFields(value: JsonValue, path = ''): string[] {
  if (value === null) return [path || '/'];
  if (Array.isArray(value)) return value.flatMap((v, i) => nullFields(v, `${path}/${i}`));
  if (typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => nullFields(v, `${path}/${k}`));
  return [];
}
