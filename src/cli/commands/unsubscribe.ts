import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { HOOK_HELP, HOOK_OPTIONS, STATE_HELP, STATE_OPTIONS, atOf, hooksJson, reportHooks, siteOf } from '../subscriber.js';

const USAGE = 'vmilist unsubscribe <list-uuid|id> [--state FILE] [--json]';

export const command: Command = {
  name: 'unsubscribe',
  summary: 'remove a subscription (its images expire)',
  help: `Usage: ${USAGE}

Removes the subscription; its images expire (the next 'vmilist cache' moves
their files out of the cache).

  --at TIME             as of TIME instead of now
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok":true,"subscription":…,"events":[…]}`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { at: { type: 'string' }, ...STATE_OPTIONS, ...HOOK_OPTIONS }, { min: 1, max: 1, usage: USAGE });
    const site = await siteOf(ctx, 'unsubscribe', values);
    const r = await site.unsubscribe(positionals[0] as string, atOf(values.at));
    const hookExit = reportHooks(ctx, 'unsubscribe', r.hooks);
    if (values.json) printJson(ctx, { ok: hookExit === 0, subscription: r.subscription.id, events: r.events, hooks: hooksJson(r.hooks) });
    else ctx.stdout(`unsubscribed ${r.subscription.id} (${r.subscription.uri}); ${r.events.filter((e) => e.type === 'image.expired').length} image(s) expired\n`);
    return hookExit;
  },
};
