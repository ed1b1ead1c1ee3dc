import type { ImageRecord, Subscription } from '../../subscription/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { STATE_HELP, STATE_OPTIONS, readState } from '../subscriber.js';

const USAGE = 'vmilist subscriptions [--state FILE] [--json]';

export const command: Command = {
  name: 'subscriptions',
  summary: 'list the subscriptions: URL, list UUID, version, endorsers',
  help: `Usage: ${USAGE}

${STATE_HELP}
  --json                print {"subscriptions":[…]} as stored in the state`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { ...STATE_OPTIONS }, { min: 0, max: 0, usage: USAGE });
    const file = await readState(ctx, values, true);
    const subs = (Object.values(file.state.subscriptions) as Subscription[]).sort((a, b) => a.id.localeCompare(b.id));
    if (values.json) {
      printJson(ctx, { subscriptions: subs.map((s) => ({ ...s, checkedAt: file.checks[s.id]?.checkedAt })) });
      return 0;
    }
    if (subs.length === 0) {
      ctx.stdout("no subscriptions (add one with 'vmilist subscribe URL')\n");
      return 0;
    }
    const images: readonly ImageRecord[] = file.state.images;
    for (const s of subs) {
      const mine = images.filter((r) => r.subscription === s.id);
      const count = (st: string) => mine.filter((r) => r.status === st).length;
      ctx.stdout(
        [
          `${s.id}`,
          `  url:       ${s.uri}`,
          `  list:      ${s.listId ?? '(not yet fetched)'}${s.last ? `, version ${s.last.version} of ${s.last.created}, expires ${s.last.expires}` : ''}`,
          `  endorsers: ${s.allowedEndorsers.map((p) => p.dn + (p.ca ? ` (CA ${p.ca})` : '')).join('; ') || '(registry)'}`,
          `  new:       ${s.newImages}`,
          `  images:    ${count('current')} current, ${count('pending')} pending, ${count('denied')} denied, ${count('expired')} expired`,
          `  checked:   ${file.checks[s.id]?.checkedAt ?? 'never'}`,
          '',
        ].join('\n'),
      );
    }
    return 0;
  },
};
