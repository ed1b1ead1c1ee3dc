/**
 * What the subscriber commands (subscribe, update, cache, status, …) share:
 * the state file's default path, help texts and options, and opening the
 * site (the `vmilist/node` subscriber API) from the command line.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { VmiListError } from '../errors.js';
import { toEpochMs } from '../model/dates.js';
import { decodeUtf8, parseStrictJson } from '../model/json.js';
import type { SitePolicy } from '../subscription/types.js';
import type { CrlPolicy } from '../smime/types.js';
import { DEFAULT_CA_DIR, openSite, type HookReport, type Site, type SiteOptions } from '../node/site/site.js';
import type { SubscriberFile } from '../node/site/state-file.js';
import { usageError, type CliContext } from './context.js';
import { readInput } from './io.js';

export { DEFAULT_CA_DIR };
export { isUrl } from '../node/site/sources.js';
export { loadTrust, principalsOf, type TrustValues } from './trust.js';

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
                        VMILIST_EVENT_* variables and as JSON on stdin; repeatable.
                        Events are kept in the state file until the hook exits 0:
                        a hook that fails gets the event again, with later events
                        held back so it sees them in order. Every run that holds
                        the state's lock (any command) first delivers what waits:
                        at least once, each event with a stable VMILIST_EVENT_ID.
                        Give the same --hook options to every run.
  --vmcatcher-hook CMD  a vmcatcher cache handler (VMCATCHER_CACHE_EVENT): runs per
                        cache event (ProcessPrefix, ExpirePrefix/ExpirePostfix,
                        AvailablePrefix/AvailablePostfix, ProcessPostfix) with
                        vmcatcher's environment: the site's own, VMCATCHER_RDBMS &c.
                        included, plus VMCATCHER_EVENT_* and VMCATCHER_CACHE_DIR_*.
                        As in vmcatcher, a non-zero exit is recorded (status,
                        --json) and processing goes on: no retry; repeatable
  --vmcatcher-sub-hook CMD  vmcatcher_subscribe's handler: SubscriptionImageNew per
                        new image (subscribe, update); same rules; repeatable
  --hook-timeout SECS   time limit per hook or handler run (default 600); a run
                        past it is killed (its process group) and reported`;

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
  'vmcatcher-sub-hook': { type: 'string', multiple: true },
  'hook-timeout': { type: 'string' },
} as const;

/** A whole number of seconds from an option. */
export function secondsOption(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim())) throw usageError(`${flag} must be a whole number of seconds, not '${value}'`);
  return Number(value);
}

/** Options of the subscriber commands as parsed. */
export interface SiteValues {
  state?: string;
  'lock-wait'?: string;
  'ca-dir'?: string;
  'crl-dir'?: string;
  'crl-policy'?: string;
  'allow-sha1'?: boolean;
  'allow-http'?: boolean;
  hook?: string[];
  'vmcatcher-hook'?: string[];
  'vmcatcher-sub-hook'?: string[];
  'hook-timeout'?: string;
}

function crlPolicyOf(v: string | undefined): CrlPolicy | undefined {
  if (v === undefined) return undefined;
  if (v !== 'require' && v !== 'if-present' && v !== 'off') throw usageError(`--crl-policy must be require, if-present or off, not '${v}'`);
  return v;
}

/** Opens the site the command line describes; warnings go to stderr. */
export function siteOf(ctx: CliContext, command: string, values: SiteValues, extra: Partial<SiteOptions> = {}): Promise<Site> {
  const crlPolicy = crlPolicyOf(values['crl-policy']);
  return openSite({
    stateFile: statePath(ctx, values.state),
    lockWaitMs: secondsOption('--lock-wait', values['lock-wait'], 0) * 1000,
    hookTimeoutMs: secondsOption('--hook-timeout', values['hook-timeout'], 600) * 1000,
    ...(values['ca-dir'] !== undefined ? { caDir: resolve(ctx.cwd, values['ca-dir']) } : {}),
    ...(values['crl-dir'] !== undefined ? { crlDir: resolve(ctx.cwd, values['crl-dir']) } : {}),
    ...(crlPolicy ? { crlPolicy } : {}),
    ...(values['allow-sha1'] ? { allowSha1: true } : {}),
    ...(values['allow-http'] ? { allowHttp: true } : {}),
    hooks: values.hook ?? [],
    vmcatcherHook: values['vmcatcher-hook'] ?? [],
    vmcatcherSubHook: values['vmcatcher-sub-hook'] ?? [],
    env: ctx.env,
    cwd: ctx.cwd,
    now: ctx.now,
    onWarning: (m) => ctx.stderr(`vmilist ${command}: warning: ${m}\n`),
    ...extra,
  });
}

/** Prints what hooks and handlers did (failures only) to stderr; the exit code part: 1 when a native hook failed. */
export function reportHooks(ctx: CliContext, command: string, hooks: HookReport): number {
  for (const r of hooks.handlerRuns) {
    if (!r.ok) ctx.stderr(`vmilist ${command}: vmcatcher handler '${r.handler}' failed on ${r.event}${r.imageId ? ` ${r.imageId}` : ''} (${r.message}); recorded, not retried\n`);
  }
  for (const f of hooks.hookFailures) {
    ctx.stderr(`vmilist ${command}: hook '${f.hook}' failed on ${f.event.type} ${f.event.imageId ?? f.event.subscription ?? ''} (${f.message}); it will get the event again on the next run\n`);
  }
  return hooks.hookFailures.length > 0 ? 1 : 0;
}

/** Hook results for --json: vmcatcher runs (all, with exit codes) and native failures. */
export function hooksJson(hooks: HookReport): Record<string, unknown> {
  return {
    ok: hooks.hookFailures.length === 0,
    session: hooks.sessionId,
    handlerRuns: hooks.handlerRuns,
    hookFailures: hooks.hookFailures.map((f) => ({ hook: f.hook, eventId: f.event.id, type: f.event.type, imageId: f.event.imageId, message: f.message })),
    pendingHookEvents: hooks.pendingHookEvents,
  };
}

/** Exit code for an error, as the CLI maps them: 2 for usage and I/O, 1 otherwise. */
function exitCodeOf(e: VmiListError): number {
  return e.code === 'ERR_INPUT' || e.code === 'ERR_IO' ? 2 : 1;
}

/** The highest exit code of `errors`, else `otherwise`. */
export function worstExit(errors: readonly VmiListError[], otherwise: number): number {
  return errors.length > 0 ? Math.max(...errors.map(exitCodeOf)) : otherwise;
}

/** --at as epoch ms, when given. */
export function atOf(at: string | undefined): { at?: number } {
  return at === undefined ? {} : { at: toEpochMs(at, '--at') };
}


/** The saved state file for read-only commands (no lock); missing is an error unless `allowMissing`. */
export async function readState(ctx: CliContext, values: { state?: string }, allowMissing: boolean): Promise<SubscriberFile> {
  const site = await openSite({ stateFile: statePath(ctx, values.state), env: ctx.env, cwd: ctx.cwd });
  return site.read({ mustExist: !allowMissing });
}

/** Reads a site policy file (strict JSON object); the reducer checks its fields. */
export async function readPolicy(ctx: CliContext, path: string): Promise<SitePolicy> {
  const value = parseStrictJson(decodeUtf8(await readInput(ctx, path, 16 * 1024 * 1024), path), { source: path });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new VmiListError('ERR_INPUT', `${path}: a site policy must be a JSON object`);
  return value as SitePolicy;
}
