/**
 * `vmilist` entry point: picks the sub-command, runs it, maps failures to
 * exit codes (0 ok, 1 verification or policy failure, 2 usage or I/O error)
 * and prints errors as one line (or as JSON with --json), never a stack.
 */
import { VmiListError } from '../errors.js';
import type { CliContext, Command } from './context.js';

type Loader = () => Promise<Command>;

// Commands load lazily so `vmilist verify` does not pay for the subscriber's modules.
const COMMANDS: Record<string, Loader> = {
  template: async () => (await import('./commands/template.js')).command,
  image: async () => (await import('./commands/image.js')).command,
  add: async () => (await import('./commands/add.js')).command,
  validate: async () => (await import('./commands/validate.js')).command,
  sign: async () => (await import('./commands/sign.js')).command,
  verify: async () => (await import('./commands/verify.js')).command,
  subscribe: async () => (await import('./commands/subscribe.js')).command,
  unsubscribe: async () => (await import('./commands/unsubscribe.js')).command,
  subscriptions: async () => (await import('./commands/subscriptions.js')).command,
  update: async () => (await import('./commands/update.js')).command,
  images: async () => (await import('./commands/images.js')).command,
  approve: async () => (await import('./commands/approve.js')).command,
  deny: async () => (await import('./commands/approve.js')).deny,
  cache: async () => (await import('./commands/cache.js')).command,
  status: async () => (await import('./commands/status.js')).command,
};

/** Extra commands registered by later modules (subscriber side). */
export function registerCommand(name: string, loader: Loader): void {
  COMMANDS[name] = loader;
}

const VERSION = '0.1.0';

function topHelp(summaries: [string, string][]): string {
  const width = Math.max(...summaries.map(([n]) => n.length));
  return [
    'vmilist — sign, verify and subscribe to HEPiX virtual-machine image lists',
    '',
    'Usage: vmilist <command> [options]   (vmilist <command> --help for details)',
    '',
    'Commands:',
    ...summaries.map(([n, s]) => `  ${n.padEnd(width)}  ${s}`),
    '',
    'Common options: --json (machine-readable output on stdout), --help, --version',
    'Subscriber state: --state FILE, default $VMILIST_STATE, else /var/lib/vmilist/state.json',
    '  for root, else ~/.local/state/vmilist/state.json ($XDG_STATE_HOME/vmilist/state.json)',
    'CA directory: --ca-dir DIR, default $X509_CERT_DIR, else /etc/grid-security/certificates',
    'Exit codes: 0 ok, 1 verification or policy failure, 2 usage or I/O error',
    '',
  ].join('\n');
}

/** Exit code for an error: 2 for usage and I/O, 1 for everything the input is to blame for. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof VmiListError) return error.code === 'ERR_INPUT' || error.code === 'ERR_IO' ? 2 : 1;
  if (isParseArgsError(error)) return 2;
  return 2;
}

function isParseArgsError(e: unknown): e is Error & { code: string } {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/** Runs the CLI with the given arguments and context; resolves to the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const summaries: [string, string][] = [];
      for (const [n, load] of Object.entries(COMMANDS)) summaries.push([n, (await load()).summary]);
      ctx.stdout(topHelp(summaries));
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-V') {
      ctx.stdout(`${VERSION}\n`);
      return 0;
    }
    const load = COMMANDS[name];
    if (!load) throw new VmiListError('ERR_INPUT', `unknown command '${name}' (see vmilist --help)`);
    const command = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      ctx.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
      return 0;
    }
    return await command.run(rest, ctx);
  } catch (error) {
    const code = exitCodeFor(error);
    const err =
      error instanceof VmiListError
        ? error.toJSON()
        : { code: isParseArgsError(error) ? 'ERR_INPUT' : 'ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
    if (json) ctx.stdout(`${JSON.stringify({ ok: false, error: err })}\n`);
    else {
      ctx.stderr(`vmilist${name ? ` ${name}` : ''}: ${err.code}: ${err.message}\n`);
      if (error instanceof VmiListError && error.issues.length > 1) {
        for (const issue of error.issues.slice(0, 20)) ctx.stderr(`  ${issue.path}: ${issue.message}\n`);
        if (error.issues.length > 20) ctx.stderr(`  … and ${error.issues.length - 20} more\n`);
      }
      if (!(error instanceof VmiListError) && !isParseArgsError(error) && ctx.env['VMILIST_DEBUG']) {
        ctx.stderr(`${(error as { stack?: string }).stack ?? ''}\n`);
      }
    }
    return code;
  }
}
