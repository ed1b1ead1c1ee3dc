/**
 * The site revokes an endorser: every image it vouches for expires
 * (`image.revoked`), and its lists are refused from now on
 * (`ERR_ENDORSER_NOT_TRUSTED`), whatever subscription or registry names it.
 */
import { EventSink, type ReduceResult } from './events.js';
import { checkPrincipal, principalMatcher } from './principals.js';
import { expireRecord } from './records.js';
import { checkState } from './state.js';
import type { EndorserPrincipal, NowOptions, SubscriptionState } from './types.js';
import { instant, sameJson } from './util.js';
import { mapImages } from './image-table.js';

/** Revokes an endorser principal (`ca` absent: any CA). */
export function revokeEndorser(state: SubscriptionState, endorser: EndorserPrincipal, options: NowOptions): ReduceResult {
  checkState(state);
  const principal = checkPrincipal(endorser, 'endorser');
  const { at } = instant(options?.now);
  const sink = new EventSink();
  const matches = principalMatcher([principal]);
  const table = mapImages(state.images, (r) => {
    if (r.status === 'expired' || !matches(r.endorser)) return r;
    sink.push({ type: 'image.revoked', subscription: r.subscription, uuid: r.uuid, image: r.image, reason: 'endorser-revoked', endorser: principal, at });
    return expireRecord(r, 'endorser-revoked', at);
  });
  const images = table !== state.images ? table : undefined;
  const known = state.revokedEndorsers.some((r) => sameJson({ dn: r.dn, ca: r.ca }, { dn: principal.dn, ca: principal.ca }));
  const revokedEndorsers = known ? state.revokedEndorsers : [...state.revokedEndorsers, { ...principal, at }];
  if (!images && known) return { state, events: [] };
  return { state: { ...state, revokedEndorsers, ...(images ? { images } : {}) }, events: sink.events };
}

/** Withdraws a revocation: the endorser's lists are accepted again (its expired images come back with its next list). */
export function reinstateEndorser(state: SubscriptionState, endorser: EndorserPrincipal): SubscriptionState {
  checkState(state);
  const p = checkPrincipal(endorser, 'endorser');
  const revokedEndorsers = state.revokedEndorsers.filter((r) => !(r.dn === p.dn && r.ca === p.ca));
  return revokedEndorsers.length === state.revokedEndorsers.length ? state : { ...state, revokedEndorsers };
}
