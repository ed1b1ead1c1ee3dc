/**
 * The subscriber's state file: the reducer's state plus what only a site
 * needs — the native hooks' outbox, the image cache records, the last
 * vmcatcher handler runs, the list-level data handlers get (`ad:vo`) and
 * when each subscription was last checked.
 */
import { VmiListError } from '../../errors.js';
import type { Image } from '../../model/types.js';
import { emptyState, migrateState } from '../../subscription/index.js';
import type { SubscriptionState } from '../../subscription/types.js';
import type { OutboxEntry } from '../hooks.js';
import type { HandlerRun } from './handlers.js';

/** A downloaded image the cache vouches for, and which version it is. */
export interface CachedImageRecord {
  readonly sha512: string;
  readonly size: number;
  readonly cachedAt: string;
  /** The cached version's metadata: Expire events describe it, not its replacement. */
  readonly image?: Image;
  /** Subscription and list it came with. */
  readonly subscription?: string;
  readonly listId?: string;
  /** The list's `ad:vo` at download time. */
  readonly listVo?: string;
}

/** Failed downloads of one image version, to bound retries. */
export interface DownloadFailure {
  readonly sha512: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly lastAt: string;
}

/** What a site keeps per subscription besides the reducer's record. */
export interface ListFacts {
  /** The list's `ad:vo`, handed to vmcatcher handlers for images without one. */
  readonly vo?: string;
}

/** The subscriber's state file. */
export interface SubscriberFile {
  readonly format: 'vmilist-subscriber';
  readonly formatVersion: 1;
  /** The reducer's state. */
  readonly state: SubscriptionState;
  /** Events waiting for native hooks (`--hook`). */
  readonly outbox: readonly OutboxEntry[];
  /** The image cache: where it was last, what is in it, what failed. Keys are lower-case UUIDs. */
  readonly cache: {
    readonly dir?: string;
    readonly images: Readonly<Record<string, CachedImageRecord>>;
    readonly failures: Readonly<Record<string, DownloadFailure>>;
    readonly lastRunAt?: string;
  };
  /** When each subscription's list was last fetched and verified (accepted or unchanged). */
  readonly checks: Readonly<Record<string, { readonly checkedAt: string }>>;
  /** List-level data per subscription. */
  readonly lists: Readonly<Record<string, ListFacts>>;
  /** vmcatcher handler runs that failed (newest last, the last 100); never retried. */
  readonly handlerFailures: readonly HandlerRun[];
}

/** How many failed handler runs the state file remembers. */
export const HANDLER_LOG_SIZE = 100;

/** A fresh state file. */
export function emptySubscriberFile(): SubscriberFile {
  return { format: 'vmilist-subscriber', formatVersion: 1, state: emptyState(), outbox: [], cache: { images: {}, failures: {} }, checks: {}, lists: {}, handlerFailures: [] };
}

function record(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/**
 * Reads a state file's JSON: the subscriber format, or a bare reducer state
 * (wrapped). Outbox deliveries to vmcatcher handlers (kept by earlier
 * versions) are dropped: those handlers are no longer retried.
 */
export function parseSubscriberFile(json: unknown): SubscriberFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new VmiListError('ERR_INPUT', 'the state is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o['format'] === undefined && 'stateVersion' in o) return { ...emptySubscriberFile(), state: migrateState(o) };
  if (o['format'] !== 'vmilist-subscriber') throw new VmiListError('ERR_INPUT', `unknown state format ${JSON.stringify(o['format'])}`);
  if (o['formatVersion'] !== 1) throw new VmiListError('ERR_INPUT', `state formatVersion ${JSON.stringify(o['formatVersion'])} is newer than this vmilist understands`);
  const cache = record(o['cache']);
  const outbox = (Array.isArray(o['outbox']) ? (o['outbox'] as OutboxEntry[]) : [])
    .map((e) => ({ ...e, pending: e.pending.filter((k) => k.startsWith('native:')) }))
    .filter((e) => e.pending.length > 0);
  return {
    format: 'vmilist-subscriber',
    formatVersion: 1,
    state: migrateState(o['state']),
    outbox,
    cache: {
      ...(typeof cache['dir'] === 'string' ? { dir: cache['dir'] } : {}),
      images: record(cache['images']) as Record<string, CachedImageRecord>,
      failures: record(cache['failures']) as Record<string, DownloadFailure>,
      ...(typeof cache['lastRunAt'] === 'string' ? { lastRunAt: cache['lastRunAt'] } : {}),
    },
    checks: record(o['checks']) as Record<string, { checkedAt: string }>,
    lists: record(o['lists']) as Record<string, ListFacts>,
    handlerFailures: Array.isArray(o['handlerFailures']) ? (o['handlerFailures'] as HandlerRun[]) : [],
  };
}
