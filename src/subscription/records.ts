/**
 * Record-level transitions shared by the reducer's operations: expiring a
 * record, the event for a status change, the diff of two image metadata.
 */
import type { Image } from '../model/types.js';
import type { EventDraft, ImageChange } from './events.js';
import { sameJson } from './util.js';
import type { ExpiryReason, ImageRecord } from './types.js';

/** The record expired for `reason` at `at`. */
export function expireRecord(r: ImageRecord, reason: ExpiryReason, at: string): ImageRecord {
  const { deniedReason: _d, ...rest } = r;
  return { ...rest, status: 'expired', expiredAt: at, expiryReason: reason, updatedAt: at };
}

const FIELD_CHANGES: ReadonlyArray<readonly [string, ImageChange]> = [
  ['sl:checksum:sha512', 'checksum'],
  ['hv:size', 'size'],
  ['hv:uri', 'uri'],
  ['hv:version', 'version'],
  ['dc:date:expires', 'expires'],
];
const KNOWN = new Set(FIELD_CHANGES.map(([f]) => f));

const NONE: readonly ImageChange[] = Object.freeze([]);

/** What differs between two versions of an image's metadata (empty: identical). */
export function imageChanges(before: Image, after: Image): readonly ImageChange[] {
  if (before === after) return NONE;
  // fast path, taken by most images of a new list: every field equal, same field count
  let nb = 0;
  let differs = false;
  for (const k in before) {
    nb++;
    const x = before[k];
    const y = after[k];
    if (x !== y && !sameJson(x, y)) {
      differs = true;
      break;
    }
  }
  if (!differs) {
    let na = 0;
    for (const _k in after) na++;
    if (na === nb) return NONE;
  }
  const out: ImageChange[] = [];
  for (const [field, change] of FIELD_CHANGES) if (!sameJson(before[field], after[field])) out.push(change);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const k of keys) {
    if (!KNOWN.has(k) && !sameJson(before[k], after[k])) {
      out.push('metadata');
      break;
    }
  }
  return out;
}

/** True when a change means different bytes (re-approval may be required). */
export function changesContent(changes: readonly ImageChange[]): boolean {
  return changes.includes('checksum') || changes.includes('size') || changes.includes('uri');
}

/** The event for a status change of a live (not expired) record, if any. */
export function statusEvent(before: ImageRecord, after: ImageRecord, at: string): EventDraft | undefined {
  if (before.status === after.status && before.deniedReason === after.deniedReason) return undefined;
  const base = { subscription: after.subscription, uuid: after.uuid, image: after.image, at };
  if (after.status === 'current') return { type: 'image.approved', ...base };
  if (after.status === 'denied' && after.deniedReason) return { type: 'image.denied', ...base, reason: after.deniedReason };
  return { type: 'image.updated', ...base, changes: ['status'], previous: before.image, status: after.status, previousStatus: before.status };
}
