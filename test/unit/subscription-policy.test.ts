// Unit tests: site policy evaluation, approvals, registries, queries, explain.
import { describe, expect, test } from 'vitest';
import {
  approveImage,
  defineRegistry,
  denyImage,
  emptyState,
  explainEvent,
  findByChecksum,
  imagesByEndorser,
  reduce,
  reinstateEndorser,
  revokeEndorser,
  runnable,
  setPolicy,
  subscribe,
  syncRegistry,
  type SitePolicy,
  type SubscriptionEvent,
} from '../../src/index.js';
import { deepFreeze, endorser, image, uuidOf, verified } from '../support/verified.js';

const E = endorser('Alice');
const F = endorser('Frank', '/DC=ch/DC=cern/CN=CERN Grid Certification Authority');
const T = (d: number) => `2026-01-${String(d + 1).padStart(2, '0')}T00:00:00Z`;
const imgs = [
  image('kvm-linux'),
  image('xen-linux', { 'hv:hypervisor': 'XEN' }),
  image('i386', { 'sl:arch': 'i386' }),
  image('ova', { 'hv:format': 'OVA' }),
  image('atlas', { 'ad:vo': 'atlas' }),
  image('cms', { 'ad:vo': 'cms' }),
];

function state(newImages: 'approve' | 'pending' = 'approve') {
  let s = subscribe(emptyState(), { id: 's', uri: 'u', allowedEndorsers: [{ dn: E.dn }], newImages }, { now: T(0) }).state;
  s = reduce(s, verified({ list: 'l', version: '1', created: T(0), expires: T(20), images: imgs, by: E }), { now: T(0), subscription: 's' }).state;
  return deepFreeze(s);
}
const titles = (rs: { image: { 'dc:title'?: string } }[]) => rs.map((r) => r.image['dc:title']).sort();

describe('policy evaluation', () => {
  const cases: Array<[string, SitePolicy, string[]]> = [
    ['no policy', {}, ['atlas', 'cms', 'i386', 'kvm-linux', 'ova', 'xen-linux']],
    ['denied hypervisor (any case)', { deniedKinds: [{ hypervisor: 'xen' }] }, ['atlas', 'cms', 'i386', 'kvm-linux', 'ova']],
    ['denied arch', { deniedKinds: [{ arch: 'i386' }] }, ['atlas', 'cms', 'kvm-linux', 'ova', 'xen-linux']],
    ['denied format', { deniedKinds: [{ format: 'ova' }] }, ['atlas', 'cms', 'i386', 'kvm-linux', 'xen-linux']],
    ['a kind needs all its fields to match', { deniedKinds: [{ os: 'linux', arch: 'i386' }] }, ['atlas', 'cms', 'kvm-linux', 'ova', 'xen-linux']],
    ['unsupported VO', { unsupportedVos: ['ATLAS'] }, ['cms', 'i386', 'kvm-linux', 'ova', 'xen-linux']],
    ['only some VOs supported', { supportedVos: ['cms'] }, ['cms', 'i386', 'kvm-linux', 'ova', 'xen-linux']],
    ['denied image', { deniedImages: [uuidOf('cms')] }, ['atlas', 'i386', 'kvm-linux', 'ova', 'xen-linux']],
    ['denied endorser', { deniedEndorsers: [{ dn: E.dn }] }, []],
    ['denied endorser of another CA', { deniedEndorsers: [{ dn: E.dn, ca: F.ca }] }, ['atlas', 'cms', 'i386', 'kvm-linux', 'ova', 'xen-linux']],
    ['subscription switched off', { disabledSubscriptions: ['s'] }, []],
  ];
  test.each(cases)('%s', (_n, policy, expected) => {
    const s = state();
    // what-if query and the stored policy agree
    expect(titles(runnable(s, policy))).toEqual(expected);
    const r = setPolicy(s, policy, { now: T(1) });
    expect(titles(runnable(r.state))).toEqual(expected);
    const denied = r.events.filter((e) => e.type === 'image.denied').length;
    expect(denied).toBe(6 - expected.length);
  });

  test('approved images in policy pre-approve images that arrive later', () => {
    let s = subscribe(emptyState(), { id: 's', uri: 'u', allowedEndorsers: [{ dn: E.dn }] }, { now: T(0) }).state;
    s = approveImage(s, uuidOf('kvm-linux'), { now: T(0) }).state;
    expect(s.policy.approvedImages).toEqual([uuidOf('kvm-linux')]);
    s = reduce(s, verified({ list: 'l', version: '1', created: T(0), expires: T(20), images: imgs, by: E }), { now: T(0), subscription: 's' }).state;
    expect(titles(runnable(s))).toEqual(['kvm-linux']);
  });

  test('deny then approve: the denial is lifted and the image runs', () => {
    const s = state('pending');
    const d = denyImage(s, uuidOf('cms'), { now: T(1) });
    expect(d.events.map((e) => e.type)).toEqual(['image.denied']);
    const a = approveImage(d.state, uuidOf('cms'), { now: T(2) });
    expect(a.events.map((e) => e.type)).toEqual(['image.approved']);
    expect(a.state.policy.deniedImages).toBeUndefined();
    expect(titles(runnable(a.state))).toEqual(['cms']);
  });

  test('reduce with a policy option stores it first and reports what it changed', () => {
    const s = state();
    const r = reduce(s, verified({ list: 'l', version: '2', created: T(1), expires: T(20), images: imgs, by: E }), { now: T(1), policy: { deniedKinds: [{ arch: 'i386' }] } });
    expect(r.events.map((e) => e.type)).toEqual(['image.denied', 'list.accepted']);
    expect(r.state.policy).toEqual({ deniedKinds: [{ arch: 'i386' }] });
  });

  test('setPolicy refuses malformed policies', () => {
    expect(() => setPolicy(state(), { deniedImages: 'x' } as never)).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});

describe('revocation and queries', () => {
  test('revoking an endorser revokes its images; reinstating lets its next list bring them back', () => {
    const s = state();
    const r = revokeEndorser(s, { dn: E.dn }, { now: T(1) });
    expect(r.events.every((e) => e.type === 'image.revoked')).toBe(true);
    expect(r.events).toHaveLength(6);
    expect(revokeEndorser(r.state, { dn: E.dn }, { now: T(2) }).events).toEqual([]);
    const back = reinstateEndorser(r.state, { dn: E.dn });
    const again = reduce(back, verified({ list: 'l', version: '2', created: T(2), expires: T(20), images: imgs, by: E }), { now: T(2) });
    expect(again.events.filter((e) => e.type === 'image.added')).toHaveLength(6);
    expect(titles(runnable(again.state))).toHaveLength(6);
  });

  test('imagesByEndorser matches DNs in either spelling', () => {
    const s = state();
    expect(imagesByEndorser(s, 'CN=Alice,OU=Test,O=GermanGrid,C=DE')).toHaveLength(6);
    expect(imagesByEndorser(s, F.dn)).toHaveLength(0);
  });

  test('findByChecksum finds nothing for an unknown checksum', () => {
    expect(findByChecksum(state(), 'f'.repeat(128))).toEqual([]);
  });
});

describe('registries', () => {
  test('a registry may follow another registry of the same state (always in sync)', () => {
    let s = emptyState();
    s = defineRegistry(s, { id: 'wlcg', endorsers: [{ name: 'Alice', dn: E.dn }] }, { now: T(0) }).state;
    const r = defineRegistry(s, { id: 'site', endorsers: [{ name: 'Frank', dn: F.dn }], upstream: { source: 'wlcg', maxAgeSeconds: 1 } }, { now: T(0) });
    expect(r.events.map((e) => (e.type === 'endorser.added' ? e.endorser.name : e.type))).toEqual(['Frank', 'Alice']);
    s = subscribe(r.state, { id: 's', uri: 'u', allowedEndorsers: [], registry: 'site', newImages: 'approve' }, { now: T(0) }).state;
    // weeks later: no sync needed for an in-state source
    const later = reduce(s, verified({ list: 'l', version: '1', created: T(20), expires: T(25), images: [image('x')], by: E }), { now: T(20), subscription: 's' });
    expect(later.events[0]?.type).toBe('list.accepted');
    expect(() => syncRegistry(later.state, 'site', [], { now: T(20) })).toThrowError(/always in sync/);
  });

  test('registries refuse bad input', () => {
    expect(() => defineRegistry(emptyState(), { id: 'r', endorsers: [{ dn: 'garbage' }] }, { now: T(0) })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
    expect(() => defineRegistry(emptyState(), { id: 'r', endorsers: [], upstream: { source: 'x', maxAgeSeconds: 0 } }, { now: T(0) })).toThrowError(/mandatory/);
    expect(() => syncRegistry(emptyState(), 'nope', [], { now: T(0) })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});

describe('explain', () => {
  test('every event type has a sentence naming its subject', () => {
    const img = image('t');
    const base = { id: 'x', at: T(0), subscription: 's' };
    const events: SubscriptionEvent[] = [
      { ...base, type: 'image.added', uuid: 'u', image: img, status: 'pending' },
      { ...base, type: 'image.updated', uuid: 'u', image: img, previous: img, changes: ['uri'], status: 'current', previousStatus: 'current' },
      { ...base, type: 'image.expired', uuid: 'u', image: img, reason: 'list-expired' },
      { ...base, type: 'image.revoked', uuid: 'u', image: img, reason: 'endorser-revoked', endorser: { dn: E.dn } },
      { ...base, type: 'image.approved', uuid: 'u', image: img },
      { ...base, type: 'image.denied', uuid: 'u', image: img, reason: 'vo-unsupported' },
      { ...base, type: 'image.conflict', uuid: 'u', code: 'ERR_UUID_CONFLICT', message: 'm', owner: 'o', listId: 'l' },
      { ...base, type: 'list.accepted', listId: 'l', version: '2', created: T(0), contentSha256: 'c', signer: { dn: E.dn, ca: E.ca }, counts: { added: 1, updated: 0, expired: 0, conflicts: 0, ignored: 0 } },
      { ...base, type: 'list.rejected', listId: 'l', version: '2', contentSha256: 'c', code: 'ERR_VERSION_ROLLBACK', message: 'older' },
      { ...base, type: 'list.expired', listId: 'l', version: '2', expires: T(0) },
      { ...base, type: 'list.stale', maxAgeSeconds: 60 },
      { ...base, type: 'subscription.added', uri: 'https://x' },
      { ...base, type: 'subscription.removed' },
      { id: 'x', at: T(0), type: 'endorser.added', registry: 'r', endorser: { dn: E.dn, name: 'Alice' } },
      { id: 'x', at: T(0), type: 'endorser.removed', registry: 'r', endorser: { dn: E.dn } },
      { id: 'x', at: T(0), type: 'endorser.retired', registry: 'r', endorser: { dn: E.dn } },
      { id: 'x', at: T(0), type: 'registry.stale', registry: 'r', source: 'https://x', maxAgeSeconds: 60 },
    ];
    for (const e of events) {
      const text = explainEvent(e);
      expect(text.length).toBeGreaterThan(20);
      expect(text).toMatch('registry' in e ? /registry r/ : /^s: /);
    }
    expect(explainEvent(events[8]!)).toContain('ERR_VERSION_ROLLBACK');
    expect(explainEvent(events[5]!)).toContain('does not support its VO');
  });
});

describe('event ids across calls', () => {
  test('approve, deny, approve within one second give three distinct ids', () => {
    const s = state('pending');
    const a1 = approveImage(s, uuidOf('cms'), { now: T(1) });
    const d = denyImage(a1.state, uuidOf('cms'), { now: T(1) });
    const a2 = approveImage(d.state, uuidOf('cms'), { now: T(1) });
    const ids = [...a1.events, ...d.events, ...a2.events].map((e) => e.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });
});
