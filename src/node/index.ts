/**
 * `vmilist/node`: the Node.js side — the site API (subscribe, update,
 * approve, cache sync, status, with hooks and vmcatcher handlers), and the
 * adapters it is made of: trust store loading from an IGTF CA directory,
 * file hashing, the atomic locked state store, downloads and the image
 * cache. The only place (with the CLI) that touches node:*.
 *
 * Every export is named here on purpose: a name appears or disappears only
 * with a CHANGELOG entry. The core (models, verification, the reducer) is
 * the `vmilist` entry; import it from there.
 *
 * @packageDocumentation
 */

// errors, so callers of the node API can tell them apart without a second import
export { VmiListError, isVmiListError } from '../errors.js';
export type { ErrorCode } from '../errors.js';

// the site: the subscriber workflow as a library
export { openSite, Site, findSubscription, DEFAULT_CA_DIR } from './site/site.js';
export type {
  SiteOptions,
  AtOptions,
  SubscribeOptions,
  SubscribeResult,
  ChangeResult,
  UpdateOptions,
  UpdateOutcome,
  UpdateResult,
  SyncCacheOptions,
  SyncCacheResult,
  HookReport,
} from './site/site.js';
export type { CacheAction, CacheSyncOptions, CacheSyncResult } from './site/cache-sync.js';
export type { HandlerRun } from './site/handlers.js';
export type { SiteStatus, SubscriptionStatus } from './site/status.js';
export { emptySubscriberFile, parseSubscriberFile } from './site/state-file.js';
export type { SubscriberFile, CachedImageRecord, DownloadFailure, ListFacts } from './site/state-file.js';

// hooks: what a hook receives, and running one by hand (the outbox and its delivery stay inside)
export { runHook, vmcatcherEnvironment, nativeEnvironment, vmcatcherEventType } from './hooks.js';
export type { HookMode, HookSpec, HookEvent, HookContext, HookCacheDirs, HookRunResult, VmcatcherEventType, CacheEventType, OutboxEntry } from './hooks.js';

// trust
export { loadTrustStore, trustStoreSummary } from './truststore.js';
export type { TrustStore, TrustStoreProblem, LoadTrustStoreOptions, TrustStoreSummary, TrustStoreCaSummary, TrustStoreCrlSummary } from './truststore.js';

// hashing on node:crypto (these shadow the core's WASM/JS defaults)
export { hashFile } from './hash-file.js';
export type { HashFileOptions } from './hash-file.js';
export { createHasher, createNodeHasher, hashStream, verifyImage, createImageVerifier } from './hasher.js';
export type { NodeCreateHasherOptions } from './hasher.js';

// state, downloads, cache
export { FileStateStore, writeFileAtomic } from './state-store.js';
export type { AtomicWriteOptions, FileStateStoreOptions, LockInfo, StateLock } from './state-store.js';
export { fetchList, fetchImage, freeBytes, DEFAULT_IMAGE_DEADLINES } from './fetch.js';
export type { ImageDeadlines, FetchOptions, FetchListOptions, FetchedList, FetchImageOptions, FetchedImage, ImageTarget } from './fetch.js';
export { ImageCache, assertCacheUuid } from './cache.js';
export type { ImageCacheOptions, CacheCheck } from './cache.js';
