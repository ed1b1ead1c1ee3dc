/**
 * Events as sentences for a site administrator: the dry run's report
 * ("what would change, and why").
 */
import type { Image } from '../model/types.js';
import type { SubscriptionEvent } from './events.js';
import type { DenialReason, ExpiryReason } from './types.js';

const EXPIRY: Record<ExpiryReason, string> = {
  'left-list': 'the endorser no longer lists it',
  'list-expired': 'its image list expired',
  'image-expired': 'its own expiry date passed',
  'endorser-removed': 'its endorser is no longer an allowed endorser',
  'endorser-revoked': 'the site revoked its endorser',
  'subscription-removed': 'the subscription was removed',
};

const DENIAL: Record<DenialReason, string> = {
  'image-denied': 'the site denied this image',
  'endorser-denied': 'site policy denies its endorser',
  'kind-denied': 'site policy denies this kind of image',
  'vo-unsupported': 'the site does not support its VO',
  'subscription-disabled': 'its subscription is switched off',
};

function name(uuid: string, image: Image): string {
  const title = image['dc:title'];
  const version = image['hv:version'];
  return `image ${typeof title === 'string' && title ? `"${title}" ` : ''}${uuid}${version ? ` (version ${version})` : ''}`;
}

/** One sentence per event. */
export function explainEvent(e: SubscriptionEvent): string {
  switch (e.type) {
    case 'image.added':
      return `${e.subscription}: ${e.returned ? 'listed again' : 'new'} ${name(e.uuid, e.image)} — ${
        e.status === 'current' ? 'approved, can run' : e.status === 'pending' ? 'waits for site approval' : `denied: ${e.deniedReason ? DENIAL[e.deniedReason] : 'by policy'}`
      }.`;
    case 'image.updated':
      return `${e.subscription}: ${name(e.uuid, e.image)} changed (${e.changes.join(', ')})${e.status !== e.previousStatus ? `; now ${e.status}, was ${e.previousStatus}` : ''}.`;
    case 'image.expired':
      return `${e.subscription}: ${name(e.uuid, e.image)} expired because ${EXPIRY[e.reason]}; stop offering it.`;
    case 'image.revoked':
      return `${e.subscription}: ${name(e.uuid, e.image)} revoked because the site revoked endorser ${e.endorser.dn}.`;
    case 'image.approved':
      return `${e.subscription}: ${name(e.uuid, e.image)} is approved and can run.`;
    case 'image.denied':
      return `${e.subscription}: ${name(e.uuid, e.image)} may no longer run: ${DENIAL[e.reason]}.`;
    case 'image.conflict':
      return `${e.subscription}: ${e.message} (${e.code}); tell the list's producer.`;
    case 'list.accepted': {
      const c = e.counts;
      return `${e.subscription}: accepted list ${e.listId} version ${e.version}${e.previousVersion ? ` (was ${e.previousVersion})` : ''} signed by ${e.signer.dn}: ${c.added} added, ${c.updated} updated, ${c.expired} expired${c.conflicts ? `, ${c.conflicts} UUID conflicts` : ''}${c.ignored ? `, ${c.ignored} ignored` : ''}.`;
    }
    case 'list.rejected':
      return `${e.subscription}: refused list ${e.listId} version ${e.version} (${e.code}): ${e.message}. Nothing changed.`;
    case 'list.expired':
      return `${e.subscription}: list ${e.listId} version ${e.version} expired at ${e.expires}; its images expire.`;
    case 'list.stale':
      return `${e.subscription}: no newer list accepted ${e.lastAcceptedAt ? `since ${e.lastAcceptedAt}` : 'since subscribing'} (max age ${e.maxAgeSeconds} s); the list may be frozen.`;
    case 'subscription.added':
      return `${e.subscription}: subscribed to ${e.uri}${e.listId ? ` (list ${e.listId})` : ''}.`;
    case 'subscription.removed':
      return `${e.subscription}: subscription removed; its images expire.`;
    case 'endorser.added':
      return `registry ${e.registry}: new endorser ${e.endorser.name ?? e.endorser.dn}${e.endorser.catalogueUrl ? ` publishing ${e.endorser.catalogueUrl}` : ''}.`;
    case 'endorser.removed':
      return `registry ${e.registry}: endorser ${e.endorser.name ?? e.endorser.dn} left; its images are no longer endorsed.`;
    case 'endorser.retired':
      return `registry ${e.registry}: endorser ${e.endorser.name ?? e.endorser.dn} retired; its images stay, no new ones are taken.`;
    case 'registry.stale':
      return `registry ${e.registry}: copy of ${e.source} not synchronised ${e.syncedAt ? `since ${e.syncedAt}` : 'yet'} (every ${e.maxAgeSeconds} s required); its copied endorsers are not trusted until it is.`;
  }
}

/** The events as sentences, in order. */
export function explainEvents(events: readonly SubscriptionEvent[]): string[] {
  return events.map(explainEvent);
}
