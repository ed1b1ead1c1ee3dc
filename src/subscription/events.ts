/**
 * Reducer events: a discriminated union on `type`. Each carries a stable
 * `id` (a deterministic digest of what it is about), so a caller can keep an
 * outbox of events and deliver each exactly once.
 */
import type { ErrorCode } from '../errors.js';
import type { Image } from '../model/types.js';
import type { DenialReason, EndorserPrincipal, ExpiryReason, ImageStatus, RegistryEndorser } from './types.js';

/** What changed in an `image.updated` event. */
export type ImageChange = 'checksum' | 'size' | 'uri' | 'version' | 'expires' | 'metadata' | 'endorser' | 'status';

interface EventBase {
  /** Stable id: same inputs, same id. */
  readonly id: string;
  /** When (`now` of the call), `Z` form. */
  readonly at: string;
}

interface SubscriptionEventBase extends EventBase {
  /** The subscription concerned. */
  readonly subscription: string;
}

interface ImageEventBase extends SubscriptionEventBase {
  /** Image UUID. */
  readonly uuid: string;
  /** The image metadata the event is about (the new one for additions and updates). */
  readonly image: Image;
}

/** An image entered the state (or came back after expiring). */
export interface ImageAddedEvent extends ImageEventBase {
  readonly type: 'image.added';
  /** Its status after the addition. */
  readonly status: ImageStatus;
  /** Why it is denied, when it is. */
  readonly deniedReason?: DenialReason;
  /** True when the image had expired before and is listed again. */
  readonly returned?: boolean;
}

/** An image's metadata, endorser or status changed. */
export interface ImageUpdatedEvent extends ImageEventBase {
  readonly type: 'image.updated';
  /** What changed. */
  readonly changes: readonly ImageChange[];
  /** The metadata before the change. */
  readonly previous: Image;
  /** Status after the change. */
  readonly status: ImageStatus;
  /** Status before the change. */
  readonly previousStatus: ImageStatus;
}

/** An image expired: it must no longer be offered. */
export interface ImageExpiredEvent extends ImageEventBase {
  readonly type: 'image.expired';
  /** Why. */
  readonly reason: ExpiryReason;
}

/** An image expired because the site revoked its endorser. */
export interface ImageRevokedEvent extends ImageEventBase {
  readonly type: 'image.revoked';
  readonly reason: 'endorser-revoked';
  /** The revoked endorser. */
  readonly endorser: EndorserPrincipal;
}

/** An image became runnable (endorsed and approved). */
export interface ImageApprovedEvent extends ImageEventBase {
  readonly type: 'image.approved';
}

/** Site policy now refuses an image. */
export interface ImageDeniedEvent extends ImageEventBase {
  readonly type: 'image.denied';
  /** Which policy rule. */
  readonly reason: DenialReason;
}

/** A list claimed an image UUID owned by another subscription; that image was skipped. */
export interface ImageConflictEvent extends SubscriptionEventBase {
  readonly type: 'image.conflict';
  readonly uuid: string;
  readonly code: 'ERR_UUID_CONFLICT';
  readonly message: string;
  /** The subscription that owns the UUID (empty for a duplicate inside one list). */
  readonly owner: string;
  /** The list that made the claim. */
  readonly listId: string;
}

/** A list was accepted. */
export interface ListAcceptedEvent extends SubscriptionEventBase {
  readonly type: 'list.accepted';
  readonly listId: string;
  readonly version: string;
  readonly previousVersion?: string;
  readonly created: string;
  readonly contentSha256: string;
  readonly signer: { readonly dn: string; readonly ca: string };
  /** Counts of what the list changed. */
  readonly counts: {
    readonly added: number;
    readonly updated: number;
    readonly expired: number;
    readonly conflicts: number;
    readonly ignored: number;
  };
}

/** A list was refused; the state did not change. Compatible with `VmiListError#toJSON()`. */
export interface ListRejectedEvent extends SubscriptionEventBase {
  readonly type: 'list.rejected';
  readonly code: ErrorCode;
  readonly message: string;
  readonly listId: string;
  readonly version: string;
  readonly contentSha256: string;
}

/** The last accepted list passed its `dc:date:expires`; its images expired. */
export interface ListExpiredEvent extends SubscriptionEventBase {
  readonly type: 'list.expired';
  readonly listId: string;
  readonly version: string;
  readonly expires: string;
}

/** No newer list was accepted within the configured age (possible freeze attack). */
export interface ListStaleEvent extends SubscriptionEventBase {
  readonly type: 'list.stale';
  /** When a list was last accepted (absent: never). */
  readonly lastAcceptedAt?: string;
  readonly maxAgeSeconds: number;
}

/** A subscription was made. */
export interface SubscriptionAddedEvent extends SubscriptionEventBase {
  readonly type: 'subscription.added';
  readonly uri: string;
  readonly listId?: string;
}

/** A subscription was removed (its images expired). */
export interface SubscriptionRemovedEvent extends SubscriptionEventBase {
  readonly type: 'subscription.removed';
}

/** An endorser entered a registry: sites using it should know (and may subscribe to its catalogue). */
export interface EndorserAddedEvent extends EventBase {
  readonly type: 'endorser.added';
  readonly registry: string;
  readonly endorser: RegistryEndorser;
}

/** An endorser left a registry. */
export interface EndorserRemovedEvent extends EventBase {
  readonly type: 'endorser.removed';
  readonly registry: string;
  readonly endorser: RegistryEndorser;
}

/** An endorser of a registry retired: its images stay, no new ones are taken from its lists. */
export interface EndorserRetiredEvent extends EventBase {
  readonly type: 'endorser.retired';
  readonly registry: string;
  readonly endorser: RegistryEndorser;
}

/** A derived registry was not synchronised in time: its copied endorsers are not trusted. */
export interface RegistryStaleEvent extends EventBase {
  readonly type: 'registry.stale';
  readonly registry: string;
  readonly source: string;
  readonly syncedAt?: string;
  readonly maxAgeSeconds: number;
}

/** Every event the reducer emits. */
export type SubscriptionEvent =
  | ImageAddedEvent
  | ImageUpdatedEvent
  | ImageExpiredEvent
  | ImageRevokedEvent
  | ImageApprovedEvent
  | ImageDeniedEvent
  | ImageConflictEvent
  | ListAcceptedEvent
  | ListRejectedEvent
  | ListExpiredEvent
  | ListStaleEvent
  | SubscriptionAddedEvent
  | SubscriptionRemovedEvent
  | EndorserAddedEvent
  | EndorserRemovedEvent
  | EndorserRetiredEvent
  | RegistryStaleEvent;

/** The `type` of every event. */
export type SubscriptionEventType = SubscriptionEvent['type'];

/** What every state-changing function returns. */
export interface ReduceResult {
  /** The new state (the input state when nothing changed). */
  readonly state: import('./types.js').SubscriptionState;
  /** What changed, and why, in order. */
  readonly events: readonly SubscriptionEvent[];
}

// An event without its id; `Omit` over a union needs the distributive form.
type WithoutId<E> = E extends unknown ? Omit<E, 'id'> : never;

/** An event before its id is assigned. */
export type EventDraft = WithoutId<SubscriptionEvent>;

// 2 × 32-bit FNV-1a style hashes with different bases: fast, deterministic and
// isomorphic (a cryptographic hash per event costs too much on 100k images).
function hash32(text: string, basis: number, prime: number): number {
  let h = basis;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, prime);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** The stable id of an event from its identifying parts. */
export function eventId(key: string): string {
  const a = hash32(key, 0x811c9dc5, 0x01000193).toString(16).padStart(8, '0');
  const b = hash32(key, 0x050c5d1f, 0x01000193 ^ 0x5bd1e995).toString(16).padStart(8, '0');
  return a + b;
}

/**
 * Collects events of one call and gives each its id: subscription/registry +
 * type + image UUID + list digest (or version) + time, with an ordinal for the
 * rare duplicate inside one call.
 */
export class EventSink {
  readonly events: SubscriptionEvent[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly listKey = '') {}

  /** Adds an event; `salt` separates events that would otherwise share a key (e.g. the state they leave). */
  push(draft: EventDraft, salt = ''): void {
    const scope = 'subscription' in draft ? draft.subscription : 'registry' in draft ? `registry:${draft.registry}` : '';
    const uuid = 'uuid' in draft ? draft.uuid : 'endorser' in draft && 'registry' in draft ? draft.endorser.dn : '';
    let key = `${scope}\u0000${draft.type}\u0000${uuid}\u0000${this.listKey}\u0000${draft.at}${salt ? `\u0000${salt}` : ''}`;
    if (this.seen.has(key)) {
      let n = 2;
      while (this.seen.has(`${key}\u0000${n}`)) n++;
      key = `${key}\u0000${n}`;
    }
    this.seen.add(key);
    this.events.push({ id: eventId(key), ...draft } as SubscriptionEvent);
  }
}
