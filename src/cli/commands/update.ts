import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { HOOK_HELP, HOOK_OPTIONS, STATE_HELP, STATE_OPTIONS, TRUST_HELP, TRUST_OPTIONS, atOf, hooksJson, readPolicy, reportHooks, siteOf, worstExit } from '../subscriber.js';
import { describeEvent } from './images.js';

const OPTIONS = { subscription: { type: 'string', multiple: true }, at: { type: 'string' }, policy: { type: 'string' }, ...TRUST_OPTIONS, ...STATE_OPTIONS, ...HOOK_OPTIONS } as const;
const USAGE = 'vmilist update [--subscription ID]... [--at TIME] [--policy FILE] [options] [--json]';

export const command: Command = {
  name: 'update',
  summary: "fetch and verify every subscription's list, apply it, run event hooks",
  help: `Usage: ${USAGE}

Fetches, verifies and applies each subscription's list (Site.update in
vmilist/node): new images are added (pending unless auto-approved), changed
ones updated, dropped ones expire. A list that fails a check, rolls back or
reuses a version changes nothing; the error names the subscription and URL.
Lists and images past dc:date:expires expire even when a fetch fails.

  --subscription ID     only this subscription (id or list UUID); repeatable
  --at TIME             as of TIME (ISO 8601) instead of now
  --policy FILE         site policy JSON, stored and applied before the lists
${TRUST_HELP}
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok","subscriptions":[…],"events":[…],"hooks":{…}}

Exit codes: 0 lists accepted or unchanged (vmcatcher handler failures are
reported, not fatal); 1 a list was rejected or a --hook failed; 2 a list
could not be fetched, or a usage or I/O error.`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, OPTIONS, { min: 0, max: 0, usage: USAGE });
    const policy = values.policy === undefined ? undefined : await readPolicy(ctx, values.policy);
    const site = await siteOf(ctx, 'update', values);
    const r = await site.update({ ...atOf(values.at), ...(values.subscription ? { subscriptions: values.subscription } : {}), ...(policy ? { policy } : {}) });
    const hookExit = reportHooks(ctx, 'update', r.hooks);
    if (values.json) {
      const subscriptions = r.outcomes.map((o) => ({ ...o, ...(o.error ? { error: o.error.toJSON() } : {}) }));
      printJson(ctx, { ok: r.errors.length === 0 && hookExit === 0, at: r.at, subscriptions, events: r.events, hooks: hooksJson(r.hooks), pendingHookEvents: r.hooks.pendingHookEvents });
    } else {
      for (const o of r.outcomes) {
        if (o.error) ctx.stderr(`vmilist update: ${o.error.code}: ${o.error.message}\n`);
        else ctx.stdout(`${o.subscription}: ${o.result === 'accepted' ? `accepted version ${o.version}` : `unchanged (version ${o.version})`}\n`);
      }
      for (const e of r.events) if (e.type !== 'list.accepted') ctx.stdout(`  ${describeEvent(e)}\n`);
      if (r.outcomes.length === 0) ctx.stdout('no subscriptions to update\n');
    }
    return worstExit(r.errors, hookExit);
  },
};
