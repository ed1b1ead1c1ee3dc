/**
 * What a CLI command gets: its arguments, the environment, output streams
 * and a clock, all injected so commands can be run in-process by tests.
 */
import { VmiListError } from '../errors.js';

/** Output and environment of one CLI invocation. */
export interface CliContext {
  /** Environment variables (defaults such as HVMIL_*, X509_CERT_DIR). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Working directory for relative paths. */
  readonly cwd: string;
  /** Writes to standard output. */
  readonly stdout: (text: string) => void;
  /**
   * Writes to standard output and resolves when the stream has room again
   * (backpressure for long output). Optional: commands fall back to `stdout`.
   */
  readonly writeStdout?: (text: string) => Promise<void>;
  /**
   * Writes bytes to standard output unsanitised (only text already known to
   * be safe for a terminal) and resolves once they are written, so the
   * caller may fill the same buffer again. Optional: commands fall back to `writeStdout`.
   */
  readonly writeStdoutBytes?: (bytes: Uint8Array) => Promise<void>;
  /** Writes to standard error. */
  readonly stderr: (text: string) => void;
  /**
   * Writes terminal control output (the progress bar's carriage return and
   * erase-line) unsanitised; `stdout` and `stderr` may escape control bytes.
   * Default: `stderr`.
   */
  readonly progress?: (text: string) => void;
  /** True when stderr is a terminal (progress bars only then). */
  readonly isTTY: boolean;
  /** The current time (injected so tests are deterministic). */
  readonly now: () => Date;
}

/** One `vmilist` sub-command. */
export interface Command {
  /** Name as typed: `vmilist <name>`. */
  readonly name: string;
  /** One line for `vmilist --help`. */
  readonly summary: string;
  /** Full help text for `vmilist <name> --help`. */
  readonly help: string;
  /** Runs the command; resolves to the exit code. Throws VmiListError on failure. */
  run(args: string[], ctx: CliContext): Promise<number>;
}

/** A usage error: wrong or missing arguments (exit 2). */
export function usageError(message: string): VmiListError {
  return new VmiListError('ERR_INPUT', message);
}

/** Writes `value` as one JSON line to stdout. */
export function printJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value)}\n`);
}

/**
 * Prints warnings to stderr, at most `limit` of them: a list with 10,000
 * upper-case `hv:hypervisor` values should not bury the result.
 */
export function printWarnings(ctx: CliContext, prefix: string, warnings: readonly { readonly path?: string; readonly message: string }[], limit = 5): void {
  for (const w of warnings.slice(0, limit)) ctx.stderr(`${prefix}${w.path ? `${w.path}: ` : ''}${w.message}\n`);
  if (warnings.length > limit) ctx.stderr(`${prefix}… and ${warnings.length - limit} more (--json lists them all)\n`);
}
