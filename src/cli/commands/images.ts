import type { SubscriptionEvent } from '../../subscription/events.js';
import type { ImageRecord } from '../../subscription/types.js';
import { findSubscription } from '../../node/site/site.js';
import { parseCommandArgs } from '../args.js';
import { printJson, usageError, type Command } from '../context.js';
import { humanBytes } from '../progress.js';
import { STATE_HELP, STATE_OPTIONS, readState } from '../subscriber.js';

const USAGE = 'vmilist images [--subscription ID] [--status pending|current|denied|expired] [--state FILE] [--json]';
const STATUSES = ['pending', 'current', 'denied', 'expired'];

/** One line about a reducer event, for people. */
export function describeEvent(e: SubscriptionEvent): string {
  const r = e as unknown as Record<string, unknown>;
  const img = r['image'] as Record<string, unknown> | undefined;
  const title = img && typeof img['dc:title'] === 'string' ? ` "${img['dc:title']}"` : '';
  const what = typeof r['uuid'] === 'string' ? `${r['uuid']}${title}` : String(r['subscription'] ?? '');
  switch (e.type) {
    case 'image.added':
      return `added ${what} (${e.status}${e.status === 'pending' ? ": approve with 'vmilist approve UUID'" : ''})`;
    case 'image.updated':
      return `updated ${what}: ${e.changes.join(', ')}`;
    case 'image.expired':
      return `expired ${what}: ${e.reason}`;
    case 'image.conflict':
      return `conflict ${what}: ${e.message}`;
    case 'list.rejected':
      return `rejected list of ${e.subscription}: ${e.code}: ${e.message}`;
    case 'list.expired':
      return `list of ${e.subscription} expired at ${e.expires}`;
    case 'list.stale':
      return `list of ${e.subscription} is stale (not renewed within ${e.maxAgeSeconds} s)`;
    default:
      return `${e.type} ${what}`;
  }
}

export const command: Command = {
  name: 'images',
  summary: 'list the images of the subscriptions, with their status',
  help: `Usage: ${USAGE}

Shows every image the state knows: UUID, status (pending approval, current =
runnable, denied by site policy, expired), title, version, size and the
subscription it belongs to.

  --subscription ID     only this subscription's images (id or list UUID)
  --status S            only images with this status
${STATE_HELP}
  --json                print {"images":[{uuid,status,approved,subscription,image:{…}},…]}`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { subscription: { type: 'string' }, status: { type: 'string' }, ...STATE_OPTIONS }, { min: 0, max: 0, usage: USAGE });
    if (values.status !== undefined && !STATUSES.includes(values.status)) throw usageError(`--status must be one of ${STATUSES.join(', ')}`);
    const file = await readState(ctx, values, false);
    const subId = values.subscription === undefined ? undefined : findSubscription(file.state, values.subscription).id;
    const records = (file.state.images as readonly ImageRecord[])
      .filter((r) => (subId === undefined || r.subscription === subId) && (values.status === undefined || r.status === values.status))
      .sort((a, b) => a.subscription.localeCompare(b.subscription) || a.uuid.localeCompare(b.uuid));
    if (values.json) {
      printJson(ctx, { images: records.map((r) => ({ ...r, cached: file.cache.images[r.uuid.toLowerCase()]?.sha512 === r.image['sl:checksum:sha512'] })) });
      return 0;
    }
    if (records.length === 0) {
      ctx.stdout('no images\n');
      return 0;
    }
    for (const r of records) {
      const cached = file.cache.images[r.uuid.toLowerCase()]?.sha512 === r.image['sl:checksum:sha512'] ? ' cached' : '';
      const why = r.status === 'expired' ? ` (${r.expiryReason ?? ''})` : r.status === 'denied' ? ` (${r.deniedReason ?? ''})` : '';
      ctx.stdout(
        `${r.uuid}  ${`${r.status}${why}`.padEnd(20)} ${r.image['dc:title'] ?? '(no title)'}  v${r.image['hv:version'] ?? '?'}  ${humanBytes(r.image['hv:size'])}  [${r.subscription}]${cached}\n`,
      );
    }
    return 0;
  },
};
