/**
 * The reducer: old state + a verified list → new state + events. Pure and
 * deterministic; calling it without saving the result is the dry run. A list
 * that breaks a rule leaves the state as it was and yields `list.rejected`.
 */
import { DEFAULTS } from '../defaults.js';
import { VmiListError, type ErrorCode } from '../errors.js';
import type { Image, ImageList } from '../model/types.js';
import { assertVerified, type VerifiedImageList } from '../model/verified.js';
import { EventSink, type EventDraft, type ReduceResult } from './events.js';
import { compilePolicy, evaluate, withStatus } from './policy.js';
import { anyPrincipalMatches, type Signer } from './principals.js';
import { changesContent, expireRecord, imageChanges } from './records.js';
import { allowedEndorsers, signerRetired } from './registry.js';
import { checkListOrder } from './rules.js';
import { setPolicy } from './site-policy.js';
import { copyTable, indexOf, sealTable, type ImageTable } from './image-table.js';
import { checkState } from './state.js';
import type { AcceptedList, ImageRecord, Instant, SitePolicy, Subscription, SubscriptionState } from './types.js';
import { dateMs, instant, own, sameJson } from './util.js';

/** Options of {@link reduce}. */
export interface ReduceOptions {
  /** The time of the update (lists and images expire relative to it). */
  readonly now: Instant;
  /** Site policy to apply; when it differs from the state's it is stored first (as {@link setPolicy}). */
  readonly policy?: SitePolicy;
  /** The subscription to apply the list to; needed only while no subscription is pinned to the list's UUID. */
  readonly subscription?: string;
  /** Tolerated clock skew for `dc:date:created` in the future. Default 300 s. */
  readonly skewSeconds?: number;
}

function pickSubscription(state: SubscriptionState, list: ImageList, wanted: string | undefined): Subscription {
  if (wanted !== undefined) {
    const sub = own(state.subscriptions, wanted);
    if (!sub) throw new VmiListError('ERR_INPUT', `no subscription ${JSON.stringify(wanted)} in the state; subscribe() first`);
    return sub;
  }
  const listId = list['dc:identifier'];
  const subs = Object.values(state.subscriptions);
  const pinned = subs.find((s) => s.listId === listId);
  if (pinned) return pinned;
  const byUri = subs.filter((s) => s.listId === undefined && list['hv:uri'] !== undefined && s.uri === list['hv:uri']);
  if (byUri.length === 1 && byUri[0]) return byUri[0];
  throw new VmiListError('ERR_INPUT', `no subscription is pinned to list ${listId}${list['hv:uri'] ? ` or waits for ${list['hv:uri']}` : ''}; pass {subscription} for a first list`);
}

/** Why the list may not be applied to `sub`, or `undefined`. */
function listRuleViolation(state: SubscriptionState, sub: Subscription, v: VerifiedImageList, signer: Signer, ms: number, skew: number): [ErrorCode, string] | undefined {
  const list = v.list;
  const listId = list['dc:identifier'];
  if (sub.listId !== undefined && sub.listId !== listId) {
    return ['ERR_LIST_ID_MISMATCH', `subscription ${sub.id} is pinned to list ${sub.listId}, but this list is ${listId}`];
  }
  const other = Object.values(state.subscriptions).find((s) => s.id !== sub.id && s.listId === listId);
  if (other) return ['ERR_LIST_ID_MISMATCH', `list ${listId} is already subscribed as ${other.id}; one list, one subscription`];
  const revoked = state.revokedEndorsers.find((r) => anyPrincipalMatches([r], signer));
  if (revoked) return ['ERR_ENDORSER_NOT_TRUSTED', `signer ${signer.dn} (issued by ${signer.ca}) was revoked by the site at ${revoked.at}`];
  if (!anyPrincipalMatches(allowedEndorsers(state, sub, ms), signer)) {
    const stale = anyPrincipalMatches(allowedEndorsers(state, sub), signer);
    return [
      'ERR_ENDORSER_NOT_TRUSTED',
      stale
        ? `signer ${signer.dn} is vouched for only by the upstream copy of registry ${sub.registry ?? ''}, which has not been synchronised within its mandatory interval`
        : `signer ${signer.dn} (issued by ${signer.ca}) is not an allowed endorser of subscription ${sub.id}`,
    ];
  }
  const expires = dateMs(list['dc:date:expires']);
  if (!(expires > ms)) return ['ERR_LIST_EXPIRED', `list ${listId} version ${list['hv:version']} expired at ${list['dc:date:expires']}`];
  const created = dateMs(list['dc:date:created']);
  if (!(created <= ms + skew * 1000)) return ['ERR_LIST_NOT_YET_VALID', `list ${listId} claims to be created at ${list['dc:date:created']}, in the future`];
  if (sub.last && sub.last.contentSha256 !== v.contentSha256) return checkListOrder(sub.last, list);
  return undefined;
}

/**
 * Applies a verified list to its subscription.
 *
 * @returns the new state and the events; for a refused list the input state
 *   and a single `list.rejected` event (code and message as a {@link VmiListError}).
 * @throws VmiListError `ERR_INPUT` when `verified` did not come from the
 *   verifier, the state is malformed, `now` is missing, or no subscription fits.
 */
export function reduce(state: SubscriptionState, verified: VerifiedImageList, options: ReduceOptions): ReduceResult {
  assertVerified(verified);
  checkState(state);
  const { ms, at } = instant(options?.now);
  const skew = options.skewSeconds ?? DEFAULTS.skewSeconds;
  let base = state;
  let pre: ReduceResult['events'] = [];
  if (options.policy !== undefined && !sameJson(options.policy, state.policy)) {
    ({ state: base, events: pre } = setPolicy(state, options.policy, { now: options.now }));
  }
  const list = verified.list;
  const listId = list['dc:identifier'];
  const sub = pickSubscription(base, list, options.subscription);
  // shared by the records, `last` and the events: frozen so no consumer can change the state through an event
  const signer: Signer = Object.freeze({ dn: verified.signer.dn, ca: verified.signer.issuer });
  const sink = new EventSink(verified.contentSha256);

  const violation = listRuleViolation(base, sub, verified, signer, ms, skew);
  if (violation) {
    const [code, message] = violation;
    sink.push({ type: 'list.rejected', subscription: sub.id, code, message, listId, version: list['hv:version'], contentSha256: verified.contentSha256, at });
    return { state: base, events: [...pre, ...sink.events] };
  }
  if (sub.last?.contentSha256 === verified.contentSha256) return { state: base, events: pre };

  const retired = signerRetired(allowedEndorsers(base, sub, ms), signer);
  const applied = applyImages(base, sub, list, signer, ms, at, retired);
  const last: AcceptedList = {
    version: list['hv:version'],
    created: list['dc:date:created'],
    expires: list['dc:date:expires'],
    contentSha256: verified.contentSha256,
    acceptedAt: at,
    signer,
    ...(typeof list['dc:title'] === 'string' ? { title: list['dc:title'] } : {}),
    imageCount: list['hv:images'].length,
  };
  const { listExpiredAt: _e, staleSince: _s, ...rest } = sub;
  const nextSub: Subscription = { ...rest, listId, last };
  sink.push({
    type: 'list.accepted',
    subscription: sub.id,
    listId,
    version: last.version,
    ...(sub.last ? { previousVersion: sub.last.version } : {}),
    created: last.created,
    contentSha256: last.contentSha256,
    signer,
    counts: applied.counts,
    at,
  });
  for (const d of applied.drafts) sink.push(d);
  return {
    state: { ...base, subscriptions: { ...base.subscriptions, [sub.id]: nextSub }, images: applied.images },
    events: [...pre, ...sink.events],
  };
}

/** Like {@link reduce}, but a refused list throws its {@link VmiListError} instead of returning `list.rejected`. */
export function reduceOrThrow(state: SubscriptionState, verified: VerifiedImageList, options: ReduceOptions): ReduceResult {
  const result = reduce(state, verified, options);
  for (const e of result.events) if (e.type === 'list.rejected') throw new VmiListError(e.code, e.message);
  return result;
}

interface Applied {
  images: ImageTable;
  drafts: EventDraft[];
  counts: { added: number; updated: number; expired: number; conflicts: number; ignored: number };
}

function applyImages(state: SubscriptionState, sub: Subscription, list: ImageList, signer: Signer, ms: number, at: string, retired: boolean): Applied {
  const p = compilePolicy(state.policy);
  const drafts: EventDraft[] = [];
  const counts = { added: 0, updated: 0, expired: 0, conflicts: 0, ignored: 0 };
  // Records keep their index: the new table is the old one with changed
  // records written over their predecessors and new ones appended. It is
  // built at the end, in one allocation of the right size (a 100k table is
  // a large object; growing it by push would copy it).
  const old = state.images;
  const replacedAt: number[] = [];
  const replaced: ImageRecord[] = [];
  const appended: ImageRecord[] = [];
  // UUIDs of the list that keep or got a record: old ones by index, new ones by UUID
  const named = new Uint8Array(old.length);
  const fresh = new Set<string>();
  const mark = (i: number | undefined, uuid: string) => {
    if (i === undefined) fresh.add(uuid);
    else named[i] = 1;
  };
  const listId = list['dc:identifier'];
  const version = list['hv:version'];
  const base = (uuid: string, image: Image) => ({ subscription: sub.id, uuid, image, at });
  const put = (i: number | undefined, r: ImageRecord) => {
    mark(i, r.uuid);
    if (i === undefined) appended.push(r);
    else {
      replacedAt.push(i);
      replaced.push(r);
    }
  };
  // A list keeps its order from version to version: the record after the
  // last one found is tried before the UUID index (sequential memory access).
  let next = 0;
  // indexed loops: iterating a frozen array with for-of allocates per element
  const entries = list['hv:images'];
  for (let n = 0; n < entries.length; n++) {
    const img = (entries[n] as ImageList['hv:images'][number])['hv:image'];
    const uuid = img['dc:identifier'];
    const guess = old[next];
    const i = guess !== undefined && guess.uuid === uuid ? next : indexOf(old, uuid);
    if (i !== undefined) next = i + 1;
    if (i === undefined ? fresh.has(uuid) : named[i] === 1) {
      counts.conflicts++;
      drafts.push({ type: 'image.conflict', subscription: sub.id, uuid, code: 'ERR_UUID_CONFLICT', message: `image ${uuid} appears more than once in list ${listId}; the first entry is used`, owner: '', listId, at });
      continue;
    }
    const prev = i === undefined ? undefined : old[i];
    if (prev && prev.subscription !== sub.id && own(state.subscriptions, prev.subscription)) {
      counts.conflicts++;
      mark(i, uuid);
      drafts.push({ type: 'image.conflict', subscription: sub.id, uuid, code: 'ERR_UUID_CONFLICT', message: `image ${uuid} of list ${listId} is owned by subscription ${prev.subscription}; it was not changed`, owner: prev.subscription, listId, at });
      continue;
    }
    const imageExpired = img['dc:date:expires'] !== undefined && !(dateMs(img['dc:date:expires']) > ms);
    if (!prev || prev.subscription !== sub.id) {
      // a retired endorser's lists keep its images up to date but bring no new ones
      if (imageExpired || retired || (sub.newImages === 'ignore' && !p.approved.has(uuid))) {
        counts.ignored++;
        continue;
      }
      const created: ImageRecord = { uuid, subscription: sub.id, listId, status: 'pending', approved: sub.newImages === 'approve', image: img, endorser: signer, listVersion: version, addedAt: at, updatedAt: at };
      const rec = withStatus(created, evaluate(p, created), at);
      put(i, rec);
      counts.added++;
      // a VO the site does not support must not bother the site
      if (rec.deniedReason !== 'vo-unsupported') drafts.push({ type: 'image.added', ...base(uuid, img), status: rec.status, ...(rec.deniedReason ? { deniedReason: rec.deniedReason } : {}) });
      continue;
    }
    const changes = imageChanges(prev.image, img);
    const endorserChanged = prev.endorser.dn !== signer.dn || prev.endorser.ca !== signer.ca;
    if (prev.status === 'expired') {
      if (imageExpired) continue;
      const { expiredAt: _a, expiryReason: _r, ...rest } = prev;
      const approved = prev.approved && !(p.policy.reapproveOnChange && changesContent(changes));
      const back: ImageRecord = { ...rest, status: 'pending', approved, image: img, endorser: signer, listId, listVersion: version, updatedAt: at };
      const rec = withStatus(back, evaluate(p, back), at);
      put(i, rec);
      counts.added++;
      drafts.push({ type: 'image.added', ...base(uuid, img), status: rec.status, ...(rec.deniedReason ? { deniedReason: rec.deniedReason } : {}), returned: true });
      continue;
    }
    if (imageExpired) {
      put(i, expireRecord({ ...prev, image: img }, 'image-expired', at));
      counts.expired++;
      drafts.push({ type: 'image.expired', ...base(uuid, img), reason: 'image-expired' });
      continue;
    }
    if (changes.length === 0 && !endorserChanged) {
      mark(i, uuid); // same image, same policy: same record
      continue;
    }
    const approved = prev.approved && !(p.policy.reapproveOnChange && changesContent(changes));
    const changed: ImageRecord = { ...prev, approved, image: img, endorser: signer, listVersion: changes.length ? version : prev.listVersion, updatedAt: at };
    const rec = withStatus(changed, evaluate(p, changed), at);
    put(i, rec);
    counts.updated++;
    const all = [...changes, ...(endorserChanged ? (['endorser'] as const) : []), ...(rec.status !== prev.status || rec.deniedReason !== prev.deniedReason ? (['status'] as const) : [])];
    drafts.push({ type: 'image.updated', ...base(uuid, img), changes: all, previous: prev.image, status: rec.status, previousStatus: prev.status });
  }

  // This subscription's live records the list did not name are no longer endorsed: they expire.
  const gone: number[] = [];
  for (let i = 0; i < old.length; i++) {
    if (named[i] === 1) continue;
    const r = old[i] as ImageRecord;
    if (r.subscription === sub.id && r.status !== 'expired') gone.push(i);
  }
  const uuidAt = (i: number) => (old[i] as ImageRecord).uuid;
  gone.sort((a, b) => (uuidAt(a) < uuidAt(b) ? -1 : uuidAt(a) > uuidAt(b) ? 1 : 0));
  for (const i of gone) {
    const r = old[i] as ImageRecord;
    put(i, expireRecord(r, 'left-list', at));
    counts.expired++;
    drafts.push({ type: 'image.expired', ...base(r.uuid, r.image), reason: 'left-list' });
  }
  if (replaced.length === 0 && appended.length === 0) return { images: old, drafts, counts };
  // sealed (frozen): the index memo stays true, and a caller that edits the
  // table in place gets an error instead of corrupting the next reduction
  const images = copyTable(old, appended.length);
  for (let k = 0; k < replaced.length; k++) images[replacedAt[k] as number] = replaced[k] as ImageRecord;
  for (let k = 0; k < appended.length; k++) images[old.length + k] = appended[k] as ImageRecord;
  return { images: sealTable(images, old), drafts, counts };
}
