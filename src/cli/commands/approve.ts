import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { HOOK_HELP, HOOK_OPTIONS, STATE_HELP, STATE_OPTIONS, atOf, hooksJson, reportHooks, siteOf } from '../subscriber.js';
import { describeEvent } from './images.js';

function decisionCommand(name: 'approve' | 'deny', summary: string, explain: string): Command {
  const usage = `vmilist ${name} <image-uuid>... [--state FILE] [--json]`;
  return {
    name,
    summary,
    help: `Usage: ${usage}

${explain}

  --at TIME             as of TIME instead of now
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok":true,"events":[…]}`,
    async run(args, ctx) {
      const { values, positionals } = parseCommandArgs(args, { at: { type: 'string' }, ...STATE_OPTIONS, ...HOOK_OPTIONS }, { min: 1, usage });
      const site = await siteOf(ctx, name, values);
      const r = await site[name](positionals, atOf(values.at));
      const hookExit = reportHooks(ctx, name, r.hooks);
      if (values.json) printJson(ctx, { ok: hookExit === 0, events: r.events, hooks: hooksJson(r.hooks) });
      else if (r.events.length === 0) ctx.stdout(`nothing changed\n`);
      else for (const e of r.events) ctx.stdout(`${describeEvent(e)}\n`);
      return hookExit;
    },
  };
}

export const command: Command = decisionCommand(
  'approve',
  'approve images: they become current (runnable) while endorsed',
  "Approves images by UUID, also before they arrive: the image becomes current\n(runnable) while its list endorses it, and 'vmilist cache' downloads it.",
);

export const deny: Command = decisionCommand(
  'deny',
  'deny images: never runnable, whatever the lists say',
  "Denies images by UUID: they are never runnable, and 'vmilist cache' moves\ntheir files out of the cache.",
);
