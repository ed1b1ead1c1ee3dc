/**
 * Event hooks for site tooling. A hook is a command line the site
 * configures; it runs once per event with the event in environment
 * variables and as JSON on stdin. List data never becomes part of a command
 * line: the shell only ever sees the configured command string.
 *
 * Modes: `native` (`VMILIST_EVENT_*` variables, every vmilist event),
 * `vmcatcher` (vmcatcher_cache's handler: its cache event types and
 * `VMCATCHER_*` variables, so existing handlers that load images into
 * OpenStack or OpenNebula keep working) and `vmcatcher-sub`
 * (vmcatcher_subscribe's handler: `SubscriptionImageNew` only).
 *
 * Native events are durable: they go into an outbox kept in the state file
 * before any hook runs, each hook's delivery is marked done after it
 * succeeds, and what failed (or was cut short by a crash) is retried by the
 * next run. vmcatcher handlers are run as vmcatcher runs them: once per
 * event, a non-zero exit logged and processing going on (see `site/handlers.ts`).
 */
import { spawn } from 'node:child_process';

/** How a hook receives events: native (outbox, retried), vmcatcher cache handler, vmcatcher subscription handler. */
export type HookMode = 'native' | 'vmcatcher' | 'vmcatcher-sub';

/** A configured hook. */
export interface HookSpec {
  /** The command, run through `/bin/sh -c` exactly as configured. */
  readonly command: string;
  readonly mode: HookMode;
}

/** Event types of the Python subscriber's handlers. */
export type VmcatcherEventType =
  | 'ProcessPrefix'
  | 'AvailablePrefix'
  | 'AvailablePostfix'
  | 'ExpirePrefix'
  | 'ExpirePostfix'
  | 'ProcessPostfix'
  | 'SubscriptionImageNew';

/** Events the cache command adds to the reducer's (`image.added`, `list.accepted`, …). */
export type CacheEventType =
  | 'cache.process.start'
  | 'cache.available.before'
  | 'cache.available'
  | 'cache.expire.before'
  | 'cache.expired'
  | 'cache.process.end';

/** An event as hooks see it. */
export interface HookEvent {
  /** Stable identifier: the same event always has the same id. */
  readonly id: string;
  /** `image.added`, `image.expired`, `list.accepted`, …, or a {@link CacheEventType}. */
  readonly type: string;
  /** When it happened, `Z` form. */
  readonly at: string;
  /** Subscription id, when the event belongs to one. */
  readonly subscription?: string;
  /** `dc:identifier` of the list. */
  readonly listId?: string;
  /** `dc:identifier` of the image. */
  readonly imageId?: string;
  /** The image's wire metadata (`dc:title`, `hv:uri`, `sl:checksum:sha512`, …). */
  readonly image?: Readonly<Record<string, unknown>>;
  /** The event as the reducer (or the cache) described it. */
  readonly detail?: unknown;
  /** The list's `ad:vo`, for images that name none (vmcatcher's `VO`). */
  readonly listVo?: string;
  /** The image's file name in its directory when not the identifier as written (an expired copy: `<id>.<timestamp>`). */
  readonly fileName?: string;
}

/** One event waiting for hooks. */
export interface OutboxEntry {
  readonly event: HookEvent;
  /** Keys (`native:<command>`) of the hooks that still have to get it. */
  readonly pending: readonly string[];
  /** Failed deliveries so far. */
  readonly attempts: number;
  /** Why the last delivery failed. */
  readonly lastError?: string;
}

/** Where hooks find the cache (compat handlers concatenate dir + UUID). */
export interface HookCacheDirs {
  readonly cache: string;
  readonly download: string;
  readonly expire: string;
}

/** What a hook run sees besides the event. */
export interface HookContext {
  /** The environment handed down to hooks (the caller's own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One UUID per run (`VMCATCHER_EVENT_UUID_SESSION`). */
  readonly sessionId: string;
  /** Cache directories, when known. */
  readonly cacheDirs?: HookCacheDirs;
  /** Working directory of the hook. */
  readonly cwd?: string;
}

/** The outcome of one hook run. */
export interface HookRunResult {
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  /** The first 64 KiB of stdout and stderr, for logs. */
  readonly output: string;
}

/** Identifies a hook in the outbox. */
export function hookKey(hook: HookSpec): string {
  return `${hook.mode}:${hook.command}`;
}

const COMPAT_TYPES: Readonly<Record<string, VmcatcherEventType>> = {
  'cache.process.start': 'ProcessPrefix',
  'cache.available.before': 'AvailablePrefix',
  'cache.available': 'AvailablePostfix',
  'cache.expire.before': 'ExpirePrefix',
  'cache.expired': 'ExpirePostfix',
  'cache.process.end': 'ProcessPostfix',
};

const NATIVE_SKIPS = new Set(['cache.process.start', 'cache.available.before', 'cache.expire.before', 'cache.process.end']);

/** vmcatcher_cache's event type for `event`, or undefined when the cache handler does not get it. */
export function vmcatcherEventType(event: Pick<HookEvent, 'type'>): VmcatcherEventType | undefined {
  return COMPAT_TYPES[event.type];
}

/** The event type a hook of `mode` sees for `event`, or undefined when that hook does not get it. */
function eventTypeFor(mode: HookMode, event: Pick<HookEvent, 'type'>): string | undefined {
  if (mode === 'vmcatcher') return vmcatcherEventType(event);
  if (mode === 'vmcatcher-sub') return event.type === 'image.added' ? 'SubscriptionImageNew' : undefined;
  return NATIVE_SKIPS.has(event.type) ? undefined : event.type;
}

/** Whether `hook` gets `event` at all. */
export function hookApplies(hook: HookSpec, event: Pick<HookEvent, 'type'>): boolean {
  return eventTypeFor(hook.mode, event) !== undefined;
}

/**
 * Adds events to the outbox for the hooks they apply to (pure). Events
 * with no hook to go to are not kept; an event id already waiting is not added again.
 */
export function enqueueEvents(outbox: readonly OutboxEntry[], events: readonly HookEvent[], hooks: readonly HookSpec[]): OutboxEntry[] {
  const waiting = new Set(outbox.map((e) => e.event.id));
  const out = [...outbox];
  for (const event of events) {
    if (waiting.has(event.id)) continue;
    const pending = [...new Set(hooks.filter((h) => hookApplies(h, event)).map(hookKey))];
    if (pending.length === 0) continue;
    out.push({ event, pending, attempts: 0 });
    waiting.add(event.id);
  }
  return out;
}

// wire field → VMCATCHER_EVENT_ suffix, as the Python subscriber names them
const COMPAT_FIELDS: readonly (readonly [string, string])[] = [
  ['dc:description', 'DC_DESCRIPTION'],
  ['dc:identifier', 'DC_IDENTIFIER'],
  ['dc:title', 'DC_TITLE'],
  ['hv:hypervisor', 'HV_HYPERVISOR'],
  ['hv:size', 'HV_SIZE'],
  ['hv:uri', 'HV_URI'],
  ['hv:version', 'HV_VERSION'],
  ['hv:format', 'HV_FORMAT'],
  ['sl:arch', 'SL_ARCH'],
  ['sl:checksum:sha512', 'SL_CHECKSUM_SHA512'],
  ['sl:comments', 'SL_COMMENTS'],
  ['sl:os', 'SL_OS'],
  ['sl:osversion', 'SL_OSVERSION'],
  ['ad:mpuri', 'AD_MPURI'],
];

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return s === '' ? undefined : s;
}

function withSlash(dir: string): string {
  return dir.endsWith('/') ? dir : `${dir}/`;
}

function inherited(env: Readonly<Record<string, string | undefined>>, dropPrefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !k.startsWith(dropPrefix)) out[k] = v;
  return out;
}

/**
 * The environment of a vmcatcher handler (`mode` `vmcatcher` or
 * `vmcatcher-sub`): the site's own environment, its `VMCATCHER_*` settings
 * such as `VMCATCHER_RDBMS` included (handlers call vmcatcher's tools with
 * them), without `VMCATCHER_EVENT_*` left over from a caller; then
 * `VMCATCHER_EVENT_TYPE`, `VMCATCHER_EVENT_UUID_SESSION`,
 * `VMCATCHER_CACHE_DIR_{CACHE,DOWNLOAD,EXPIRE}` with a trailing `/` (cache
 * handler only), and the
 * per-image `VMCATCHER_EVENT_*` set only when non-empty: `VO` from the
 * image's `ad:vo`, else the list's; `FILENAME` the identifier as the list
 * writes it (the expired copy's name for `ExpirePostfix`).
 */
export function vmcatcherEnvironment(event: HookEvent, ctx: HookContext, mode: 'vmcatcher' | 'vmcatcher-sub' = 'vmcatcher'): Record<string, string> {
  const type = eventTypeFor(mode, event);
  if (type === undefined) throw new Error(`event type ${event.type} has no vmcatcher equivalent`);
  const env = inherited(ctx.env, 'VMCATCHER_EVENT_');
  env['VMCATCHER_EVENT_TYPE'] = type;
  env['VMCATCHER_EVENT_UUID_SESSION'] = ctx.sessionId;
  // cache dirs are the cache handler's; a new subscription image is not in the cache
  if (ctx.cacheDirs && mode === 'vmcatcher') {
    env['VMCATCHER_CACHE_DIR_CACHE'] = withSlash(ctx.cacheDirs.cache);
    env['VMCATCHER_CACHE_DIR_DOWNLOAD'] = withSlash(ctx.cacheDirs.download);
    env['VMCATCHER_CACHE_DIR_EXPIRE'] = withSlash(ctx.cacheDirs.expire);
  }
  const image = event.image;
  if (image) {
    for (const [field, name] of COMPAT_FIELDS) {
      const v = text(image[field]);
      if (v !== undefined) env[`VMCATCHER_EVENT_${name}`] = v;
    }
    const vo = text(image['ad:vo']) ?? text(event.listVo);
    if (vo !== undefined) env['VMCATCHER_EVENT_VO'] = vo;
    const file = text(event.fileName) ?? text(image['dc:identifier']);
    if (file !== undefined) env['VMCATCHER_EVENT_FILENAME'] = file;
  }
  const listId = text(event.listId);
  if (listId !== undefined) env['VMCATCHER_EVENT_IL_DC_IDENTIFIER'] = listId;
  return env;
}

/** The environment of a native-mode hook: the caller's plus `VMILIST_EVENT_*` (non-empty values only). */
export function nativeEnvironment(event: HookEvent, ctx: HookContext): Record<string, string> {
  const env = inherited(ctx.env, 'VMILIST_EVENT_');
  const set = (k: string, v: unknown) => {
    const s = text(v);
    if (s !== undefined) env[k] = s;
  };
  set('VMILIST_EVENT_ID', event.id);
  set('VMILIST_EVENT_TYPE', event.type);
  set('VMILIST_EVENT_AT', event.at);
  set('VMILIST_EVENT_SESSION', ctx.sessionId);
  set('VMILIST_EVENT_SUBSCRIPTION', event.subscription);
  set('VMILIST_EVENT_LIST_ID', event.listId);
  set('VMILIST_EVENT_IMAGE_ID', event.imageId);
  if (event.image) {
    set('VMILIST_EVENT_IMAGE_TITLE', event.image['dc:title']);
    set('VMILIST_EVENT_IMAGE_VERSION', event.image['hv:version']);
    set('VMILIST_EVENT_IMAGE_SHA512', event.image['sl:checksum:sha512']);
    set('VMILIST_EVENT_IMAGE_SIZE', event.image['hv:size']);
    set('VMILIST_EVENT_IMAGE_URI', event.image['hv:uri']);
  }
  if (ctx.cacheDirs) {
    set('VMILIST_EVENT_CACHE_DIR', ctx.cacheDirs.cache);
    if (event.imageId) set('VMILIST_EVENT_IMAGE_FILE', `${withSlash(ctx.cacheDirs.cache)}${event.imageId}`);
  }
  return env;
}

const OUTPUT_CAP = 64 * 1024;

/**
 * Runs one hook for one event: `/bin/sh -c <command>` with the event in the
 * environment and as JSON on stdin; killed (whole process group) after `timeoutMs`.
 */
export function runHook(hook: HookSpec, event: HookEvent, ctx: HookContext, timeoutMs = 600_000): Promise<HookRunResult> {
  const env = hook.mode === 'native' ? nativeEnvironment(event, ctx) : vmcatcherEnvironment(event, ctx, hook.mode);
  return new Promise((resolveRun) => {
    let output = '';
    let timedOut = false;
    const child = spawn(hook.command, { shell: true, env, cwd: ctx.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const keep = (b: Buffer) => {
      if (output.length < OUTPUT_CAP) output += b.toString('utf8').slice(0, OUTPUT_CAP - output.length);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.stdin?.on('error', () => undefined); // a handler that ignores stdin may close it early
    child.stdin?.end(`${JSON.stringify(event)}\n`);
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    let hard: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      hard = setTimeout(() => killGroup('SIGKILL'), 5000);
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveRun({ ok: false, exitCode: null, signal: null, timedOut, output: `cannot start hook: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (hard) clearTimeout(hard);
      resolveRun({ ok: code === 0 && !timedOut, exitCode: code, signal, timedOut, output });
    });
  });
}

/** Options for {@link deliverOutbox}. */
export interface DeliverOptions extends HookContext {
  /** The hooks configured for this run; pending deliveries to other hooks wait. */
  readonly hooks: readonly HookSpec[];
  /** Time limit per hook run, ms. Default 10 min. */
  readonly timeoutMs?: number;
  /** Persists the outbox; called after every delivery, before the next. */
  readonly save: (outbox: OutboxEntry[]) => Promise<void>;
  /** Told about each hook run. */
  readonly onRun?: (entry: OutboxEntry, hook: HookSpec, result: HookRunResult) => void;
}

/** What {@link deliverOutbox} did. */
export interface DeliverResult {
  readonly outbox: OutboxEntry[];
  readonly delivered: number;
  readonly failed: readonly { readonly event: HookEvent; readonly hook: string; readonly message: string }[];
}

/** A one-line reason for a failed hook run: timed out, killed by a signal, or the exit status with the last line of output. */
export function describeRun(r: HookRunResult): string {
  if (r.timedOut) return 'timed out, killed';
  if (r.signal) return `killed by ${r.signal}`;
  const tail = r.output.trim().split('\n').slice(-1)[0] ?? '';
  return `exit status ${r.exitCode}${tail ? `: ${tail.slice(0, 200)}` : ''}`;
}

/**
 * Delivers waiting events in order. Each hook gets its events in the order
 * they happened; after a failure that hook gets nothing more this run (so
 * it never sees a later event before an earlier one), and the failed event
 * stays in the outbox for the next run. The outbox is saved after each run
 * of a hook, so a crash repeats at most the one delivery that was running.
 */
export async function deliverOutbox(outbox: readonly OutboxEntry[], options: DeliverOptions): Promise<DeliverResult> {
  let current: OutboxEntry[] = [...outbox];
  const byKey = new Map(options.hooks.map((h) => [hookKey(h), h] as const));
  const blocked = new Set<string>();
  const failed: { event: HookEvent; hook: string; message: string }[] = [];
  let delivered = 0;
  for (let i = 0; i < current.length; ) {
    const entry = current[i] as OutboxEntry;
    let updated: OutboxEntry = entry;
    for (const key of entry.pending) {
      const hook = byKey.get(key);
      if (!hook || blocked.has(key)) continue;
      const result = await runHook(hook, entry.event, options, options.timeoutMs);
      options.onRun?.(entry, hook, result);
      if (result.ok) {
        delivered++;
        updated = { ...updated, pending: updated.pending.filter((k) => k !== key) };
      } else {
        blocked.add(key);
        const message = describeRun(result);
        failed.push({ event: entry.event, hook: hook.command, message });
        updated = { ...updated, attempts: updated.attempts + 1, lastError: `${hook.command}: ${message}` };
      }
      current = updated.pending.length === 0 ? [...current.slice(0, i), ...current.slice(i + 1)] : [...current.slice(0, i), updated, ...current.slice(i + 1)];
      await options.save(current);
      if (updated.pending.length === 0) break;
    }
    if (updated.pending.length > 0) i++;
  }
  return { outbox: current, delivered, failed };
}
