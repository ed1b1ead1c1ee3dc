/**
 * Changing site policy and site decisions on single images. Each re-evaluates
 * the records concerned and reports status changes (`image.approved`,
 * `image.denied`, or `image.updated` with `status`).
 */
import { VmiListError } from '../errors.js';
import { EventSink, type ReduceResult } from './events.js';
import { compilePolicy, evaluate, withStatus } from './policy.js';
import { statusEvent } from './records.js';
import { checkPolicy } from './state.js';
import type { ImageRecord, Instant, NowOptions, SitePolicy, SubscriptionState } from './types.js';
import { instant, sameJson } from './util.js';
import { getImage, mapImages, updateImages } from './image-table.js';

// Without `now` the events are dated with the latest time the state records,
// which keeps the call pure and deterministic.
function whenOf(state: SubscriptionState, now: Instant | undefined): string {
  if (now !== undefined) return instant(now).at;
  let latest = '';
  for (const r of state.images) if (r.updatedAt > latest) latest = r.updatedAt;
  for (const s of Object.values(state.subscriptions)) {
    if (s.createdAt > latest) latest = s.createdAt;
    if (s.last && s.last.acceptedAt > latest) latest = s.last.acceptedAt;
  }
  return latest || '1970-01-01T00:00:00Z';
}

function reevaluate(state: SubscriptionState, policy: SitePolicy, at: string, only?: ReadonlySet<string>, patch?: (r: ImageRecord) => ImageRecord): ReduceResult {
  const p = compilePolicy(policy);
  const sink = new EventSink();
  const step = (old: ImageRecord): ImageRecord => {
    const patched = patch ? patch(old) : old;
    const next = withStatus(patched, evaluate(p, patched), at);
    if (next === old) return old;
    if (old.status !== 'expired') {
      // approve → deny → approve within one second: the state left behind tells the events apart
      const e = statusEvent(old, next, at);
      if (e) sink.push(e, `${old.status}/${old.deniedReason ?? ''}`);
    }
    return next === patched && patched !== old ? { ...patched, updatedAt: at } : next;
  };
  const images = only ? updateImages(state.images, only, step) : mapImages(state.images, step);
  const next: SubscriptionState = { ...state, policy, ...(images !== state.images ? { images } : {}) };
  return { state: next, events: sink.events };
}

/**
 * Replaces the site policy; every image is re-evaluated and status changes
 * are reported. Give `now` to date the events (without it they carry the
 * latest time recorded in the state).
 */
export function setPolicy(state: SubscriptionState, policy: SitePolicy, options?: { readonly now?: Instant }): ReduceResult {
  const checked = checkPolicy(policy);
  if (sameJson(checked, state.policy)) return { state, events: [] };
  return reevaluate(state, checked, whenOf(state, options?.now));
}

const add = (xs: readonly string[] | undefined, x: string) => (xs?.includes(x) ? xs : [...(xs ?? []), x]);
const remove = (xs: readonly string[] | undefined, x: string) => (xs ?? []).filter((y) => y !== x);

function withList(policy: SitePolicy, key: 'approvedImages' | 'deniedImages', values: readonly string[]): SitePolicy {
  const { [key]: _drop, ...rest } = policy;
  return values.length ? { ...rest, [key]: values } : rest;
}

function checkUuid(uuid: unknown): string {
  if (typeof uuid !== 'string' || uuid === '') throw new VmiListError('ERR_INPUT', `image uuid must be a non-empty string, got ${JSON.stringify(uuid)}`);
  return uuid;
}

/**
 * The site approves an image: it becomes `current` unless policy denies it
 * otherwise. An image not yet known is pre-approved (policy `approvedImages`).
 */
export function approveImage(state: SubscriptionState, uuid: string, options: NowOptions): ReduceResult {
  checkUuid(uuid);
  const { at } = instant(options?.now);
  let policy = withList(state.policy, 'deniedImages', remove(state.policy.deniedImages, uuid));
  if (!getImage(state, uuid)) policy = withList(policy, 'approvedImages', add(policy.approvedImages, uuid));
  return reevaluate(state, policy, at, new Set([uuid]), (r) => (r.approved ? r : { ...r, approved: true }));
}

/** The site refuses an image (policy `deniedImages`); it is no longer runnable. */
export function denyImage(state: SubscriptionState, uuid: string, options: NowOptions): ReduceResult {
  checkUuid(uuid);
  const { at } = instant(options?.now);
  let policy = withList(state.policy, 'approvedImages', remove(state.policy.approvedImages, uuid));
  policy = withList(policy, 'deniedImages', add(policy.deniedImages, uuid));
  return reevaluate(state, policy, at, new Set([uuid]), (r) => (r.approved ? { ...r, approved: false } : r));
}
