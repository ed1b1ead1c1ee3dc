import { relative, span } from '../../node/site/status.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { STATE_HELP, STATE_OPTIONS, atOf, siteOf } from '../subscriber.js';

const USAGE = 'vmilist status [--state FILE] [--ca-dir DIR] [--at TIME] [--json]';

export const command: Command = {
  name: 'status',
  summary: 'one screen: subscriptions, last update, expiry countdowns, cache, warnings',
  help: `Usage: ${USAGE}

What a person needs to know at a glance (Site.status in vmilist/node): each
subscription with its list version, when it was last checked and how long
until its list expires; images current, pending approval, denied and
expired, and how many are cached or still to download; hook events waiting
and vmcatcher handler runs that failed; and warnings: lists expiring within
7 days, lists not checked for a day, downloads that keep failing, CRLs that
expired or expire within 24 h, CAs without a CRL.

  --ca-dir DIR          CA directory to check (default $X509_CERT_DIR, else
                        /etc/grid-security/certificates)
  --at TIME             as of TIME instead of now
${STATE_HELP}
  --json                print the same as one JSON object`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { 'ca-dir': { type: 'string' }, 'crl-dir': { type: 'string' }, at: { type: 'string' }, ...STATE_OPTIONS }, { min: 0, max: 0, usage: USAGE });
    const site = await siteOf(ctx, 'status', values);
    const s = await site.status(atOf(values.at));
    if (values.json) {
      printJson(ctx, s);
      return 0;
    }
    const now = Date.parse(s.at);
    const out: string[] = [`vmilist status at ${s.at} — state ${s.state}`, ''];
    out.push(`Subscriptions (${s.subscriptions.length})`);
    if (s.subscriptions.length === 0) out.push("  none: add one with 'vmilist subscribe URL'");
    for (const r of s.subscriptions) {
      const exp = r.expires === undefined ? 'no list yet' : (r.expiresInSeconds ?? 0) > 0 ? `list expires in ${span((r.expiresInSeconds ?? 0) * 1000)}` : 'LIST EXPIRED';
      out.push(`  ${r.id}  v${r.version ?? '-'}  checked ${relative(now, r.checkedAt)}  ${exp}`);
      out.push(`    ${r.uri}`);
      out.push(`    images: ${r.images.current} current, ${r.images.pending} pending, ${r.images.denied} denied, ${r.images.expired} expired`);
    }
    const c = s.cache;
    out.push('');
    out.push(`Images: ${s.images.runnable} runnable (${c.cached} cached, ${c.toDownload} to download), ${s.images.pending} waiting for approval`);
    out.push(`Cache:  ${c.dir ?? '(vmilist cache has not run)'}${c.lastRunAt ? `, last run ${relative(now, c.lastRunAt)}` : ''}${c.expiredStillCached ? `, ${c.expiredStillCached} expired file(s) still in cache` : ''}`);
    out.push(`Hooks:  ${s.hooks.waiting} event(s) waiting; ${s.handlerFailures.length} failed vmcatcher handler run(s) recorded`);
    out.push(`Trust:  ${s.trust.caDir}${s.trust.error ? ' (unreadable)' : `: ${s.trust.cas} CA(s), ${s.trust.crls} CRL(s)`}`);
    out.push('');
    if (s.warnings.length === 0) out.push('No warnings.');
    else {
      out.push(`Warnings (${s.warnings.length})`);
      for (const w of s.warnings) out.push(`  ! ${w}`);
    }
    ctx.stdout(`${out.join('\n')}\n`);
    return 0;
  },
};
