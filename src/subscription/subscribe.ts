/**
 * Making, changing and removing subscriptions. A subscription is pinned to
 * its list UUID (given, or taken from the first accepted list) and to the
 * endorser principals allowed to sign it.
 */
import { VmiListError } from '../errors.js';
import { EventSink, type ReduceResult } from './events.js';
import { checkPrincipal } from './principals.js';
import { expireRecord } from './records.js';
import { expireUnendorsed } from './registry.js';
import { checkState } from './state.js';
import type { EndorserPrincipal, NewImagesPolicy, NowOptions, Subscription, SubscriptionState } from './types.js';
import { checkId, instant, own } from './util.js';
import { mapImages } from './image-table.js';

/** Input of {@link subscribe}. */
export interface SubscribeInput {
  /** Subscription id; defaults to `listId`, else to `uri`. */
  readonly id?: string;
  /** Where the list is fetched from. */
  readonly uri: string;
  /** The list UUID, when known; otherwise pinned by the first accepted list. */
  readonly listId?: string;
  /** Principals allowed to sign the list (may be empty when `registry` is given). */
  readonly allowedEndorsers: readonly EndorserPrincipal[];
  /** An endorser registry of the state whose endorsers may sign the list too. */
  readonly registry?: string;
  /** New images: `pending` (default; the site approves), `approve`, or `ignore`. */
  readonly newImages?: NewImagesPolicy;
  /** Report `list.stale` when no newer list was accepted for this long. */
  readonly maxAgeSeconds?: number;
}

const NEW_IMAGES: readonly NewImagesPolicy[] = ['pending', 'approve', 'ignore'];

function checkOptions(input: Partial<SubscribeInput>, registries: SubscriptionState['registries']): Partial<Subscription> {
  const out: { -readonly [K in keyof Subscription]?: Subscription[K] } = {};
  if (input.allowedEndorsers !== undefined) {
    if (!Array.isArray(input.allowedEndorsers)) throw new VmiListError('ERR_INPUT', 'allowedEndorsers must be an array of {dn, ca?}');
    out.allowedEndorsers = input.allowedEndorsers.map((p, i) => checkPrincipal(p, `allowedEndorsers[${i}]`));
  }
  if (input.registry !== undefined) {
    checkId(input.registry, 'registry');
    if (!own(registries, input.registry)) throw new VmiListError('ERR_INPUT', `no endorser registry ${JSON.stringify(input.registry)} in the state; defineRegistry() first`);
    out.registry = input.registry;
  }
  if (input.newImages !== undefined) {
    if (!NEW_IMAGES.includes(input.newImages)) throw new VmiListError('ERR_INPUT', `newImages must be one of ${NEW_IMAGES.join(', ')}, got ${JSON.stringify(input.newImages)}`);
    out.newImages = input.newImages;
  }
  if (input.maxAgeSeconds !== undefined) {
    if (!(typeof input.maxAgeSeconds === 'number' && input.maxAgeSeconds > 0)) throw new VmiListError('ERR_INPUT', 'maxAgeSeconds must be a positive number');
    out.maxAgeSeconds = input.maxAgeSeconds;
  }
  if (input.uri !== undefined) {
    if (typeof input.uri !== 'string' || input.uri === '') throw new VmiListError('ERR_INPUT', 'uri must be a non-empty string');
    out.uri = input.uri;
  }
  return out;
}

/** Adds a subscription. @throws VmiListError `ERR_INPUT` for a duplicate id or list UUID, or malformed input. */
export function subscribe(state: SubscriptionState, input: SubscribeInput, options: NowOptions): ReduceResult {
  checkState(state);
  const { at } = instant(options?.now);
  if (typeof input !== 'object' || input === null) throw new VmiListError('ERR_INPUT', 'subscribe() needs {uri, allowedEndorsers, …}');
  if (input.uri === undefined) throw new VmiListError('ERR_INPUT', 'subscribe() needs the list uri');
  if (input.allowedEndorsers === undefined) throw new VmiListError('ERR_INPUT', 'subscribe() needs allowedEndorsers (may be [] with a registry)');
  const checked = checkOptions(input, state.registries);
  if (input.listId !== undefined) checkId(input.listId, 'listId');
  const id = checkId(input.id ?? input.listId ?? input.uri, 'subscription id');
  if (own(state.subscriptions, id)) throw new VmiListError('ERR_INPUT', `subscription ${JSON.stringify(id)} already exists`);
  const clash = input.listId !== undefined && Object.values(state.subscriptions).find((s) => s.listId === input.listId);
  if (clash) throw new VmiListError('ERR_INPUT', `list ${input.listId} is already subscribed as ${clash.id}`);
  if ((checked.allowedEndorsers ?? []).length === 0 && checked.registry === undefined) {
    throw new VmiListError('ERR_INPUT', 'a subscription needs at least one allowed endorser or a registry: lists are only accepted from named endorsers');
  }
  const sub: Subscription = {
    id,
    uri: checked.uri as string,
    ...(input.listId !== undefined ? { listId: input.listId } : {}),
    allowedEndorsers: checked.allowedEndorsers ?? [],
    ...(checked.registry !== undefined ? { registry: checked.registry } : {}),
    newImages: checked.newImages ?? 'pending',
    ...(checked.maxAgeSeconds !== undefined ? { maxAgeSeconds: checked.maxAgeSeconds } : {}),
    createdAt: at,
  };
  const sink = new EventSink();
  sink.push({ type: 'subscription.added', subscription: id, uri: sub.uri, ...(sub.listId ? { listId: sub.listId } : {}), at });
  return { state: { ...state, subscriptions: { ...state.subscriptions, [id]: sub } }, events: sink.events };
}

function find(state: SubscriptionState, idOrListId: string): Subscription {
  const sub = own(state.subscriptions, idOrListId) ?? Object.values(state.subscriptions).find((s) => s.listId === idOrListId);
  if (!sub) throw new VmiListError('ERR_INPUT', `no subscription with id or list UUID ${JSON.stringify(idOrListId)}`);
  return sub;
}

/** Changes a subscription's endorsers, registry, new-image policy, URI or max age; images whose endorser is no longer allowed expire. */
export function updateSubscription(
  state: SubscriptionState,
  idOrListId: string,
  changes: Partial<Omit<SubscribeInput, 'id' | 'listId'>>,
  options: NowOptions,
): ReduceResult {
  checkState(state);
  const { at } = instant(options?.now);
  const sub = find(state, idOrListId);
  const next: Subscription = { ...sub, ...checkOptions(changes ?? {}, state.registries) };
  if (next.allowedEndorsers.length === 0 && next.registry === undefined) throw new VmiListError('ERR_INPUT', 'a subscription needs at least one allowed endorser or a registry');
  const sink = new EventSink();
  const out = expireUnendorsed({ ...state, subscriptions: { ...state.subscriptions, [sub.id]: next } }, sink, at);
  return { state: out, events: sink.events };
}

/** Removes a subscription; its images expire (`subscription-removed`) and may then be claimed by another list. */
export function unsubscribe(state: SubscriptionState, idOrListId: string, options: NowOptions): ReduceResult {
  checkState(state);
  const { at } = instant(options?.now);
  const sub = find(state, idOrListId);
  const sink = new EventSink();
  const images = mapImages(state.images, (r) => {
    if (r.subscription !== sub.id || r.status === 'expired') return r;
    sink.push({ type: 'image.expired', subscription: sub.id, uuid: r.uuid, image: r.image, reason: 'subscription-removed', at });
    return expireRecord(r, 'subscription-removed', at);
  });
  const { [sub.id]: _gone, ...subscriptions } = state.subscriptions;
  sink.push({ type: 'subscription.removed', subscription: sub.id, at });
  return { state: { ...state, subscriptions, images }, events: sink.events };
}
