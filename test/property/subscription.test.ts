// Property tests of the reducer: random histories of lists (some rolled
// back, re-used, expired, overlapping in UUIDs), ticks, approvals, policy
// changes and revocations, checked step by step.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  approveImage,
  compareVersions,
  denyImage,
  emptyState,
  expireByTime,
  markInUse,
  migrateState,
  reduce,
  revokeEndorser,
  setPolicy,
  subscribe,
  type ImageRecord,
  type ReduceResult,
  type SubscriptionEvent,
  type SubscriptionState,
} from '../../src/index.js';
import type { VerifiedImageList } from '../../src/model/verified.js';
import { deepFreeze, endorser, image, uuidOf, verified } from '../support/verified.js';

const PUBS = ['pub0', 'pub1', 'pub2'].map((n) => endorser(n));
const LABELS = ['i0', 'i1', 'i2', 'i3', 'i4', 'i5'];
const T0 = Date.parse('2026-05-01T00:00:00Z');
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

type Op =
  | { kind: 'list'; pub: number; items: { label: number; rev: number; xen: boolean; vo?: string }[]; versionStep: number; createdStep: number; lifetime: number; dupe: boolean }
  | { kind: 'replay' }
  | { kind: 'tick'; hours: number }
  | { kind: 'approve' | 'deny' | 'inuse'; label: number }
  | { kind: 'policy'; denyXen: boolean; unsupportedVo: boolean }
  | { kind: 'revoke'; pub: number };

const item = fc.record({ label: fc.nat(LABELS.length - 1), rev: fc.nat(1), xen: fc.boolean(), vo: fc.option(fc.constantFrom('A', 'B'), { nil: undefined }) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('list' as const), pub: fc.nat(2), items: fc.uniqueArray(item, { selector: (i) => i.label, maxLength: 5 }), versionStep: fc.integer({ min: -1, max: 2 }), createdStep: fc.integer({ min: -2, max: 2 }), lifetime: fc.integer({ min: 1, max: 96 }), dupe: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'replay' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), hours: fc.nat(72) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'deny' as const, 'inuse' as const), label: fc.nat(LABELS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('policy' as const), denyXen: fc.boolean(), unsupportedVo: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), pub: fc.nat(2) }) },
);
const history = fc.record({ newImages: fc.array(fc.constantFrom('pending' as const, 'approve' as const), { minLength: 3, maxLength: 3 }), ops: fc.array(op, { maxLength: 14 }) });

interface Step {
  op: Op | { kind: 'subscribe' };
  before: SubscriptionState;
  result: ReduceResult;
  list?: VerifiedImageList;
}

/** Runs a history, deep-freezing every input state. */
function run(h: { newImages: ('pending' | 'approve')[]; ops: Op[] }): Step[] {
  let state = emptyState();
  const steps: Step[] = [];
  let now = T0;
  const versions = [0, 0, 0];
  const created = [T0, T0, T0];
  let lastList: VerifiedImageList | undefined;
  const apply = (o: Step['op'], f: (s: SubscriptionState) => ReduceResult, list?: VerifiedImageList) => {
    const before = deepFreeze(state);
    const result = f(before);
    steps.push({ op: o, before, result, ...(list ? { list } : {}) });
    state = result.state;
  };
  PUBS.forEach((p, i) =>
    apply({ kind: 'subscribe' }, (s) => subscribe(s, { id: p.name, uri: `https://lists.example.org/${p.name}.list`, allowedEndorsers: [{ dn: p.dn, ca: p.ca }], newImages: h.newImages[i] ?? 'pending' }, { now })),
  );
  for (const o of h.ops) {
    now += HOUR;
    const at = now;
    switch (o.kind) {
      case 'list': {
        const p = PUBS[o.pub]!;
        versions[o.pub] = Math.max(0, versions[o.pub]! + o.versionStep);
        created[o.pub] = Math.min(at, created[o.pub]! + o.createdStep * HOUR);
        const images = o.items.map((it) => image(LABELS[it.label]!, { 'hv:version': String(it.rev), 'hv:hypervisor': it.xen ? 'xen' : 'kvm', ...(it.rev ? { 'sl:checksum:sha512': 'a'.repeat(128) } : {}), ...(it.vo ? { 'ad:vo': it.vo } : {}) }));
        if (o.dupe && images[0]) images.push(images[0]);
        const list = verified({ list: p.name, version: `1.${versions[o.pub]}`, created: iso(created[o.pub]!), expires: iso(created[o.pub]! + o.lifetime * HOUR), images, by: p, uri: `https://lists.example.org/${p.name}.list` });
        lastList = list;
        apply(o, (s) => reduce(s, list, { now: at, subscription: p.name }), list);
        break;
      }
      case 'replay':
        if (lastList) {
          const list = lastList;
          apply(o, (s) => reduce(s, list, { now: at, subscription: subOf(list) }), list);
        }
        break;
      case 'tick':
        now += o.hours * HOUR;
        apply(o, (s) => expireByTime(s, now));
        break;
      case 'approve':
        apply(o, (s) => approveImage(s, uuidOf(LABELS[o.label]!), { now: at }));
        break;
      case 'deny':
        apply(o, (s) => denyImage(s, uuidOf(LABELS[o.label]!), { now: at }));
        break;
      case 'inuse':
        apply(o, (s) => ({ state: markInUse(s, [uuidOf(LABELS[o.label]!)], { now: at }), events: [] }));
        break;
      case 'policy':
        apply(o, (s) => setPolicy(s, { ...(o.denyXen ? { deniedKinds: [{ hypervisor: 'xen' }] } : {}), ...(o.unsupportedVo ? { unsupportedVos: ['A'] } : {}) }, { now: at }));
        break;
      case 'revoke':
        apply(o, (s) => revokeEndorser(s, { dn: PUBS[o.pub]!.dn }, { now: at }));
        break;
    }
  }
  return steps;
}

const runs = { numRuns: 120 };
/** Each publisher's subscription id is its name, which is its DN's CN. */
const subOf = (list: VerifiedImageList) => list.signer.dn.split('CN=')[1] ?? '';
const imageEvents = (events: readonly SubscriptionEvent[]) => events.filter((e): e is Extract<SubscriptionEvent, { uuid: string }> => 'uuid' in e && e.type !== 'image.conflict');

describe('reducer properties', () => {
  test('deterministic: the same history gives deep-equal states and events (ids included)', () => {
    fc.assert(
      fc.property(history, (h) => {
        const a = run(h);
        const b = run(h);
        expect(b.map((s) => s.result)).toEqual(a.map((s) => s.result));
      }),
      runs,
    );
  });

  test('inputs are never mutated (every input state is deep-frozen, and its JSON is unchanged)', () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const s of run(h)) {
          expect(Object.isFrozen(s.before)).toBe(true);
          expect(JSON.parse(JSON.stringify(s.before))).toEqual(s.before);
        }
      }),
      runs,
    );
  });

  test('a rejected list leaves the state as it was and yields exactly one list.rejected', () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const s of run(h)) {
          if (!s.result.events.some((e) => e.type === 'list.rejected')) continue;
          expect(s.result.state).toBe(s.before);
          expect(s.result.events.map((e) => e.type)).toEqual(['list.rejected']);
        }
      }),
      runs,
    );
  });

  test('accepted versions never go back, nor do creation dates', () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const s of run(h)) {
          for (const [id, after] of Object.entries(s.result.state.subscriptions)) {
            const prev = s.before.subscriptions[id]?.last;
            if (!prev || !after.last) continue;
            expect(compareVersions(after.last.version, prev.version)).toBeGreaterThanOrEqual(0);
            expect(Date.parse(after.last.created)).toBeGreaterThanOrEqual(Date.parse(prev.created));
          }
        }
      }),
      runs,
    );
  });

  test('one owner per image, and a live image is one its owner currently lists', () => {
    fc.assert(
      fc.property(history, (h) => {
        const lastLists = new Map<string, VerifiedImageList>();
        for (const s of run(h)) {
          if (s.list && s.result.events.some((e) => e.type === 'list.accepted')) lastLists.set(s.list.list['dc:identifier'], s.list);
          const uuids = s.result.state.images.map((r) => r.uuid);
          expect(new Set(uuids).size).toBe(uuids.length);
          for (const r of s.result.state.images) {
            const uuid = r.uuid;
            if (r.status === 'expired') continue;
            const sub = s.result.state.subscriptions[r.subscription];
            expect(sub?.listId).toBe(r.listId);
            const list = lastLists.get(r.listId);
            expect(list?.list['hv:images'].some((e) => e['hv:image']['dc:identifier'] === uuid)).toBe(true);
          }
        }
      }),
      runs,
    );
  });

  test('replaying the list just accepted is a no-op', () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const s of run(h)) {
          if (!s.list || !s.result.events.some((e) => e.type === 'list.accepted')) continue;
          const sub = subOf(s.list);
          const again = reduce(s.result.state, s.list, { now: Date.parse(s.list.list['dc:date:created']) + 5 * HOUR, subscription: sub });
          if (again.events.some((e) => e.type === 'list.rejected' && e.code === 'ERR_LIST_EXPIRED')) continue;
          expect(again.events).toEqual([]);
          expect(again.state).toBe(s.result.state);
        }
      }),
      runs,
    );
  });

  test('the state survives a JSON round trip through migrateState, and reduces the same afterwards', () => {
    fc.assert(
      fc.property(history, (h) => {
        const steps = run(h);
        for (const s of steps) {
          const back = migrateState(JSON.parse(JSON.stringify(s.result.state)));
          expect(back).toStrictEqual(JSON.parse(JSON.stringify(s.result.state)));
          expect(back).toEqual(s.result.state);
        }
        const listSteps = steps.filter((s) => s.list);
        for (const s of listSteps.slice(-2)) {
          const sub = subOf(s.list!);
          const now = Date.parse(s.list!.list['dc:date:created']) + HOUR;
          const direct = reduce(s.before, s.list!, { now, subscription: sub });
          const viaJson = reduce(migrateState(JSON.stringify(s.before)), s.list!, { now, subscription: sub });
          expect(viaJson).toEqual(direct);
        }
      }),
      runs,
    );
  });

  test('image events match the state difference', () => {
    fc.assert(
      fc.property(history, (h) => {
        for (const s of run(h)) {
          const b: Record<string, ImageRecord | undefined> = Object.fromEntries(s.before.images.map((r) => [r.uuid, r]));
          const a: Record<string, ImageRecord | undefined> = Object.fromEntries(s.result.state.images.map((r) => [r.uuid, r]));
          const byUuid = new Map<string, string[]>();
          for (const e of imageEvents(s.result.events)) byUuid.set(e.uuid, [...(byUuid.get(e.uuid) ?? []), e.type]);
          for (const uuid of new Set([...Object.keys(a), ...Object.keys(b)])) {
            const was = b[uuid];
            const is = a[uuid];
            const got = byUuid.get(uuid) ?? [];
            const live = (r: typeof is) => r !== undefined && r.status !== 'expired';
            if (!live(was) && live(is)) {
              // added (a VO the site does not support comes in quietly)
              if (is?.deniedReason === 'vo-unsupported') expect(got.filter((t) => t !== 'image.added')).toEqual([]);
              else expect(got).toEqual(['image.added']);
            } else if (live(was) && !live(is)) expect(got.length === 1 && ['image.expired', 'image.revoked'].includes(got[0]!)).toBe(true);
            else if (live(was) && live(is) && (was!.status !== is!.status || was!.deniedReason !== is!.deniedReason || JSON.stringify(was!.image) !== JSON.stringify(is!.image))) {
              expect(got.length).toBe(1);
              expect(['image.updated', 'image.approved', 'image.denied']).toContain(got[0]);
            } else expect(got).toEqual([]);
          }
        }
      }),
      runs,
    );
  });
});
