import { imagesOf } from '../../model/types.js';
import type { NewImagesPolicy } from '../../subscription/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, usageError, type Command } from '../context.js';
import { HOOK_HELP, HOOK_OPTIONS, STATE_HELP, STATE_OPTIONS, TRUST_HELP, TRUST_OPTIONS, atOf, hooksJson, principalsOf, reportHooks, siteOf } from '../subscriber.js';

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
    const endorsers = principalsOf(values['endorser-dn'], values['endorser-ca']);
    const site = await siteOf(ctx, 'subscribe', values);
    const r = await site.subscribe(positionals[0] as string, { ...atOf(values.at), newImages, ...(values.id !== undefined ? { id: values.id } : {}), ...(endorsers ? { endorsers } : {}) });
    const hookExit = reportHooks(ctx, 'subscribe', r.hooks);
    const sub = r.subscription;
    if (values.json) {
      printJson(ctx, { ok: hookExit === 0, subscription: sub, events: r.events, state: site.stateFile, hooks: hooksJson(r.hooks) });
    } else {
      const list = r.list;
      ctx.stdout(
        [
          `subscribed ${sub.id}`,
          `  list:      ${list['dc:title'] ?? '(no title)'} — ${list['dc:identifier']}, version ${list['hv:version']}, expires ${list['dc:date:expires']}`,
          `  from:      ${sub.uri}`,
          `  endorsers: ${sub.allowedEndorsers.map((p) => p.dn + (p.ca ? ` (CA ${p.ca})` : '')).join('; ')}`,
          `  images:    ${imagesOf(list).length}, new ones ${newImages === 'approve' ? 'approved automatically' : newImages === 'ignore' ? 'ignored' : "pending until 'vmilist approve UUID'"}`,
          `  state:     ${site.stateFile}`,
          '',
        ].join('\n'),
      );
    }
    return hookExit;
  },
};
