// Public API of src/subscription (re-exported by src/index.ts): the pure
// subscription-state reducer, site policy, endorser registries and queries.
export { STATE_VERSION } from './types.js';
export type {
  AcceptedList,
  DenialReason,
  EndorserRegistry,
  ExpiryReason,
  ImageKind,
  ImageRecord,
  ImageStatus,
  Instant,
  NewImagesPolicy,
  NowOptions,
  RegistryEndorser,
  RegistryUpstream,
  RevokedEndorser,
  SitePolicy,
  Subscription,
  SubscriptionState,
} from './types.js';
export type {
  EndorserAddedEvent,
  EndorserRemovedEvent,
  EndorserRetiredEvent,
  ImageAddedEvent,
  ImageApprovedEvent,
  ImageChange,
  ImageConflictEvent,
  ImageDeniedEvent,
  ImageExpiredEvent,
  ImageRevokedEvent,
  ImageUpdatedEvent,
  ListAcceptedEvent,
  ListExpiredEvent,
  ListRejectedEvent,
  ListStaleEvent,
  ReduceResult,
  RegistryStaleEvent,
  SubscriptionAddedEvent,
  SubscriptionEvent,
  SubscriptionEventType,
  SubscriptionRemovedEvent,
} from './events.js';
export { emptyState, migrateState } from './state.js';
export type { SubscribeInput } from './subscribe.js';
export { subscribe, unsubscribe, updateSubscription } from './subscribe.js';
export type { ReduceOptions } from './reduce.js';
export { reduce, reduceOrThrow } from './reduce.js';
export type { StaleOptions, StaleSubscription } from './expire.js';
export { expireByTime, staleSubscriptions } from './expire.js';
export { revokeEndorser, reinstateEndorser } from './revoke.js';
export { setPolicy, approveImage, denyImage } from './site-policy.js';
export type { RegistryInput } from './registry.js';
export { defineRegistry, syncRegistry } from './registry.js';
export type { DeletableOptions, IntegrityResult, Voucher } from './queries.js';
export { findImage, findByChecksum, imagesByEndorser, runnable, deletable, checkImageIntegrity } from './queries.js';
export type { InUseOptions } from './in-use.js';
export { markInUse, forgetImages } from './in-use.js';
export { explainEvent, explainEvents } from './explain.js';
