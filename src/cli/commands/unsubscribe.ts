import { unsubscribe } from '../../subscription/index.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import {
  HOOK_HELP,
  HOOK_OPTIONS,
  STATE_HELP,
  STATE_OPTIONS,
  deliver,
  findSubscription,
  hooksOf,
  newSessionId,
  openStore,
  readFile,
  runTime,
  toHookEvent,
  withEvents,
} from '../subscriber.js';

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
    const now = runTime(ctx, values.at);
    const hooks = hooksOf(values);
    const store = openStore(ctx, values);
    return store.withLock(async () => {
      let file = await readFile(store);
      const sub = findSubscription(file.state, positionals[0] as string);
      const r = unsubscribe(file.state, sub.id, { now: now.iso });
      file = withEvents({ ...file, state: r.state }, r.events.map((e) => toHookEvent(file.state, e)), hooks);
      const { [sub.id]: _gone, ...checks } = file.checks;
      file = { ...file, checks };
      await store.write(file);
      const delivered = await deliver(ctx, store, file, hooks, values, { sessionId: newSessionId(), command: 'unsubscribe' });
      if (values.json) printJson(ctx, { ok: delivered.failed === 0, subscription: sub.id, events: r.events });
      else ctx.stdout(`unsubscribed ${sub.id} (${sub.uri}); ${r.events.filter((e) => e.type === 'image.expired').length} image(s) expired\n`);
      return delivered.failed > 0 ? 1 : 0;
    });
  },
};
