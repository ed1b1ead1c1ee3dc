import { VmiListError } from '../../errors.js';
import { expireByTime, reduce, setPolicy } from '../../subscription/index.js';
import type { SitePolicy } from '../../subscription/types.js';
import { decodeUtf8, parseStrictJson } from '../../model/json.js';
import { readInput } from '../io.js';
import type { CliContext } from '../context.js';
import type { SubscriptionEvent } from '../../subscription/events.js';
import type { Subscription } from '../../subscription/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import {
  HOOK_HELP,
  HOOK_OPTIONS,
  STATE_HELP,
  STATE_OPTIONS,
  TRUST_HELP,
  TRUST_OPTIONS,
  deliver,
  exitCodeOf,
  fetchAndVerify,
  findSubscription,
  hooksOf,
  loadTrust,
  newSessionId,
  openStore,
  readFile,
  runTime,
  toHookEvent,
  withEvents,
  type SubscriberFile,
} from '../subscriber.js';
import { describeEvent } from './images.js';

const USAGE = 'vmilist update [--subscription ID]... [--at TIME] [options] [--json]';

/** What happened to one subscription in this run. */
interface Outcome {
  subscription: string;
  uri: string;
  result: 'accepted' | 'unchanged' | 'rejected' | 'failed';
  version?: string;
  error?: { code: string; message: string };
}

export const command: Command = {
  name: 'update',
  summary: "fetch and verify every subscription's list, apply it, run event hooks",
  help: `Usage: ${USAGE}

For each subscription (or those given with --subscription): fetches its
list, verifies it (signature, chain, CRLs, endorser), and applies it:
new images are added (pending approval unless the subscription
auto-approves), changed images updated, images the list no longer names
expire. A list that fails any check, is older than the one accepted
(rollback), or reuses a version changes nothing; the error names the
subscription and its URL. Lists and images whose dc:date:expires passed
expire too, even when their list cannot be fetched; a failed fetch never
expires anything else. The state is saved atomically, then hooks run.

  --subscription ID     update only this subscription (id or list UUID); repeatable
  --at TIME             as of TIME (ISO 8601) instead of now
  --policy FILE         the site policy (JSON: approvedImages, deniedImages,
                        deniedEndorsers, deniedKinds, unsupportedVos,
                        supportedVos, disabledSubscriptions, staleAfterSeconds,
                        reapproveOnChange); stored in the state and applied
                        before the lists (default: the policy already stored)
${TRUST_HELP}
${STATE_HELP}
${HOOK_HELP}
  --json                print {"ok":…,"subscriptions":[{"subscription","uri","result",…}],"events":[…]}

Exit codes: 0 all lists accepted or unchanged and every hook succeeded;
1 a list was rejected or a hook failed; 2 a list could not be fetched,
or a usage or I/O error.`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(
      args,
      { subscription: { type: 'string', multiple: true }, at: { type: 'string' }, policy: { type: 'string' }, ...TRUST_OPTIONS, ...STATE_OPTIONS, ...HOOK_OPTIONS },
      { min: 0, max: 0, usage: USAGE },
    );
    const now = runTime(ctx, values.at);
    const policy = values.policy === undefined ? undefined : await readPolicy(ctx, values.policy);
    const hooks = hooksOf(values);
    const store = openStore(ctx, values);
    return store.withLock(async () => {
      const before = await readFile(store);
      const wanted = values.subscription?.map((k) => findSubscription(before.state, k).id);
      const subs = (Object.values(before.state.subscriptions) as Subscription[]).filter((s) => wanted === undefined || wanted.includes(s.id)).sort((a, b) => a.id.localeCompare(b.id));
      const trust = subs.length > 0 ? await loadTrust(ctx, values, 'update') : undefined;

      let state = before.state;
      const checks = { ...before.checks };
      const events: SubscriptionEvent[] = [];
      if (policy !== undefined) {
        const applied = setPolicy(state, policy, { now: now.iso });
        state = applied.state;
        events.push(...applied.events);
      }
      const outcomes: Outcome[] = [];
      const errors: VmiListError[] = [];
      for (const sub of subs) {
        const label = `subscription ${sub.id}`;
        let verified;
        try {
          verified = await fetchAndVerify(sub.uri, trust!, values, now.ms, undefined, label);
        } catch (e) {
          const err = e as VmiListError;
          errors.push(err);
          outcomes.push({ subscription: sub.id, uri: sub.uri, result: err.code === 'ERR_IO' || err.code === 'ERR_INPUT' ? 'failed' : 'rejected', error: err.toJSON() });
          continue;
        }
        const r = reduce(state, verified, { now: now.iso, subscription: sub.id });
        const rejected = r.events.find((e) => e.type === 'list.rejected');
        if (rejected && rejected.type === 'list.rejected') {
          const err = new VmiListError(rejected.code, `${label} (${sub.uri}): ${rejected.message}`);
          errors.push(err);
          outcomes.push({ subscription: sub.id, uri: sub.uri, result: 'rejected', version: rejected.version, error: err.toJSON() });
          continue; // a rejected list changes nothing
        }
        state = r.state;
        events.push(...r.events);
        checks[sub.id] = { checkedAt: now.iso };
        outcomes.push({ subscription: sub.id, uri: sub.uri, result: r.events.some((e) => e.type === 'list.accepted') ? 'accepted' : 'unchanged', version: verified.list['hv:version'] });
      }
      const timed = expireByTime(state, now.iso);
      state = timed.state;
      events.push(...timed.events);

      let file: SubscriberFile = withEvents({ ...before, state, checks }, events.map((e) => toHookEvent(state, e)), hooks);
      if (JSON.stringify(file) !== JSON.stringify(before)) await store.write(file);
      const delivered = await deliver(ctx, store, file, hooks, values, { sessionId: newSessionId(), command: 'update' });
      file = delivered.file;

      if (values.json) {
        printJson(ctx, { ok: errors.length === 0 && delivered.failed === 0, at: now.iso, subscriptions: outcomes, events, pendingHookEvents: file.outbox.length });
      } else {
        for (const o of outcomes) {
          if (o.error) ctx.stderr(`vmilist update: ${o.error.code}: ${o.error.message}\n`);
          else ctx.stdout(`${o.subscription}: ${o.result === 'accepted' ? `accepted version ${o.version}` : `unchanged (version ${o.version})`}\n`);
        }
        for (const e of events) if (e.type !== 'list.accepted') ctx.stdout(`  ${describeEvent(e)}\n`);
        if (subs.length === 0) ctx.stdout('no subscriptions to update\n');
      }
      const codes = errors.map(exitCodeOf);
      if (codes.length > 0) return Math.max(...codes);
      return delivered.failed > 0 ? 1 : 0;
    });
  },
};

/** Reads a site policy file (strict JSON object); the reducer checks its fields. */
async function readPolicy(ctx: CliContext, path: string): Promise<SitePolicy> {
  const value = parseStrictJson(decodeUtf8(await readInput(ctx, path, 16 * 1024 * 1024), path), { source: path });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new VmiListError('ERR_INPUT', `${path}: a site policy must be a JSON object`);
  return value as SitePolicy;
}
