/**
 * What the subscriber commands (subscribe, update, cache, status, …) share:
 * the state file and its default path, the CA directory, loading trust,
 * fetching and verifying a subscription's list, hooks and the outbox.
 *
 * The state file holds the reducer's state plus what only the command line
 * needs: the hook outbox, the image cache records and when each
 * subscription was last checked.
 */
import { createHash, randomUUID } from 'node:crypto';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VmiListError } from '../errors.js';
import { formatListDate, toEpochMs } from '../model/dates.js';
import type { VerifiedImageList } from '../model/verified.js';
import { verifySignedList } from '../smime/index.js';
import type { CrlPolicy, EndorserPrincipal } from '../smime/types.js';
import { emptyState, findImage, migrateState } from '../subscription/index.js';
import type { SubscriptionEvent } from '../subscription/events.js';
import type { Subscription, SubscriptionState } from '../subscription/types.js';
import { fetchList } from '../node/fetch.js';
import { deliverOutbox, enqueueEvents, type HookCacheDirs, type HookEvent, type HookSpec, type OutboxEntry } from '../node/hooks.js';
import { FileStateStore } from '../node/state-store.js';
import { loadTrustStore, type TrustStore } from '../node/truststore.js';
import { usageError, type CliContext } from './context.js';

/** Default CA directory when neither --ca-dir nor X509_CERT_DIR is given. */
export const DEFAULT_CA_DIR = '/etc/grid-security/certificates';

/** A downloaded image the cache vouches for. */
export interface CachedImageRecord {
  readonly sha512: string;
  readonly size: number;
  readonly cachedAt: string;
}

/** Failed downloads of one image version, to bound retries. */
export interface DownloadFailure {
  readonly sha512: string;
  readonly attempts: number;
  readonly lastError: string;
  readonly lastAt: string;
}

/** The subscriber's state file. */
export interface SubscriberFile {
  readonly format: 'vmilist-subscriber';
  readonly formatVersion: 1;
  /** The reducer's state. */
  readonly state: SubscriptionState;
  /** Events waiting for hooks. */
  readonly outbox: readonly OutboxEntry[];
  /** The image cache: where it was last, what is in it, what failed. */
  readonly cache: {
    readonly dir?: string;
    readonly images: Readonly<Record<string, CachedImageRecord>>;
    readonly failures: Readonly<Record<string, DownloadFailure>>;
    readonly lastRunAt?: string;
  };
  /** When each subscription's list was last fetched and verified (accepted or unchanged). */
  readonly checks: Readonly<Record<string, { readonly checkedAt: string }>>;
}

/** A fresh state file. */
export function emptySubscriberFile(): SubscriberFile {
  return { format: 'vmilist-subscriber', formatVersion: 1, state: emptyState(), outbox: [], cache: { images: {}, failures: {} }, checks: {} };
}

/** Reads a state file's JSON: the subscriber format, or a bare reducer state (wrapped). */
export function parseSubscriberFile(json: unknown): SubscriberFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new VmiListError('ERR_INPUT', 'the state is not a JSON object');
  const o = json as Record<string, unknown>;
  if (o['format'] === undefined && 'stateVersion' in o) return { ...emptySubscriberFile(), state: migrateState(o) };
  if (o['format'] !== 'vmilist-subscriber') throw new VmiListError('ERR_INPUT', `unknown state format ${JSON.stringify(o['format'])}`);
  if (o['formatVersion'] !== 1) throw new VmiListError('ERR_INPUT', `state formatVersion ${JSON.stringify(o['formatVersion'])} is newer than this vmilist understands`);
  const cache = (o['cache'] ?? {}) as Record<string, unknown>;
  return {
    format: 'vmilist-subscriber',
    formatVersion: 1,
    state: migrateState(o['state']),
    outbox: Array.isArray(o['outbox']) ? (o['outbox'] as OutboxEntry[]) : [],
    cache: {
      ...(typeof cache['dir'] === 'string' ? { dir: cache['dir'] } : {}),
      images: (cache['images'] ?? {}) as Record<string, CachedImageRecord>,
      failures: (cache['failures'] ?? {}) as Record<string, DownloadFailure>,
      ...(typeof cache['lastRunAt'] === 'string' ? { lastRunAt: cache['lastRunAt'] } : {}),
    },
    checks: (o['checks'] ?? {}) as Record<string, { checkedAt: string }>,
  };
}

/** The state file to use: --state, else $VMILIST_STATE, else a per-user or system path. */
export function statePath(ctx: CliContext, flag: string | undefined): string {
  if (flag !== undefined) return resolve(ctx.cwd, flag);
  const env = ctx.env['VMILIST_STATE'];
  if (env) return resolve(ctx.cwd, env);
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/vmilist/state.json';
  const base = ctx.env['XDG_STATE_HOME'] || join(ctx.env['HOME'] || homedir(), '.local', 'state');
  return join(base, 'vmilist', 'state.json');
}

/** Help text describing the state file default. */
export const STATE_HELP = `  --state FILE          the subscriber's state file (default $VMILIST_STATE, else
                        /var/lib/vmilist/state.json for root, else
                        $XDG_STATE_HOME/vmilist/state.json, i.e.
                        ~/.local/state/vmilist/state.json)
  --lock-wait SECONDS   wait this long for another vmilist run holding the state
                        (default 0: fail at once, so overlapping cron runs never interleave)`;

/** Help text for trust options. */
export const TRUST_HELP = `  --ca-dir DIR          IGTF CA directory (default $X509_CERT_DIR, else
                        ${DEFAULT_CA_DIR}); also trusted for TLS besides the system roots
  --crl-dir DIR         a further directory of CRLs
  --crl-policy P        require (default) | if-present | off
  --allow-sha1          accept SHA-1 signed lists
  --allow-http          fetch lists over plain http (the signature still protects them)`;

/** Help text for hook options. */
export const HOOK_HELP = `  --hook CMD            run CMD (through /bin/sh) once per event: the event is in
                        VMILIST_EVENT_* variables and as JSON on stdin; repeatable
  --vmcatcher-hook CMD  run CMD per event with the Python subscriber's handler
                        environment (VMCATCHER_EVENT_TYPE, VMCATCHER_EVENT_*,
                        VMCATCHER_CACHE_DIR_*); repeatable
  --hook-timeout SECS   time limit per hook run (default 600)
Events are kept in the state file until each hook has taken them (exit 0); a
hook that fails gets the event again on the next run, with later events held
back so it sees them in order. Give the same hook options to every run.`;

/** parseArgs options for the state file. */
export const STATE_OPTIONS = {
  state: { type: 'string' },
  'lock-wait': { type: 'string' },
} as const;

/** parseArgs options for trust and fetching. */
export const TRUST_OPTIONS = {
  'ca-dir': { type: 'string' },
  'crl-dir': { type: 'string' },
  'crl-policy': { type: 'string' },
  'allow-sha1': { type: 'boolean' },
  'allow-http': { type: 'boolean' },
} as const;

/** parseArgs options for hooks. */
export const HOOK_OPTIONS = {
  hook: { type: 'string', multiple: true },
  'vmcatcher-hook': { type: 'string', multiple: true },
  'hook-timeout': { type: 'string' },
} as const;

/** A whole number of seconds from an option. */
export function secondsOption(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw usageError(`${flag} must be a whole number of seconds, not '${value}'`);
  return Number(value);
}

/** The state store for the given options. */
export function openStore(ctx: CliContext, values: { state?: string; 'lock-wait'?: string }): FileStateStore<SubscriberFile> {
  return new FileStateStore(statePath(ctx, values.state), {
    parse: parseSubscriberFile,
    lockWaitMs: secondsOption('--lock-wait', values['lock-wait'], 0) * 1000,
  });
}

/** Reads the state file; a missing one is an error unless `allowMissing`. */
export async function readFile(store: FileStateStore<SubscriberFile>, allowMissing = false): Promise<SubscriberFile> {
  const file = await store.read();
  if (file) return file;
  if (allowMissing) return emptySubscriberFile();
  throw new VmiListError('ERR_INPUT', `no state file at ${store.path}: subscribe to a list first (vmilist subscribe URL), or give --state`);
}

/** The time of this run: --at, else the clock. */
export function runTime(ctx: CliContext, at: string | undefined): { ms: number; iso: string } {
  const ms = at === undefined ? ctx.now().getTime() : toEpochMs(at, '--at');
  return { ms, iso: formatListDate(ms) };
}

/** Trust options as given on the command line. */
export interface TrustValues {
  'ca-dir'?: string;
  'crl-dir'?: string;
  'crl-policy'?: string;
  'allow-sha1'?: boolean;
  'allow-http'?: boolean;
}

/** The CA directory: --ca-dir, $X509_CERT_DIR, or the IGTF default. */
export function caDirOf(ctx: CliContext, values: TrustValues): string {
  return resolve(ctx.cwd, values['ca-dir'] ?? ctx.env['X509_CERT_DIR'] ?? DEFAULT_CA_DIR);
}

/** Loads the trust store, printing its unusable files as warnings. */
export async function loadTrust(ctx: CliContext, values: TrustValues, command: string): Promise<TrustStore> {
  const store = await loadTrustStore(caDirOf(ctx, values), values['crl-dir'] === undefined ? {} : { crlDir: resolve(ctx.cwd, values['crl-dir']) });
  for (const p of store.problems) ctx.stderr(`vmilist ${command}: warning: trust store: ${p.file}: ${p.message}\n`);
  return store;
}

function crlPolicyOf(v: string | undefined): CrlPolicy | undefined {
  if (v === undefined) return undefined;
  if (v !== 'require' && v !== 'if-present' && v !== 'off') throw usageError(`--crl-policy must be require, if-present or off, not '${v}'`);
  return v;
}

/** Whether a command-line source is a URL (`scheme://…`) rather than a file path. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

/** A list source as a URL: URLs as given, file paths as file:// URLs. */
export function sourceUrl(ctx: CliContext, source: string): string {
  if (isUrl(source)) return source;
  return pathToFileURL(isAbsolute(source) ? source : resolve(ctx.cwd, source)).href;
}

/** Fetches and verifies a list; every failure names the subscription (when given) and the URL. */
export async function fetchAndVerify(
  url: string,
  trust: TrustStore,
  values: TrustValues,
  at: number,
  endorsers: readonly EndorserPrincipal[] | undefined,
  label: string,
): Promise<VerifiedImageList> {
  try {
    const { bytes } = await fetchList(url, { allowHttp: values['allow-http'] === true, ca: trust.trustAnchors });
    const crlPolicy = crlPolicyOf(values['crl-policy']);
    return await verifySignedList(bytes, {
      trustAnchors: trust.trustAnchors,
      intermediates: trust.intermediates,
      crls: trust.crls,
      namespaces: trust.namespaces,
      at,
      ...(endorsers && endorsers.length > 0 ? { endorsers } : {}),
      ...(values['allow-sha1'] ? { allowSha1: true } : {}),
      ...(crlPolicy ? { crlPolicy } : {}),
    });
  } catch (e) {
    throw nameError(e, label, url);
  }
}

/** Prefixes an error's message with the subscription and URL it concerns. */
export function nameError(e: unknown, label: string, url: string): VmiListError {
  const where = `${label} (${url})`;
  if (e instanceof VmiListError) {
    if (e.message.startsWith(where)) return e;
    return new VmiListError(e.code, `${where}: ${e.message}`, { issues: e.issues, cause: e });
  }
  return new VmiListError('ERR_IO', `${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** The hooks configured on the command line. */
export function hooksOf(values: { hook?: string[]; 'vmcatcher-hook'?: string[] }): HookSpec[] {
  return [...(values.hook ?? []).map((command) => ({ command, mode: 'native' as const })), ...(values['vmcatcher-hook'] ?? []).map((command) => ({ command, mode: 'vmcatcher' as const }))];
}

/** A reducer event as hooks see it. */
export function toHookEvent(state: SubscriptionState, e: SubscriptionEvent): HookEvent {
  const r = e as unknown as Record<string, unknown>;
  const subId = typeof r['subscription'] === 'string' ? r['subscription'] : undefined;
  const sub = subId === undefined ? undefined : (state.subscriptions as Record<string, Subscription | undefined>)[subId];
  const uuid = typeof r['uuid'] === 'string' ? r['uuid'] : undefined;
  const listId = typeof r['listId'] === 'string' ? r['listId'] : (uuid ? findImage(state, uuid)?.listId : undefined) ?? sub?.listId;
  const image = r['image'] as Record<string, unknown> | undefined;
  return {
    id: e.id,
    type: e.type,
    at: e.at,
    ...(subId !== undefined ? { subscription: subId } : {}),
    ...(listId !== undefined ? { listId } : {}),
    ...(uuid !== undefined ? { imageId: uuid } : {}),
    ...(image !== undefined ? { image } : {}),
    detail: e,
  };
}

/** A stable id for an event the CLI makes itself. */
export function cliEventId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

/** Runs the hooks on what waits in the outbox, saving after each delivery. */
export async function deliver(
  ctx: CliContext,
  store: FileStateStore<SubscriberFile>,
  file: SubscriberFile,
  hooks: readonly HookSpec[],
  values: { 'hook-timeout'?: string },
  opts: { sessionId: string; cacheDirs?: HookCacheDirs; command: string },
): Promise<{ file: SubscriberFile; failed: number }> {
  if (file.outbox.length === 0 || hooks.length === 0) return { file, failed: 0 };
  let current = file;
  const result = await deliverOutbox(file.outbox, {
    hooks,
    env: ctx.env,
    cwd: ctx.cwd,
    sessionId: opts.sessionId,
    ...(opts.cacheDirs ? { cacheDirs: opts.cacheDirs } : {}),
    timeoutMs: secondsOption('--hook-timeout', values['hook-timeout'], 600) * 1000,
    save: async (outbox) => {
      current = { ...current, outbox };
      await store.write(current);
    },
  });
  for (const f of result.failed) {
    ctx.stderr(`vmilist ${opts.command}: hook '${f.hook}' failed on ${f.event.type} ${f.event.imageId ?? f.event.subscription ?? ''} (${f.message}); it will get the event again on the next run\n`);
  }
  return { file: current, failed: result.failed.length };
}

/** Adds events to the outbox for the configured hooks. */
export function withEvents(file: SubscriberFile, events: readonly HookEvent[], hooks: readonly HookSpec[]): SubscriberFile {
  if (hooks.length === 0 || events.length === 0) return file;
  return { ...file, outbox: enqueueEvents(file.outbox, events, hooks) };
}

/** A fresh session id for one run (compat handlers get it as VMCATCHER_EVENT_UUID_SESSION). */
export function newSessionId(): string {
  return randomUUID();
}

/** Finds a subscription by id or by list UUID. */
export function findSubscription(state: SubscriptionState, key: string): Subscription {
  const subs = Object.values(state.subscriptions) as Subscription[];
  const hit = subs.find((s) => s.id === key) ?? subs.find((s) => s.listId?.toLowerCase() === key.toLowerCase());
  if (!hit) {
    const known = subs.map((s) => s.id).join(', ') || 'none';
    throw new VmiListError('ERR_INPUT', `no subscription '${key}' (known: ${known})`);
  }
  return hit;
}

/** Endorser principals from --endorser-dn / --endorser-ca. */
export function principalsOf(dns: string[] | undefined, ca: string | undefined): EndorserPrincipal[] | undefined {
  if (dns === undefined || dns.length === 0) {
    if (ca !== undefined) throw usageError('--endorser-ca needs at least one --endorser-dn');
    return undefined;
  }
  return dns.map((dn) => (ca === undefined ? { dn } : { dn, ca }));
}

/** Exit code for an error, as the CLI maps them: 2 for usage and I/O, 1 otherwise. */
export function exitCodeOf(e: VmiListError): number {
  return e.code === 'ERR_INPUT' || e.code === 'ERR_IO' ? 2 : 1;
}
