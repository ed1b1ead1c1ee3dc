import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseListDate } from '../../model/dates.js';
import type { ImageRecord, Subscription } from '../../subscription/types.js';
import { loadTrustStore, trustStoreSummary } from '../../node/truststore.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { STATE_HELP, STATE_OPTIONS, caDirOf, openStore, readFile, runTime } from '../subscriber.js';

const USAGE = 'vmilist status [--state FILE] [--ca-dir DIR] [--at TIME] [--json]';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

/** "3 d 4 h", "5 h 10 min", "12 min", for a duration in ms. */
function span(ms: number): string {
  const a = Math.abs(ms);
  if (a >= DAY) return `${Math.floor(a / DAY)} d ${Math.floor((a % DAY) / HOUR)} h`;
  if (a >= HOUR) return `${Math.floor(a / HOUR)} h ${Math.floor((a % HOUR) / 60_000)} min`;
  return `${Math.floor(a / 60_000)} min`;
}

function relative(now: number, iso: string | undefined): string {
  const t = iso === undefined ? undefined : parseListDate(iso);
  if (t === undefined) return 'never';
  return t <= now ? `${span(now - t)} ago` : `in ${span(t - now)}`;
}

export const command: Command = {
  name: 'status',
  summary: 'one screen: subscriptions, last update, expiry countdowns, cache, warnings',
  help: `Usage: ${USAGE}

What a person needs to know at a glance: each subscription with its list
version, when it was last checked and how long until its list expires;
images current, pending approval, denied and expired, and how many are
cached or still to download; hook events waiting; and warnings: lists
expiring within 7 days, lists not checked for a day, downloads that keep
failing, CRLs that expired or expire within 24 h, CAs without a CRL.

  --ca-dir DIR          CA directory to check (default $X509_CERT_DIR, else
                        /etc/grid-security/certificates)
  --at TIME             as of TIME instead of now
${STATE_HELP}
  --json                print the same as one JSON object`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { 'ca-dir': { type: 'string' }, 'crl-dir': { type: 'string' }, at: { type: 'string' }, ...STATE_OPTIONS }, { min: 0, max: 0, usage: USAGE });
    const now = runTime(ctx, values.at);
    const store = openStore(ctx, values);
    const file = await readFile(store, true);
    const warnings: string[] = [];
    const subs = (Object.values(file.state.subscriptions) as Subscription[]).sort((a, b) => a.id.localeCompare(b.id));
    const images: readonly ImageRecord[] = file.state.images;
    const cachedOk = (r: ImageRecord) => file.cache.images[r.uuid.toLowerCase()]?.sha512 === r.image['sl:checksum:sha512'];

    const subRows = subs.map((s) => {
      const mine = images.filter((r) => r.subscription === s.id);
      const expires = s.last ? parseListDate(s.last.expires) : undefined;
      const checked = file.checks[s.id]?.checkedAt;
      const checkedMs = checked === undefined ? undefined : parseListDate(checked);
      if (expires !== undefined && expires <= now.ms) warnings.push(`list of ${s.id} expired ${relative(now.ms, s.last?.expires)}: its images are no longer runnable; the endorser must publish a new one`);
      else if (expires !== undefined && expires - now.ms < 7 * DAY) warnings.push(`list of ${s.id} expires in ${span(expires - now.ms)}`);
      if (checkedMs === undefined || now.ms - checkedMs > DAY) warnings.push(`${s.id} has not been updated successfully ${checkedMs === undefined ? 'yet' : `for ${span(now.ms - checkedMs)}`} (${s.uri})`);
      if (s.staleSince) warnings.push(`list of ${s.id} is stale since ${s.staleSince}`);
      return {
        id: s.id,
        uri: s.uri,
        listId: s.listId,
        version: s.last?.version,
        acceptedAt: s.last?.acceptedAt,
        checkedAt: checked,
        expires: s.last?.expires,
        expiresInSeconds: expires === undefined ? undefined : Math.round((expires - now.ms) / 1000),
        images: {
          current: mine.filter((r) => r.status === 'current').length,
          pending: mine.filter((r) => r.status === 'pending').length,
          denied: mine.filter((r) => r.status === 'denied').length,
          expired: mine.filter((r) => r.status === 'expired').length,
        },
      };
    });

    const runnable = images.filter((r) => r.status === 'current' && r.approved);
    const cacheDir = file.cache.dir;
    const cache = {
      dir: cacheDir,
      lastRunAt: file.cache.lastRunAt,
      cached: runnable.filter(cachedOk).length,
      toDownload: runnable.filter((r) => !cachedOk(r)).length,
      expiredStillCached: images.filter((r) => r.status !== 'current' && file.cache.images[r.uuid.toLowerCase()] && cacheDir && existsSync(join(cacheDir, 'cache', r.uuid.toLowerCase()))).length,
      failing: Object.entries(file.cache.failures).map(([uuid, f]) => ({ uuid, ...f })),
    };
    for (const f of cache.failing) warnings.push(`download of ${f.uuid} failed ${f.attempts} time(s), last ${f.lastAt}: ${f.lastError}`);
    if (cache.toDownload > 0) warnings.push(`${cache.toDownload} approved image(s) not cached yet: run vmilist cache`);
    const pending = images.filter((r) => r.status === 'pending').length;
    const hooks = { waiting: file.outbox.length, lastError: file.outbox.find((e) => e.lastError)?.lastError };
    if (hooks.waiting > 0) warnings.push(`${hooks.waiting} event(s) waiting for hooks${hooks.lastError ? `; last failure: ${hooks.lastError}` : ''}`);

    const caDir = caDirOf(ctx, values);
    let trust: { caDir: string; cas?: number; crls?: number; error?: string } = { caDir };
    try {
      const ts = await loadTrustStore(caDir, values['crl-dir'] === undefined ? {} : { crlDir: values['crl-dir'] });
      const sum = trustStoreSummary(ts, now.ms);
      trust = { caDir, cas: sum.cas.length, crls: sum.crls.length };
      for (const c of sum.crls) {
        if (c.expired) warnings.push(`CRL of ${c.issuer} expired (${c.nextUpdate ?? 'no nextUpdate'}): lists signed under it are refused; run fetch-crl`);
        else if (c.expiresWithin24h) warnings.push(`CRL of ${c.issuer} expires within 24 h (${c.nextUpdate}): run fetch-crl`);
      }
      for (const ca of sum.casWithoutCrl) warnings.push(`CA ${ca} has no CRL in ${caDir}`);
      for (const c of sum.cas) if (c.expired) warnings.push(`CA ${c.subject} expired ${c.notAfter}`);
    } catch (e) {
      trust = { caDir, error: (e as Error).message };
      warnings.push(`trust store: ${(e as Error).message}`);
    }

    if (values.json) {
      printJson(ctx, { at: now.iso, state: store.path, subscriptions: subRows, images: { total: images.length, runnable: runnable.length, pending }, cache, hooks, trust, warnings });
      return 0;
    }
    const out: string[] = [`vmilist status at ${now.iso} — state ${store.path}`, ''];
    out.push(`Subscriptions (${subs.length})`);
    if (subs.length === 0) out.push("  none: add one with 'vmilist subscribe URL'");
    for (const r of subRows) {
      const exp = r.expires === undefined ? 'no list yet' : (r.expiresInSeconds ?? 0) > 0 ? `list expires in ${span((r.expiresInSeconds ?? 0) * 1000)}` : 'LIST EXPIRED';
      out.push(`  ${r.id}  v${r.version ?? '-'}  checked ${relative(now.ms, r.checkedAt)}  ${exp}`);
      out.push(`    ${r.uri}`);
      out.push(`    images: ${r.images.current} current, ${r.images.pending} pending, ${r.images.denied} denied, ${r.images.expired} expired`);
    }
    out.push('');
    out.push(`Images: ${runnable.length} runnable (${cache.cached} cached, ${cache.toDownload} to download), ${pending} waiting for approval`);
    out.push(`Cache:  ${cacheDir ?? '(vmilist cache has not run)'}${cache.lastRunAt ? `, last run ${relative(now.ms, cache.lastRunAt)}` : ''}${cache.expiredStillCached ? `, ${cache.expiredStillCached} expired file(s) still in cache` : ''}`);
    out.push(`Hooks:  ${hooks.waiting} event(s) waiting`);
    out.push(`Trust:  ${caDir}${trust.error ? ' (unreadable)' : `: ${trust.cas} CA(s), ${trust.crls} CRL(s)`}`);
    out.push('');
    if (warnings.length === 0) out.push('No warnings.');
    else {
      out.push(`Warnings (${warnings.length})`);
      for (const w of warnings) out.push(`  ! ${w}`);
    }
    ctx.stdout(`${out.join('\n')}\n`);
    return 0;
  },
};
