/**
 * The subscriber workflow as a library: a site (state file, trust dir,
 * cache dir, hooks, lock) that subscribes, updates, approves, syncs its
 * cache and reports its status. The `vmilist` subscriber commands are
 * argument parsing and printing over this; a site's own tooling calls it
 * directly.
 *
 * Every call takes the state file's lock, first delivers native hook events
 * left waiting by an earlier run (one that failed or was killed), does its
 * work, saves atomically, then runs hooks and handlers.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { VmiListError } from '../../errors.js';
import { formatListDate, toEpochMs } from '../../model/dates.js';
import type { VerifiedImageList } from '../../model/verified.js';
import type { CrlPolicy, EndorserPrincipal } from '../../smime/types.js';
import { approveImage, denyImage, expireByTime, reduce, setPolicy, subscribe as addSubscription, unsubscribe as removeSubscription } from '../../subscription/index.js';
import type { ReduceResult, SubscriptionEvent } from '../../subscription/events.js';
import type { NewImagesPolicy, SitePolicy, Subscription, SubscriptionState } from '../../subscription/types.js';
import { deliverOutbox, enqueueEvents, type HookCacheDirs, type HookEvent, type HookSpec } from '../hooks.js';
import { FileStateStore } from '../state-store.js';
import { loadTrustStore, type TrustStore } from '../truststore.js';
import { syncCache, type CacheSyncOptions, type CacheSyncResult } from './cache-sync.js';
import { toHookEvent } from './events.js';
import { assertHandlerExists, runHandlers, type HandlerRun } from './handlers.js';
import { fetchAndVerify, type ListFetchOptions } from './lists.js';
import { emptySubscriberFile, HANDLER_LOG_SIZE, parseSubscriberFile, type SubscriberFile } from './state-file.js';
import { siteStatus, type SiteStatus } from './status.js';
import { caDirOf, sourceUrl } from './sources.js';

export { DEFAULT_CA_DIR, caDirOf, isUrl, sourceUrl } from './sources.js';


/** How to open a site. */
export interface SiteOptions {
  /** The state file (created by the first {@link Site.subscribe}). */
  readonly stateFile: string;
  /** IGTF CA directory. Default `$X509_CERT_DIR`, else `/etc/grid-security/certificates`. */
  readonly caDir?: string;
  /** A further directory of CRLs. */
  readonly crlDir?: string;
  /** Cache root (`cache/`, `partial/`, `expired/` below it). Default: the one last used, from the state file. */
  readonly cacheDir?: string;
  /** Native hooks: command lines run through `/bin/sh` per event, events kept until each succeeds. */
  readonly hooks?: readonly string[];
  /** vmcatcher cache handlers (`VMCATCHER_CACHE_EVENT`): cache events only, never retried. */
  readonly vmcatcherHook?: readonly string[];
  /** vmcatcher subscription handlers: `SubscriptionImageNew` only. */
  readonly vmcatcherSubHook?: readonly string[];
  /** Time limit per hook or handler run, ms. Default 600 000. */
  readonly hookTimeoutMs?: number;
  /** How long to wait for another run holding the state's lock, ms. Default 0. */
  readonly lockWaitMs?: number;
  /** The site environment handed to hooks and handlers. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths and hooks. Default `process.cwd()`. */
  readonly cwd?: string;
  /** The clock. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** A `fetch` for lists and images instead of the global one. */
  readonly fetch?: typeof fetch;
  /** Fetch lists and images over plain http (signatures and checksums still protect them). */
  readonly allowHttp?: boolean;
  /** Accept SHA-1 signed lists. */
  readonly allowSha1?: boolean;
  /** CRL policy for list verification. Default `require`. */
  readonly crlPolicy?: CrlPolicy;
  /** Told about every event of a run (reducer and cache events), before hooks run. */
  readonly onEvent?: (event: HookEvent) => void;
  /** Told about every vmcatcher handler run as it ends. */
  readonly onHandlerRun?: (run: HandlerRun) => void;
  /** Told about problems that do not stop a run (unusable trust store files). */
  readonly onWarning?: (message: string) => void;
}

/** What hooks and handlers did in one call. */
export interface HookReport {
  /** `VMCATCHER_EVENT_UUID_SESSION` / `VMILIST_EVENT_SESSION` of the call. */
  readonly sessionId: string;
  /** vmcatcher handler runs, in order; failures are recorded, never retried. */
  readonly handlerRuns: readonly HandlerRun[];
  /** Native hook deliveries that failed; the events stay for the next run. */
  readonly hookFailures: readonly { readonly event: HookEvent; readonly hook: string; readonly message: string }[];
  /** Native hook events still waiting. */
  readonly pendingHookEvents: number;
}

/** Per-call options: the time of the call. */
export interface AtOptions {
  /** As of this time (ISO 8601 or epoch ms) instead of the clock. */
  readonly at?: string | number;
}

/** Options for {@link Site.subscribe}. */
export interface SubscribeOptions extends AtOptions {
  /** Subscription id. Default: the list UUID. */
  readonly id?: string;
  /** Allowed endorsers. Default: the signer of the list as fetched now. */
  readonly endorsers?: readonly EndorserPrincipal[];
  /** What happens to new images. Default `pending`. */
  readonly newImages?: NewImagesPolicy;
}

/** What {@link Site.subscribe} did. */
export interface SubscribeResult {
  readonly subscription: Subscription;
  /** The list as verified. */
  readonly list: VerifiedImageList['list'];
  readonly events: readonly SubscriptionEvent[];
  readonly hooks: HookReport;
}

/** What {@link Site.unsubscribe}, {@link Site.approve} and {@link Site.deny} did. */
export interface ChangeResult {
  readonly events: readonly SubscriptionEvent[];
  readonly hooks: HookReport;
}

/** Options for {@link Site.update}. */
export interface UpdateOptions extends AtOptions {
  /** Only these subscriptions (ids or list UUIDs). Default: all. */
  readonly subscriptions?: readonly string[];
  /** A site policy to store and apply before the lists. */
  readonly policy?: SitePolicy;
}

/** What happened to one subscription in an update. */
export interface UpdateOutcome {
  readonly subscription: string;
  readonly uri: string;
  readonly result: 'accepted' | 'unchanged' | 'rejected' | 'failed';
  readonly version?: string;
  readonly error?: VmiListError;
}

/** What {@link Site.update} did. */
export interface UpdateResult {
  readonly at: string;
  readonly outcomes: readonly UpdateOutcome[];
  readonly events: readonly SubscriptionEvent[];
  /** The lists that could not be fetched or were rejected (nothing of theirs changed). */
  readonly errors: readonly VmiListError[];
  readonly hooks: HookReport;
}

/** Options for {@link Site.syncCache}. */
export type SyncCacheOptions = AtOptions & Omit<CacheSyncOptions, 'now' | 'dir'> & { readonly dir?: string };

/** What {@link Site.syncCache} did. */
export type SyncCacheResult = CacheSyncResult & { readonly hooks: HookReport };

/** A run holding the lock: the file as it stands, and how events reach hooks. */
export interface SiteRun {
  /** The state file as it stands in this run. */
  file: SubscriberFile;
  /** Time of the run. */
  readonly now: { readonly ms: number; readonly iso: string };
  /** Saves the state file. */
  save(): Promise<void>;
  /** Hands events to hooks (native: outbox, saved first; vmcatcher: run now) with the given cache dirs. */
  emit(events: readonly HookEvent[], cacheDirs?: HookCacheDirs): Promise<void>;
}

/** A site: its state file, trust, cache and hooks. Create with {@link openSite}. */
export class Site {
  /** The state file. */
  readonly stateFile: string;
  /** The CA directory lists are verified against. */
  readonly caDir: string;
  private readonly store: FileStateStore<SubscriberFile>;
  private readonly options: SiteOptions;
  private readonly env: Readonly<Record<string, string | undefined>>;
  private readonly cwd: string;
  private readonly hookSpecs: readonly HookSpec[];

  /** Use {@link openSite}, which also checks the handlers exist. */
  constructor(options: SiteOptions) {
    this.options = options;
    this.env = options.env ?? process.env;
    this.cwd = options.cwd ?? process.cwd();
    this.stateFile = resolve(this.cwd, options.stateFile);
    this.caDir = caDirOf(this.cwd, this.env, options.caDir);
    this.store = new FileStateStore(this.stateFile, { parse: parseSubscriberFile, lockWaitMs: options.lockWaitMs ?? 0 });
    this.hookSpecs = [
      ...(options.hooks ?? []).map((command) => ({ command, mode: 'native' as const })),
      ...(options.vmcatcherHook ?? []).map((command) => ({ command, mode: 'vmcatcher' as const })),
      ...(options.vmcatcherSubHook ?? []).map((command) => ({ command, mode: 'vmcatcher-sub' as const })),
    ];
  }

  /**
   * The state file as saved; an empty one when there is none yet, unless
   * `mustExist` (then `ERR_INPUT`). Takes no lock.
   */
  async read(options: { readonly mustExist?: boolean } = {}): Promise<SubscriberFile> {
    const file = await this.store.read();
    if (file) return file;
    if (options.mustExist) throw this.noStateFile();
    return emptySubscriberFile();
  }

  private noStateFile(): VmiListError {
    return new VmiListError('ERR_INPUT', `no state file at ${this.stateFile}: subscribe to a list first (vmilist subscribe URL), or give --state`);
  }

  /** One screen's worth: subscriptions, expiry countdowns, cache, hooks, trust, warnings. Takes no lock. */
  async status(options: AtOptions = {}): Promise<SiteStatus> {
    const file = await this.read();
    return siteStatus(file, { now: this.timeOf(options.at), stateFile: this.stateFile, caDir: this.caDir, ...(this.options.crlDir ? { crlDir: resolve(this.cwd, this.options.crlDir) } : {}) });
  }

  /** Fetches and verifies a list and subscribes to it; the list's images are recorded at once. */
  async subscribe(source: string, options: SubscribeOptions = {}): Promise<SubscribeResult> {
    const now = this.timeOf(options.at);
    const url = sourceUrl(this.cwd, source);
    const trust = await this.loadTrust();
    const label = options.id === undefined ? 'new subscription' : `subscription ${options.id}`;
    const verified = await fetchAndVerify(url, trust, this.fetchOptions(), now.ms, options.endorsers, label);
    const list = verified.list;
    const listId = list['dc:identifier'];
    const allowedEndorsers = options.endorsers && options.endorsers.length > 0 ? options.endorsers : [{ dn: verified.signer.dn, ca: verified.signer.issuer }];
    return this.locked(now, true, async (run) => {
      const id = options.id ?? listId;
      const added = addSubscription(run.file.state, { id, uri: url, listId, allowedEndorsers, newImages: options.newImages ?? 'pending' }, { now: now.iso });
      const reduced = reduce(added.state, verified, { now: now.iso, subscription: id });
      const rejected = reduced.events.find((e) => e.type === 'list.rejected');
      if (rejected && rejected.type === 'list.rejected') throw new VmiListError(rejected.code, `subscription ${id} (${url}): ${rejected.message}`);
      const events = [...added.events, ...reduced.events];
      const lists = { ...run.file.lists, [id]: listFacts(verified) };
      run.file = { ...run.file, state: reduced.state, lists, checks: { ...run.file.checks, [id]: { checkedAt: now.iso } } };
      await run.emit(events.map((e) => toHookEvent(reduced.state, e, lists)));
      return { subscription: reduced.state.subscriptions[id] as Subscription, list, events };
    });
  }

  /** Removes a subscription (by id or list UUID); its images expire. */
  async unsubscribe(key: string, options: AtOptions = {}): Promise<ChangeResult & { readonly subscription: Subscription }> {
    const now = this.timeOf(options.at);
    return this.locked(now, false, async (run) => {
      const before = run.file.state;
      const sub = findSubscription(before, key);
      const r = removeSubscription(before, sub.id, { now: now.iso });
      const { [sub.id]: _checked, ...checks } = run.file.checks;
      run.file = { ...run.file, state: r.state, checks };
      await run.emit(r.events.map((e) => toHookEvent(before, e, run.file.lists)));
      const { [sub.id]: _facts, ...lists } = run.file.lists;
      run.file = { ...run.file, lists };
      return { subscription: sub, events: r.events };
    });
  }

  /** Fetches, verifies and applies every subscription's list (or those named); then expires by time. */
  async update(options: UpdateOptions = {}): Promise<UpdateResult> {
    const now = this.timeOf(options.at);
    return this.locked(now, false, async (run) => {
      const before = run.file;
      const wanted = options.subscriptions?.map((k) => findSubscription(before.state, k).id);
      const subs = (Object.values(before.state.subscriptions) as Subscription[]).filter((s) => wanted === undefined || wanted.includes(s.id)).sort((a, b) => a.id.localeCompare(b.id));
      const trust = subs.length > 0 ? await this.loadTrust() : undefined;
      let state = before.state;
      const checks = { ...before.checks };
      const lists = { ...before.lists };
      const events: SubscriptionEvent[] = [];
      if (options.policy !== undefined) {
        const applied = setPolicy(state, options.policy, { now: now.iso });
        state = applied.state;
        events.push(...applied.events);
      }
      const outcomes: UpdateOutcome[] = [];
      const errors: VmiListError[] = [];
      for (const sub of subs) {
        const label = `subscription ${sub.id}`;
        let verified: VerifiedImageList;
        try {
          verified = await fetchAndVerify(sub.uri, trust as TrustStore, this.fetchOptions(), now.ms, undefined, label);
        } catch (e) {
          const err = e as VmiListError;
          errors.push(err);
          outcomes.push({ subscription: sub.id, uri: sub.uri, result: err.code === 'ERR_IO' || err.code === 'ERR_INPUT' ? 'failed' : 'rejected', error: err });
          continue;
        }
        const r = reduce(state, verified, { now: now.iso, subscription: sub.id });
        const rejected = r.events.find((e) => e.type === 'list.rejected');
        if (rejected && rejected.type === 'list.rejected') {
          const err = new VmiListError(rejected.code, `${label} (${sub.uri}): ${rejected.message}`);
          errors.push(err);
          outcomes.push({ subscription: sub.id, uri: sub.uri, result: 'rejected', version: rejected.version, error: err });
          continue; // a rejected list changes nothing
        }
        state = r.state;
        events.push(...r.events);
        checks[sub.id] = { checkedAt: now.iso };
        lists[sub.id] = listFacts(verified);
        outcomes.push({ subscription: sub.id, uri: sub.uri, result: r.events.some((e) => e.type === 'list.accepted') ? 'accepted' : 'unchanged', version: verified.list['hv:version'] });
      }
      const timed = expireByTime(state, now.iso);
      state = timed.state;
      events.push(...timed.events);
      run.file = { ...run.file, state, checks, lists };
      await run.emit(events.map((e) => toHookEvent(state, e, lists)));
      return { at: now.iso, outcomes, events, errors };
    });
  }

  /** Approves images by UUID (also before they arrive): current and runnable while endorsed. */
  async approve(uuids: readonly string[], options: AtOptions = {}): Promise<ChangeResult> {
    return this.decide(approveImage, uuids, options);
  }

  /** Denies images by UUID: never runnable, whatever the lists say. */
  async deny(uuids: readonly string[], options: AtOptions = {}): Promise<ChangeResult> {
    return this.decide(denyImage, uuids, options);
  }

  /**
   * Brings the image cache in line with the state: downloads runnable images
   * not cached (verified while downloading), expires the files of images no
   * longer runnable, with the cache events (vmcatcher's ProcessPrefix,
   * ExpirePrefix/Postfix, AvailablePrefix/Postfix, ProcessPostfix) in order.
   */
  async syncCache(options: SyncCacheOptions = {}): Promise<SyncCacheResult> {
    const now = this.timeOf(options.at);
    const tls = await this.tlsTrust();
    return this.locked(now, false, async (run) => {
      const dir = options.dir ?? this.options.cacheDir ?? run.file.cache.dir;
      if (dir === undefined) throw new VmiListError('ERR_INPUT', 'no cache directory: give cacheDir (vmilist cache --dir DIR)');
      const { at: _at, dir: _dir, ...rest } = options;
      return syncCache(run, {
        ...rest,
        dir: resolve(this.cwd, dir),
        now: now.iso,
        ...(this.options.allowHttp ? { allowHttp: true } : {}),
        ...(this.options.fetch ? { fetch: this.options.fetch } : {}),
        ...(tls ? { ca: tls.trustAnchors } : {}),
      });
    });
  }

  private async decide(decide: (state: SubscriptionState, uuid: string, o: { now: string }) => ReduceResult, uuids: readonly string[], options: AtOptions): Promise<ChangeResult> {
    const now = this.timeOf(options.at);
    return this.locked(now, false, async (run) => {
      let state = run.file.state;
      const events: SubscriptionEvent[] = [];
      for (const uuid of uuids) {
        // UUIDs compare case-insensitively; the state keeps the list's spelling
        const key = state.images.find((r) => r.uuid.toLowerCase() === uuid.toLowerCase())?.uuid ?? uuid;
        const r = decide(state, key, { now: now.iso });
        state = r.state;
        events.push(...r.events);
      }
      run.file = { ...run.file, state };
      await run.emit(events.map((e) => toHookEvent(state, e, run.file.lists)));
      return { events };
    });
  }

  /** Runs `fn` holding the lock, after delivering what native hooks still wait for. */
  private async locked<R extends object>(now: { ms: number; iso: string }, allowMissing: boolean, fn: (run: SiteRun) => Promise<R>): Promise<R & { hooks: HookReport }> {
    const timeoutMs = this.options.hookTimeoutMs ?? 600_000;
    const native = this.hookSpecs.filter((h) => h.mode === 'native');
    const handlers = this.hookSpecs.filter((h) => h.mode !== 'native');
    return this.store.withLock(async () => {
      const found = await this.store.read();
      if (!found && !allowMissing) throw this.noStateFile();
      const sessionId = randomUUID();
      const handlerRuns: HandlerRun[] = [];
      const hookFailures: HookReport['hookFailures'][number][] = [];
      const store = this.store;
      const context = (cacheDirs: HookCacheDirs | undefined) => ({ env: this.env, cwd: this.cwd, sessionId, ...(cacheDirs ? { cacheDirs } : {}) });
      const knownDirs = (file: SubscriberFile): HookCacheDirs | undefined => {
        const root = this.options.cacheDir ?? file.cache.dir;
        return root === undefined ? undefined : { cache: resolve(this.cwd, root, 'cache'), download: resolve(this.cwd, root, 'partial'), expire: resolve(this.cwd, root, 'expired') };
      };
      const deliver = async (cacheDirs: HookCacheDirs | undefined) => {
        if (run.file.outbox.length === 0 || native.length === 0) return;
        const result = await deliverOutbox(run.file.outbox, {
          hooks: native,
          ...context(cacheDirs),
          timeoutMs,
          save: async (outbox) => {
            run.file = { ...run.file, outbox };
            await store.write(run.file);
          },
        });
        hookFailures.push(...result.failed);
      };
      const run: SiteRun = {
        file: found ?? emptySubscriberFile(),
        now,
        save: () => store.write(run.file),
        emit: async (events, cacheDirs = knownDirs(run.file)) => {
          for (const e of events) this.options.onEvent?.(e);
          if (native.length > 0) run.file = { ...run.file, outbox: enqueueEvents(run.file.outbox, events, native) };
          if (native.length + handlers.length === 0) return; // one write at the end of the call
          await run.save(); // saved before any hook or handler sees an event
          await deliver(cacheDirs);
          for (const e of events) {
            const runs = await runHandlers(handlers, e, { ...context(cacheDirs), timeoutMs, ...(this.options.onHandlerRun ? { onRun: this.options.onHandlerRun } : {}) });
            handlerRuns.push(...runs);
            const failed = runs.filter((r) => !r.ok);
            if (failed.length > 0) run.file = { ...run.file, handlerFailures: [...run.file.handlerFailures, ...failed].slice(-HANDLER_LOG_SIZE) };
          }
        },
      };
      await deliver(knownDirs(run.file));
      const result = await fn(run);
      await run.save();
      return { ...result, hooks: { sessionId, handlerRuns, hookFailures, pendingHookEvents: run.file.outbox.length } };
    });
  }

  private timeOf(at: string | number | undefined): { ms: number; iso: string } {
    const ms = at === undefined ? (this.options.now ?? (() => new Date()))().getTime() : typeof at === 'number' ? at : toEpochMs(at, 'at');
    return { ms, iso: formatListDate(ms) };
  }

  private fetchOptions(): ListFetchOptions {
    const o = this.options;
    return { ...(o.allowHttp ? { allowHttp: true } : {}), ...(o.allowSha1 ? { allowSha1: true } : {}), ...(o.crlPolicy ? { crlPolicy: o.crlPolicy } : {}), ...(o.fetch ? { fetch: o.fetch } : {}) };
  }

  private async loadTrust(): Promise<TrustStore> {
    const store = await loadTrustStore(this.caDir, this.options.crlDir === undefined ? {} : { crlDir: resolve(this.cwd, this.options.crlDir) });
    for (const p of store.problems) this.options.onWarning?.(`trust store: ${p.file}: ${p.message}`);
    return store;
  }

  /** CAs for image downloads over TLS: the CA directory when given or present; system roots alone otherwise. */
  private async tlsTrust(): Promise<TrustStore | undefined> {
    try {
      return await this.loadTrust();
    } catch (e) {
      if (this.options.caDir !== undefined || this.env['X509_CERT_DIR'] !== undefined) throw e;
      return undefined;
    }
  }
}

/**
 * Opens a site. Nothing is read or locked yet; each call takes the lock.
 *
 * @throws VmiListError `ERR_IO` when a vmcatcher handler's program does not exist (the path named).
 */
export async function openSite(options: SiteOptions): Promise<Site> {
  const site = new Site(options);
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  for (const command of [...(options.vmcatcherHook ?? []), ...(options.vmcatcherSubHook ?? [])]) await assertHandlerExists(command, env, cwd);
  return site;
}

/** Finds a subscription by id or by list UUID (case-insensitively). */
export function findSubscription(state: SubscriptionState, key: string): Subscription {
  const subs = Object.values(state.subscriptions) as Subscription[];
  const hit = subs.find((s) => s.id === key) ?? subs.find((s) => s.listId?.toLowerCase() === key.toLowerCase());
  if (!hit) {
    const known = subs.map((s) => s.id).join(', ') || 'none';
    throw new VmiListError('ERR_INPUT', `no subscription '${key}' (known: ${known})`);
  }
  return hit;
}

function listFacts(verified: VerifiedImageList): { vo?: string } {
  const vo = (verified.list as unknown as Record<string, unknown>)['ad:vo'];
  return typeof vo === 'string' && vo !== '' ? { vo } : {};
}
