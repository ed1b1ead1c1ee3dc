/**
 * The image table of a state: `state.images` is a plain JSON array of
 * records, one per UUID, in the order they were first recorded. Every module
 * reads and writes it through these functions.
 *
 * Why an array: a state holds up to 100k records and every reduction builds a
 * new table. A 100k-key object (dictionary mode in V8) costs more than the
 * rest of a reduction and grows faster than linearly; an array is copied with
 * a memcpy and a record keeps its index, so unchanged records and whole
 * copies are cheap. Lookups by UUID go through a `Map<uuid, index>` built
 * once per table (lazily, e.g. after a JSON round trip) and shared by tables
 * with the same layout (same UUID at every index).
 */
import type { ImageRecord, SubscriptionState } from './types.js';

/** An image table: records in a fixed order, unique UUIDs. */
export type ImageTable = readonly ImageRecord[];

interface Index {
  readonly map: Map<string, number>;
  /** Length of the table the map was built for (a table from outside is not frozen). */
  readonly length: number;
}

const INDEX = new WeakMap<ImageTable, Index>();

function build(images: ImageTable): Index {
  const map = new Map<string, number>();
  for (let i = 0; i < images.length; i++) map.set((images[i] as ImageRecord).uuid, i);
  const index = { map, length: images.length };
  INDEX.set(images, index);
  return index;
}

/**
 * UUID → index of a table; built once per table. A table that was not built
 * here (parsed JSON) may be edited in place by a careless caller: the memo is
 * rebuilt when its length changed, and {@link indexOf} checks every hit.
 */
function indexFor(images: ImageTable): Index {
  const index = INDEX.get(images);
  return index && index.length === images.length ? index : build(images);
}

/** Index of the record of `uuid` in `images`, or `undefined`. */
export function indexOf(images: ImageTable, uuid: string): number | undefined {
  let i = indexFor(images).map.get(uuid);
  if (i !== undefined && images[i]?.uuid !== uuid) i = build(images).map.get(uuid);
  return i;
}

/** The record of an image UUID (exact, case-sensitive), if any. */
export function getImage(state: SubscriptionState, uuid: string): ImageRecord | undefined {
  const i = indexOf(state.images, uuid);
  return i === undefined ? undefined : state.images[i];
}

/** Seals a table built by this module: frozen (so its index memo stays true). */
export function sealTable(images: ImageRecord[], layoutOf?: ImageTable): ImageTable {
  Object.freeze(images);
  // same UUID at every index: the index of `layoutOf` serves this table too
  if (layoutOf !== undefined && layoutOf.length === images.length) {
    const index = INDEX.get(layoutOf);
    if (index && index.length === images.length) INDEX.set(images, index);
  }
  return images;
}

/**
 * A copy of a table (a plain, unfrozen array, with room for `extra` records
 * at the end) to change records in place, index for index, before
 * {@link sealTable}. Indexed copy: spreading or
 * slicing a frozen array takes V8's slow path.
 */
export function copyTable(images: ImageTable, extra = 0): ImageRecord[] {
  const out = new Array<ImageRecord>(images.length + extra);
  for (let i = 0; i < images.length; i++) out[i] = images[i] as ImageRecord;
  return out;
}

/**
 * The table with some records replaced: `fn` returns the record itself (no
 * change) or its successor (same UUID). Returns the input table when nothing
 * changed; the index is shared.
 */
export function mapImages(images: ImageTable, fn: (r: ImageRecord) => ImageRecord): ImageTable {
  let out: ImageRecord[] | undefined;
  for (let i = 0; i < images.length; i++) {
    const r = images[i] as ImageRecord;
    const next = fn(r);
    if (next !== r) (out ??= copyTable(images))[i] = next;
  }
  return out ? sealTable(out, images) : images;
}

/** The table with the records of `uuids` replaced (`fn` as for {@link mapImages}); unknown UUIDs are skipped. */
export function updateImages(images: ImageTable, uuids: Iterable<string>, fn: (r: ImageRecord) => ImageRecord): ImageTable {
  let out: ImageRecord[] | undefined;
  for (const uuid of uuids) {
    const i = indexOf(images, uuid);
    if (i === undefined) continue;
    const r = (out ?? images)[i] as ImageRecord;
    const next = fn(r);
    if (next !== r) (out ??= copyTable(images))[i] = next;
  }
  return out ? sealTable(out, images) : images;
}

/** The table without the records `drop` selects (order kept); the input table when none is dropped. */
export function withoutImages(images: ImageTable, drop: (r: ImageRecord) => boolean): ImageTable {
  const kept = images.filter((r) => !drop(r));
  return kept.length === images.length ? images : sealTable(kept);
}
