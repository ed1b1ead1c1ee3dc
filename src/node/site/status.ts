/** A site's status: what a person needs at a glance, as data (the CLI prints it). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseListDate } from '../../model/dates.js';
import type { ImageRecord, Subscription } from '../../subscription/types.js';
import { loadTrustStore, trustStoreSummary } from '../truststore.js';
import type { HandlerRun } from './handlers.js';
import type { DownloadFailure, SubscriberFile } from './state-file.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** "3 d 4 h", "5 h 10 min", "12 min", for a duration in ms. */
export function span(ms: number): string {
  const a = Math.abs(ms);
  if (a >= DAY) return `${Math.floor(a / DAY)} d ${Math.floor((a % DAY) / HOUR)} h`;
  if (a >= HOUR) return `${Math.floor(a / HOUR)} h ${Math.floor((a % HOUR) / 60_000)} min`;
  return `${Math.floor(a / 60_000)} min`;
}

/** "3 d 4 h ago", "in 5 h 10 min", "never". */
export function relative(now: number, iso: string | undefined): string {
  const t = iso === undefined ? undefined : parseListDate(iso);
  if (t === undefined) return 'never';
  return t <= now ? `${span(now - t)} ago` : `in ${span(t - now)}`;
}

/** One subscription in a {@link SiteStatus}. */
export interface SubscriptionStatus {
  readonly id: string;
  readonly uri: string;
  readonly listId?: string;
  readonly version?: string;
  readonly acceptedAt?: string;
  readonly checkedAt?: string;
  readonly expires?: string;
  readonly expiresInSeconds?: number;
  readonly images: { readonly current: number; readonly pending: number; readonly denied: number; readonly expired: number };
}

/** What `Site.status` reports. */
export interface SiteStatus {
  readonly at: string;
  readonly state: string;
  readonly subscriptions: readonly SubscriptionStatus[];
  readonly images: { readonly total: number; readonly runnable: number; readonly pending: number };
  readonly cache: {
    readonly dir?: string;
    readonly lastRunAt?: string;
    readonly cached: number;
    readonly toDownload: number;
    readonly expiredStillCached: number;
    readonly failing: readonly (DownloadFailure & { readonly uuid: string })[];
  };
  /** Native hook events waiting, and the last delivery error. */
  readonly hooks: { readonly waiting: number; readonly lastError?: string };
  /** vmcatcher handler runs that failed (recorded, not retried), newest last. */
  readonly handlerFailures: readonly HandlerRun[];
  readonly trust: { readonly caDir: string; readonly cas?: number; readonly crls?: number; readonly error?: string };
  readonly warnings: readonly string[];
}

/** Builds the status of `file` as of `now`, checking the trust directory's CAs and CRLs. */
export async function siteStatus(file: SubscriberFile, o: { now: { ms: number; iso: string }; stateFile: string; caDir: string; crlDir?: string }): Promise<SiteStatus> {
  const now = o.now;
  const warnings: string[] = [];
  const subs = (Object.values(file.state.subscriptions) as Subscription[]).sort((a, b) => a.id.localeCompare(b.id));
  const images: readonly ImageRecord[] = file.state.images;
  const cachedOk = (r: ImageRecord) => file.cache.images[r.uuid.toLowerCase()]?.sha512 === r.image['sl:checksum:sha512'];

  const subscriptions = subs.map((s): SubscriptionStatus => {
    const mine = images.filter((r) => r.subscription === s.id);
    const expires = s.last ? parseListDate(s.last.expires) : undefined;
    const checked = file.checks[s.id]?.checkedAt;
    const checkedMs = checked === undefined ? undefined : parseListDate(checked);
    if (expires !== undefined && expires <= now.ms) warnings.push(`list of ${s.id} expired ${relative(now.ms, s.last?.expires)}: its images are no longer runnable; the endorser must publish a new one`);
    else if (expires !== undefined && expires - now.ms < 7 * DAY) warnings.push(`list of ${s.id} expires in ${span(expires - now.ms)}`);
    if (checkedMs === undefined || now.ms - checkedMs > DAY) warnings.push(`${s.id} has not been updated successfully ${checkedMs === undefined ? 'yet' : `for ${span(now.ms - checkedMs)}`} (${s.uri})`);
    if (s.staleSince) warnings.push(`list of ${s.id} is stale since ${s.staleSince}`);
    const count = (st: string) => mine.filter((r) => r.status === st).length;
    return {
      id: s.id,
      uri: s.uri,
      ...(s.listId !== undefined ? { listId: s.listId } : {}),
      ...(s.last ? { version: s.last.version, acceptedAt: s.last.acceptedAt, expires: s.last.expires } : {}),
      ...(checked !== undefined ? { checkedAt: checked } : {}),
      ...(expires !== undefined ? { expiresInSeconds: Math.round((expires - now.ms) / 1000) } : {}),
      images: { current: count('current'), pending: count('pending'), denied: count('denied'), expired: count('expired') },
    };
  });

  const runnable = images.filter((r) => r.status === 'current' && r.approved);
  const cacheDir = file.cache.dir;
  const cache = {
    ...(cacheDir !== undefined ? { dir: cacheDir } : {}),
    ...(file.cache.lastRunAt !== undefined ? { lastRunAt: file.cache.lastRunAt } : {}),
    cached: runnable.filter(cachedOk).length,
    toDownload: runnable.filter((r) => !cachedOk(r)).length,
    expiredStillCached: images.filter((r) => r.status !== 'current' && file.cache.images[r.uuid.toLowerCase()] && cacheDir && existsSync(join(cacheDir, 'cache', r.uuid))).length,
    failing: Object.entries(file.cache.failures).map(([uuid, f]) => ({ uuid, ...f })),
  };
  for (const f of cache.failing) warnings.push(`download of ${f.uuid} failed ${f.attempts} time(s), last ${f.lastAt}: ${f.lastError}`);
  if (cache.toDownload > 0) warnings.push(`${cache.toDownload} approved image(s) not cached yet: run vmilist cache`);
  const pending = images.filter((r) => r.status === 'pending').length;
  const lastError = file.outbox.find((e) => e.lastError)?.lastError;
  const hooks = { waiting: file.outbox.length, ...(lastError !== undefined ? { lastError } : {}) };
  if (hooks.waiting > 0) warnings.push(`${hooks.waiting} event(s) waiting for hooks${lastError ? `; last failure: ${lastError}` : ''}`);
  const lastFailure = file.handlerFailures[file.handlerFailures.length - 1];
  if (lastFailure) warnings.push(`vmcatcher handler '${lastFailure.handler}' failed on ${lastFailure.event}${lastFailure.imageId ? ` ${lastFailure.imageId}` : ''} at ${lastFailure.at} (${lastFailure.message ?? 'failed'}); ${file.handlerFailures.length} failed run(s) recorded, none retried`);

  let trust: SiteStatus['trust'] = { caDir: o.caDir };
  try {
    const ts = await loadTrustStore(o.caDir, o.crlDir === undefined ? {} : { crlDir: o.crlDir });
    const sum = trustStoreSummary(ts, now.ms);
    trust = { caDir: o.caDir, cas: sum.cas.length, crls: sum.crls.length };
    for (const c of sum.crls) {
      if (c.expired) warnings.push(`CRL of ${c.issuer} expired (${c.nextUpdate ?? 'no nextUpdate'}): lists signed under it are refused; run fetch-crl`);
      else if (c.expiresWithin24h) warnings.push(`CRL of ${c.issuer} expires within 24 h (${c.nextUpdate}): run fetch-crl`);
    }
    for (const ca of sum.casWithoutCrl) warnings.push(`CA ${ca} has no CRL in ${o.caDir}`);
    for (const c of sum.cas) if (c.expired) warnings.push(`CA ${c.subject} expired ${c.notAfter}`);
  } catch (e) {
    trust = { caDir: o.caDir, error: (e as Error).message };
    warnings.push(`trust store: ${(e as Error).message}`);
  }
  return { at: now.iso, state: o.stateFile, subscriptions, images: { total: images.length, runnable: runnable.length, pending }, cache, hooks, handlerFailures: file.handlerFailures, trust, warnings };
}
