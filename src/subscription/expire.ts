/**
 * The time-driven sweep, run whenever the caller likes (e.g. from cron):
 * lists and images past their `dc:date:expires` expire, subscriptions not
 * refreshed within their max age are reported stale (the defence against a
 * frozen mirror that keeps serving an old list), and registry copies not
 * synchronised in time are reported.
 */
import { EventSink, type ReduceResult } from './events.js';
import { expireRecord } from './records.js';
import { checkRegistries } from './registry.js';
import { checkState } from './state.js';
import type { Instant, NowOptions, Subscription, SubscriptionState } from './types.js';
import { dateMs, instant } from './util.js';
import { mapImages } from './image-table.js';

/** Options of {@link expireByTime} and {@link staleSubscriptions}. */
export interface StaleOptions {
  /** Max age for subscriptions without their own `maxAgeSeconds` (default: the policy's `staleAfterSeconds`). */
  readonly staleAfterSeconds?: number;
}

/** A subscription not refreshed in time. */
export interface StaleSubscription {
  readonly subscription: string;
  /** When a list was last accepted (absent: never). */
  readonly lastAcceptedAt?: string;
  /** Seconds since then (or since subscribing). */
  readonly ageSeconds: number;
  readonly maxAgeSeconds: number;
}

function staleness(state: SubscriptionState, sub: Subscription, ms: number, options?: StaleOptions): StaleSubscription | undefined {
  const maxAge = sub.maxAgeSeconds ?? options?.staleAfterSeconds ?? state.policy.staleAfterSeconds;
  if (maxAge === undefined) return undefined;
  const since = dateMs(sub.last?.acceptedAt ?? sub.createdAt);
  const ageSeconds = Math.floor((ms - since) / 1000);
  if (!(ageSeconds >= maxAge)) return undefined;
  return { subscription: sub.id, ...(sub.last ? { lastAcceptedAt: sub.last.acceptedAt } : {}), ageSeconds, maxAgeSeconds: maxAge };
}

/** Subscriptions whose last accepted list is older than their max age (identical re-fetches do not count as refreshes). */
export function staleSubscriptions(state: SubscriptionState, now: Instant, options?: StaleOptions): StaleSubscription[] {
  checkState(state);
  const { ms } = instant(now);
  return Object.values(state.subscriptions)
    .map((s) => staleness(state, s, ms, options))
    .filter((x): x is StaleSubscription => x !== undefined);
}

/**
 * Expires what time has expired and reports stale subscriptions and
 * registries. Each lapse is reported once.
 */
export function expireByTime(state: SubscriptionState, now: Instant | (NowOptions & StaleOptions), options?: StaleOptions): ReduceResult {
  checkState(state);
  // `expireByTime(state, now)` and `expireByTime(state, { now, … })` both work
  if (typeof now === 'object' && !(now instanceof Date)) {
    options = { ...now, ...options };
    now = now.now;
  }
  const { ms, at } = instant(now);
  const sink = new EventSink();
  let subscriptions: Record<string, Subscription> | undefined;
  const listExpired = new Set<string>();
  for (const sub of Object.values(state.subscriptions)) {
    let next = sub;
    if (sub.last && sub.listExpiredAt === undefined && !(dateMs(sub.last.expires) > ms)) {
      next = { ...next, listExpiredAt: at };
      listExpired.add(sub.id);
      sink.push({ type: 'list.expired', subscription: sub.id, listId: sub.listId ?? '', version: sub.last.version, expires: sub.last.expires, at });
    }
    const stale = sub.staleSince === undefined ? staleness(state, sub, ms, options) : undefined;
    if (stale) {
      next = { ...next, staleSince: at };
      sink.push({ type: 'list.stale', subscription: sub.id, ...(stale.lastAcceptedAt ? { lastAcceptedAt: stale.lastAcceptedAt } : {}), maxAgeSeconds: stale.maxAgeSeconds, at });
    }
    if (next !== sub) (subscriptions ??= { ...state.subscriptions })[sub.id] = next;
  }
  const images = mapImages(state.images, (r) => {
    if (r.status === 'expired') return r;
    const own = r.image['dc:date:expires'];
    const reason = listExpired.has(r.subscription) ? 'list-expired' : own !== undefined && !(dateMs(own) > ms) ? 'image-expired' : undefined;
    if (!reason) return r;
    sink.push({ type: 'image.expired', subscription: r.subscription, uuid: r.uuid, image: r.image, reason, at });
    return expireRecord(r, reason, at);
  });
  let out: SubscriptionState = { ...state, ...(subscriptions ? { subscriptions } : {}), ...(images !== state.images ? { images } : {}) };
  out = checkRegistries(out, ms, at, sink);
  return sink.events.length ? { state: out, events: sink.events } : { state, events: [] };
}
