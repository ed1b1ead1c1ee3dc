import { approveImage, denyImage } from '../../subscription/index.js';
import type { ReduceResult } from '../../subscription/events.js';
import type { SubscriptionState } from '../../subscription/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import {
  HOOK_HELP,
  HOOK_OPTIONS,
  STATE_HELP,
  STATE_OPTIONS,
  deliver,
  hooksOf,
  newSessionId,
  openStore,
  readFile,
  runTime,
  toHookEvent,
  withEvents,
} from '../subscriber.js';
import { describeEvent } from './images.js';

type Decide = (state: SubscriptionState, uuid: string, options: { now: string }) => ReduceResult;

function decisionCommand(name: 'approve' | 'deny', decide: Decide, summary: string, explain: string): Command {
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
      const now = runTime(ctx, values.at);
      const hooks = hooksOf(values);
      const store = openStore(ctx, values);
      return store.withLock(async () => {
        let file = await readFile(store);
        let state = file.state;
        const events: ReduceResult['events'][number][] = [];
        for (const uuid of positionals) {
          // UUIDs compare case-insensitively; the state keeps the list's spelling
          const key = state.images.find((r) => r.uuid.toLowerCase() === uuid.toLowerCase())?.uuid ?? uuid;
          const r = decide(state, key, { now: now.iso });
          state = r.state;
          events.push(...r.events);
        }
        file = withEvents({ ...file, state }, events.map((e) => toHookEvent(state, e)), hooks);
        await store.write(file);
        const delivered = await deliver(ctx, store, file, hooks, values, { sessionId: newSessionId(), command: name });
        if (values.json) printJson(ctx, { ok: delivered.failed === 0, events });
        else if (events.length === 0) ctx.stdout(`nothing changed\n`);
        else for (const e of events) ctx.stdout(`${describeEvent(e)}\n`);
        return delivered.failed > 0 ? 1 : 0;
      });
    },
  };
}

export const command: Command = decisionCommand(
  'approve',
  approveImage,
  'approve images: they become current (runnable) while endorsed',
  "Approves images by UUID, also before they arrive: the image becomes current\n(runnable) while its list endorses it, and 'vmilist cache' downloads it.",
);

export const deny: Command = decisionCommand(
  'deny',
  denyImage,
  'deny images: never runnable, whatever the lists say',
  "Denies images by UUID: they are never runnable, and 'vmilist cache' moves\ntheir files out of the cache.",
);
