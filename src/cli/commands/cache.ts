import { parseCommandArgs } from '../args.js';
import { printJson, usageError, type Command } from '../context.js';
import { imageProgress } from '../progress.js';
import { DEADLINE_HELP, DEADLINE_OPTIONS, deadlinesOf } from '../deadlines.js';
import { HOOK_HELP, HOOK_OPTIONS, STATE_HELP, STATE_OPTIONS, atOf, hooksJson, reportHooks, siteOf, worstExit } from '../subscriber.js';

const OPTIONS = { dir: { type: 'string' }, 'delete-expired': { type: 'boolean' }, verify: { type: 'boolean' }, 'max-attempts': { type: 'string' }, 'retry-failed': { type: 'boolean' }, at: { type: 'string' }, 'allow-http': { type: 'boolean' }, 'ca-dir': { type: 'string' }, ...DEADLINE_OPTIONS, ...STATE_OPTIONS, ...HOOK_OPTIONS } as const;
const USAGE = 'vmilist cache [--dir DIR] [--delete-expired] [--verify] [--max-attempts N] [--retry-failed] [options] [--json]';

export const command: Command = {
  name: 'cache',
  summary: 'download approved current images, verify them, expire what is no longer runnable',
  help: `Usage: ${USAGE}

Brings the image cache in line with the state (Site.syncCache in vmilist/node):
approved current images are downloaded into a file private to the run in
DIR/partial, hashed on the way, and
moved to DIR/cache/<identifier as the list writes it> once size and SHA-512
match; files of images no longer runnable move to DIR/expired/<id>.<timestamp>.

  --dir DIR             cache root (default $VMILIST_CACHE_DIR, else the last one used)
  --delete-expired      delete files of expired images instead of moving them
  --verify              re-hash every cached file (default: trust the recorded checksum)
  --max-attempts N      failed downloads per image version, on later runs (default 3)
  --retry-failed        try images again that reached --max-attempts
  --at TIME             as of TIME (ISO 8601) instead of now
  --allow-http          download images over plain http (the checksum still protects them)
  --ca-dir DIR          CAs trusted for TLS besides the system roots
${DEADLINE_HELP}
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok","dir","actions":[{uuid,action,…}],"hooks":{…}}

Exit codes: 0 all cached (vmcatcher handler failures are reported, not fatal);
1 an image failed its checks or a --hook failed; 2 a download or I/O failed.`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, OPTIONS, { min: 0, max: 0, usage: USAGE });
    const maxAttempts = values['max-attempts'] === undefined ? 3 : Number(values['max-attempts']);
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw usageError('--max-attempts must be a whole number ≥ 1');
    const dir = values.dir ?? ctx.env['VMILIST_CACHE_DIR'];
    const site = await siteOf(ctx, 'cache', values, dir === undefined ? {} : { cacheDir: dir });
    const bars = imageProgress(ctx);
    const r = await site.syncCache({
      ...atOf(values.at), maxAttempts, deleteExpired: values['delete-expired'] === true, verify: values.verify === true, retryFailed: values['retry-failed'] === true, deadlines: deadlinesOf(values),
      onProgress: bars.update,
      onAction: (a) => {
        bars.done(a.uuid);
        if (values.json) return;
        if (a.action === 'downloaded') ctx.stdout(`cached ${a.uuid} ${a.image?.['dc:title'] ?? ''} (${a.image?.['hv:size']} bytes, SHA-512 verified)\n`);
        else if (a.action === 'expired' || a.action === 'deleted') ctx.stdout(`${a.action} ${a.uuid} (${a.reason})\n`);
        else if (a.action === 'failed') ctx.stderr(`vmilist cache: ${a.error?.code}: ${a.error?.message} (attempt ${a.attempts} of ${maxAttempts})\n`);
        else if (a.action === 'skipped') ctx.stderr(`vmilist cache: skipping image ${a.uuid}: ${a.reason}; use --retry-failed\n`);
      },
    });
    const hookExit = reportHooks(ctx, 'cache', r.hooks);
    const actions = r.actions.map(({ image: _i, error, ...a }) => ({ ...a, ...(error ? { error: error.toJSON() } : {}) }));
    if (values.json) printJson(ctx, { ok: r.errors.length === 0 && hookExit === 0, dir: r.dir, actions, hooks: hooksJson(r.hooks), pendingHookEvents: r.hooks.pendingHookEvents });
    else if (r.actions.length === 0) ctx.stdout(`cache ${r.dir} is up to date (${r.runnable} image(s))\n`);
    return worstExit(r.errors, hookExit);
  },
};
