import { VmiListError } from '../../errors.js';
import { imagesOf } from '../../model/types.js';
import { reduce, subscribe } from '../../subscription/index.js';
import type { NewImagesPolicy } from '../../subscription/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, usageError, type Command } from '../context.js';
import {
  HOOK_HELP,
  HOOK_OPTIONS,
  STATE_HELP,
  STATE_OPTIONS,
  TRUST_HELP,
  TRUST_OPTIONS,
  deliver,
  fetchAndVerify,
  hooksOf,
  loadTrust,
  newSessionId,
  openStore,
  principalsOf,
  readFile,
  runTime,
  sourceUrl,
  toHookEvent,
  withEvents,
} from '../subscriber.js';

const USAGE = 'vmilist subscribe <url|file> [--id ID] [--endorser-dn DN]... [--endorser-ca DN] [--auto-approve | --ignore-new] [options] [--json]';

export const command: Command = {
  name: 'subscribe',
  summary: 'subscribe to a signed image list (fetch, verify, pin its UUID and endorser)',
  help: `Usage: ${USAGE}

Fetches the list (https:// URL, or a file), verifies it completely (see
vmilist verify), and records a subscription pinned to the list's UUID and
to its endorsers: --endorser-dn (repeatable, optionally with --endorser-ca),
or, when none is given, the certificate subject and issuer that signed it.
The list's images are recorded at once; new images wait for
'vmilist approve' unless --auto-approve.

  --id ID               subscription id (default: the list UUID)
  --endorser-dn DN      allowed endorser (OpenSSL /DC=../CN=.. or RFC 4514)
  --endorser-ca DN      the allowed endorsers' issuing CA
  --auto-approve        new images of this list are approved automatically
  --ignore-new          new images of this list are not recorded at all
  --at TIME             verify and record as of TIME (ISO 8601) instead of now
${TRUST_HELP}
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok":true,"subscription":…,"events":[…]}`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        id: { type: 'string' },
        'endorser-dn': { type: 'string', multiple: true },
        'endorser-ca': { type: 'string' },
        'auto-approve': { type: 'boolean' },
        'ignore-new': { type: 'boolean' },
        at: { type: 'string' },
        ...TRUST_OPTIONS,
        ...STATE_OPTIONS,
        ...HOOK_OPTIONS,
      },
      { min: 1, max: 1, usage: USAGE },
    );
    if (values['auto-approve'] && values['ignore-new']) throw usageError('--auto-approve and --ignore-new exclude each other');
    const newImages: NewImagesPolicy = values['auto-approve'] ? 'approve' : values['ignore-new'] ? 'ignore' : 'pending';
    const url = sourceUrl(ctx, positionals[0] as string);
    const now = runTime(ctx, values.at);
    const given = principalsOf(values['endorser-dn'], values['endorser-ca']);
    const hooks = hooksOf(values);
    const store = openStore(ctx, values);
    const trust = await loadTrust(ctx, values, 'subscribe');
    const label = values.id === undefined ? 'new subscription' : `subscription ${values.id}`;
    const verified = await fetchAndVerify(url, trust, values, now.ms, given, label);
    const list = verified.list;
    const listId = list['dc:identifier'];
    const allowedEndorsers = given ?? [{ dn: verified.signer.dn, ca: verified.signer.issuer }];

    return store.withLock(async () => {
      let file = await readFile(store, true);
      const id = values.id ?? listId;
      const added = subscribe(file.state, { id, uri: url, listId, allowedEndorsers, newImages }, { now: now.iso });
      const reduced = reduce(added.state, verified, { now: now.iso, subscription: id });
      const rejected = reduced.events.find((e) => e.type === 'list.rejected');
      if (rejected && rejected.type === 'list.rejected') throw new VmiListError(rejected.code, `subscription ${id} (${url}): ${rejected.message}`);
      const events = [...added.events, ...reduced.events];
      file = withEvents({ ...file, state: reduced.state, checks: { ...file.checks, [id]: { checkedAt: now.iso } } }, events.map((e) => toHookEvent(reduced.state, e)), hooks);
      await store.write(file);
      const delivered = await deliver(ctx, store, file, hooks, values, { sessionId: newSessionId(), command: 'subscribe' });
      const sub = reduced.state.subscriptions[id];
      if (values.json) {
        printJson(ctx, { ok: delivered.failed === 0, subscription: sub, events, state: store.path });
      } else {
        const images = imagesOf(list).length;
        ctx.stdout(
          [
            `subscribed ${id}`,
            `  list:      ${list['dc:title'] ?? '(no title)'} — ${listId}, version ${list['hv:version']}, expires ${list['dc:date:expires']}`,
            `  from:      ${url}`,
            `  endorsers: ${allowedEndorsers.map((p) => p.dn + (p.ca ? ` (CA ${p.ca})` : '')).join('; ')}`,
            `  images:    ${images}, new ones ${newImages === 'approve' ? 'approved automatically' : newImages === 'ignore' ? 'ignored' : "pending until 'vmilist approve UUID'"}`,
            `  state:     ${store.path}`,
            '',
          ].join('\n'),
        );
      }
      return delivered.failed > 0 ? 1 : 0;
    });
  },
};
