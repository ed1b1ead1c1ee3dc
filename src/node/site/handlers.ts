/**
 * vmcatcher handlers run as vmcatcher runs them: once per event, in the
 * order the events happen, one session id per run; a non-zero exit is
 * recorded and processing goes on (no retry, nothing held back), so a
 * handler that ignores `ProcessPrefix` still gets every `AvailablePostfix`.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { VmiListError } from '../../errors.js';
import { describeRun, hookApplies, runHook, vmcatcherEventType, type HookContext, type HookEvent, type HookSpec } from '../hooks.js';

/** One run of a vmcatcher handler. */
export interface HandlerRun {
  /** The handler command as configured. */
  readonly handler: string;
  /** `vmcatcher` (cache handler) or `vmcatcher-sub` (subscription handler). */
  readonly mode: 'vmcatcher' | 'vmcatcher-sub';
  /** `ProcessPrefix`, `AvailablePostfix`, …, `SubscriptionImageNew`. */
  readonly event: string;
  /** The image concerned, as the list writes its identifier. */
  readonly imageId?: string;
  /** `VMCATCHER_EVENT_UUID_SESSION` of the run. */
  readonly session: string;
  /** When the event happened. */
  readonly at: string;
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** Killed at the handler timeout. */
  readonly timedOut: boolean;
  /** Why it failed, with the last line of its output. */
  readonly message?: string;
}

/** Options for {@link runHandlers}. */
export interface RunHandlersOptions extends HookContext {
  /** Time limit per handler run, ms. */
  readonly timeoutMs: number;
  /** Told about each run as it ends. */
  readonly onRun?: (run: HandlerRun) => void;
}

/** Runs every vmcatcher handler that takes `event`, one after the other; never throws for a handler's failure. */
export async function runHandlers(handlers: readonly HookSpec[], event: HookEvent, options: RunHandlersOptions): Promise<HandlerRun[]> {
  const runs: HandlerRun[] = [];
  for (const h of handlers) {
    if (h.mode === 'native' || !hookApplies(h, event)) continue;
    const result = await runHook(h, event, options, options.timeoutMs);
    const run: HandlerRun = {
      handler: h.command,
      mode: h.mode,
      event: h.mode === 'vmcatcher' ? (vmcatcherEventType(event) as string) : 'SubscriptionImageNew',
      ...(event.imageId !== undefined ? { imageId: event.imageId } : {}),
      session: options.sessionId,
      at: event.at,
      ok: result.ok,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      ...(result.ok ? {} : { message: describeRun(result) }),
    };
    options.onRun?.(run);
    runs.push(run);
  }
  return runs;
}

// words a configured command may start with that are not a program file
const SHELL_WORDS = new Set(['if', 'for', 'while', 'until', 'case', '{', '(', '!', 'exec', 'command', 'env', 'test', '[', 'true', 'false', ':', '.', 'echo', 'printf', 'cd', 'export', 'set', 'eval', 'sleep']);

function firstWord(command: string): string | undefined {
  const words = command.trim().match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const word = words.find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)); // skip VAR=value prefixes
  return word?.replace(/^(["'])(.*)\1$/, '$2');
}

async function executable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Checks that a handler's program exists before anything runs, so a typo
 * in a cron line is an error (`ERR_IO`, the path named) rather than a
 * stream of exit-127 runs.
 */
export async function assertHandlerExists(command: string, env: Readonly<Record<string, string | undefined>>, cwd: string): Promise<void> {
  const word = firstWord(command);
  if (word === undefined || word === '') throw new VmiListError('ERR_INPUT', 'a vmcatcher handler command is empty');
  if (word.includes('/')) {
    const path = isAbsolute(word) ? word : resolve(cwd, word);
    if (!(await executable(path))) throw new VmiListError('ERR_IO', `vmcatcher handler ${path} does not exist or is not executable`);
    return;
  }
  if (SHELL_WORDS.has(word)) return;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir !== '' && (await executable(join(dir, word)))) return;
  }
  throw new VmiListError('ERR_IO', `vmcatcher handler '${word}' is not found on PATH (${env['PATH'] ?? 'unset'})`);
}
