/** Events as hooks and handlers see them: reducer events and the cache's own. */
import { createHash } from 'node:crypto';
import { findImage } from '../../subscription/index.js';
import type { SubscriptionEvent } from '../../subscription/events.js';
import type { Subscription, SubscriptionState } from '../../subscription/types.js';
import type { HookEvent } from '../hooks.js';
import type { ListFacts } from './state-file.js';

/** A reducer event as hooks see it, with the list's `ad:vo` for handlers. */
export function toHookEvent(state: SubscriptionState, e: SubscriptionEvent, lists: Readonly<Record<string, ListFacts>> = {}): HookEvent {
  const r = e as unknown as Record<string, unknown>;
  const subId = typeof r['subscription'] === 'string' ? r['subscription'] : undefined;
  const sub = subId === undefined ? undefined : (state.subscriptions as Record<string, Subscription | undefined>)[subId];
  const uuid = typeof r['uuid'] === 'string' ? r['uuid'] : undefined;
  const listId = typeof r['listId'] === 'string' ? r['listId'] : ((uuid ? findImage(state, uuid)?.listId : undefined) ?? sub?.listId);
  const image = r['image'] as Record<string, unknown> | undefined;
  const listVo = subId === undefined ? undefined : lists[subId]?.vo;
  return {
    id: e.id,
    type: e.type,
    at: e.at,
    ...(subId !== undefined ? { subscription: subId } : {}),
    ...(listId !== undefined ? { listId } : {}),
    ...(uuid !== undefined ? { imageId: uuid } : {}),
    ...(image !== undefined ? { image } : {}),
    ...(listVo !== undefined ? { listVo } : {}),
    detail: e,
  };
}

/** A stable id for an event the site makes itself (the same event always gets the same id). */
export function siteEventId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
