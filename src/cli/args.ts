/** Argument parsing shared by the commands (node:util parseArgs, strict). */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './context.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Parses `args` strictly against `options` (plus --json/--help); unknown options are usage errors. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, positionals: { min: number; max?: number; usage: string }) {
  const parsed = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  const n = parsed.positionals.length;
  if (n < positionals.min || (positionals.max !== undefined && n > positionals.max)) {
    throw usageError(`expected ${describeCount(positionals.min, positionals.max)}; usage: ${positionals.usage}`);
  }
  return parsed;
}

function describeCount(min: number, max: number | undefined): string {
  if (max === min) return `${min} argument${min === 1 ? '' : 's'}`;
  if (max === undefined) return `at least ${min} argument${min === 1 ? '' : 's'}`;
  return `${min} to ${max} arguments`;
}
