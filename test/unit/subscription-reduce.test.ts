// Unit tests of the reducer's list rules, image lifecycle and events.
import { describe, expect, test } from 'vitest';
import {
  VmiListError,
  emptyState,
  explainEvents,
  findImage,
  migrateState,
  reduce,
  reduceOrThrow,
  subscribe,
  type SubscriptionEvent,
  type SubscriptionState,
} from '../../src/index.js';
import { deepFreeze, endorser, image, uuidOf, verified, type ListSpec } from '../support/verified.js';

const E = endorser('Alice Endorser');
const T0 = '2026-01-01T00:00:00Z';
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const t = (days: number) => iso(Date.parse(T0) + days * DAY);

function spec(over: Partial<ListSpec> = {}): ListSpec {
  return { list: 'alice', version: '1', created: t(0), expires: t(30), images: [image('a'), image('b')], by: E, ...over };
}

function subscribed(extra: Partial<Parameters<typeof subscribe>[1]> = {}): SubscriptionState {
  return subscribe(emptyState(), { id: 'alice', uri: 'https://lists.example.org/alice.list', allowedEndorsers: [{ dn: E.dn, ca: E.ca }], ...extra }, { now: t(0) }).state;
}

const types = (events: readonly SubscriptionEvent[]) => events.map((e) => e.type);
const rejection = (events: readonly SubscriptionEvent[]) => {
  const r = events.find((e) => e.type === 'list.rejected');
  return r?.type === 'list.rejected' ? r.code : undefined;
};

describe('first list', () => {
  test('pins the list UUID and adds its images as pending', () => {
    const r = reduce(subscribed(), verified(spec()), { now: t(1), subscription: 'alice' });
    expect(r.state.subscriptions['alice']?.listId).toBe(uuidOf('alice'));
    expect(types(r.events)).toEqual(['list.accepted', 'image.added', 'image.added']);
    expect(r.state.images.map((i) => i.status)).toEqual(['pending', 'pending']);
    const rec = findImage(r.state, uuidOf('a'));
    expect(rec?.endorser).toEqual({ dn: E.dn, ca: E.ca });
    expect(rec?.listVersion).toBe('1');
  });

  test('finds an unpinned subscription by the list URI', () => {
    const r = reduce(subscribed(), verified(spec()), { now: t(1) });
    expect(r.state.subscriptions['alice']?.listId).toBe(uuidOf('alice'));
  });

  test('without a fitting subscription it is an input error, not a rejection', () => {
    expect(() => reduce(emptyState(), verified(spec()), { now: t(1) })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
    expect(() => reduce(emptyState(), verified(spec()), { now: t(1), subscription: 'nope' })).toThrowError(VmiListError);
  });

  test('refuses lists that did not come from the verifier', () => {
    const v = verified(spec());
    const forged = { ...v };
    expect(() => reduce(subscribed(), forged, { now: t(1) })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });

  test('needs now', () => {
    expect(() => reduce(subscribed(), verified(spec()), {} as never)).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });

  test('keeps unknown image fields', () => {
    const r = reduce(subscribed(), verified(spec({ images: [image('a', { 'ad:vo': 'atlas', 'ad:mpuri': 'https://mp/1' })] })), { now: t(1) });
    expect(findImage(r.state, uuidOf('a'))?.image['ad:mpuri']).toBe('https://mp/1');
  });

  test('newImages approve and ignore', () => {
    const ok = reduce(subscribed({ newImages: 'approve' }), verified(spec()), { now: t(1) });
    expect(ok.state.images.every((i) => i.status === 'current')).toBe(true);
    const ign = reduce(subscribed({ newImages: 'ignore' }), verified(spec()), { now: t(1) });
    expect(ign.state.images).toHaveLength(0);
    const acc = ign.events[0];
    expect(acc?.type === 'list.accepted' && acc.counts.ignored).toBe(2);
  });
});

describe('list rules', () => {
  const first = () => reduce(subscribed(), verified(spec()), { now: t(1) }).state;
  const cases: Array<[string, Partial<ListSpec>, string]> = [
    ['a lower version', { version: '0.9', created: t(2) }, 'ERR_VERSION_ROLLBACK'],
    ['an older creation date with a higher version', { version: '2', created: t(-1) }, 'ERR_VERSION_ROLLBACK'],
    ['the same version with other content and the same date', { images: [image('a')] }, 'ERR_VERSION_REUSED'],
    ['the same version with an older date', { images: [image('a')], created: t(-1) }, 'ERR_VERSION_ROLLBACK'],
    ['another list UUID', { list: 'mallory', version: '2', created: t(2) }, 'ERR_LIST_ID_MISMATCH'],
    ['an expired list', { version: '2', created: t(2), expires: t(3) }, 'ERR_LIST_EXPIRED'],
    ['a list created in the future', { version: '2', created: t(9) }, 'ERR_LIST_NOT_YET_VALID'],
    ['a signer not allowed', { version: '2', created: t(2), signer: endorser('Mallory'), by: endorser('Mallory') }, 'ERR_ENDORSER_NOT_TRUSTED'],
  ];
  test.each(cases)('refuses %s and leaves the state as it was', (_name, over, code) => {
    const s = deepFreeze(first());
    const now = over.expires ? t(4) : t(3);
    const r = reduce(s, verified(spec({ ...over })), { now, subscription: over.list ? 'alice' : undefined });
    expect(rejection(r.events)).toBe(code);
    expect(r.state).toBe(s);
    expect(r.events).toHaveLength(1);
    expect(() => reduceOrThrow(s, verified(spec({ ...over })), { now, subscription: over.list ? 'alice' : undefined })).toThrowError(
      expect.objectContaining({ code }),
    );
  });

  test('accepts the same version re-signed with a newer creation date', () => {
    const r = reduce(first(), verified(spec({ created: t(2), images: [image('a')] })), { now: t(3) });
    expect(types(r.events)).toEqual(['list.accepted', 'image.expired']);
  });

  test('compares versions as the Python subscriber: 1.10 follows 1.9', () => {
    const s = reduce(subscribed(), verified(spec({ version: '1.9' })), { now: t(1) }).state;
    const r = reduce(s, verified(spec({ version: '1.10', created: t(2), images: [image('a')] })), { now: t(3) });
    expect(rejection(r.events)).toBeUndefined();
    expect(r.state.subscriptions['alice']?.last?.version).toBe('1.10');
  });

  test('identical bytes are a no-op: same state object, no events', () => {
    const v = verified(spec());
    const s = reduce(subscribed(), v, { now: t(1) }).state;
    const r = reduce(s, v, { now: t(2) });
    expect(r.state).toBe(s);
    expect(r.events).toEqual([]);
  });

  test('a list whose UUID another subscription pinned is refused', () => {
    let s = first();
    s = subscribe(s, { id: 'copy', uri: 'https://mirror.example.org/alice.list', allowedEndorsers: [{ dn: E.dn }] }, { now: t(1) }).state;
    const r = reduce(s, verified(spec({ version: '2', created: t(2) })), { now: t(3), subscription: 'copy' });
    expect(rejection(r.events)).toBe('ERR_LIST_ID_MISMATCH');
  });

  test('DN spelling does not matter: RFC 4514 allow-list entry matches the OpenSSL signer', () => {
    const s = subscribe(emptyState(), { id: 'alice', uri: 'u', allowedEndorsers: [{ dn: 'CN=Alice Endorser,OU=Test,O=GermanGrid,C=DE', ca: 'CN=GridKa-CA,O=GermanGrid,C=DE' }] }, { now: t(0) }).state;
    const r = reduce(s, verified(spec()), { now: t(1), subscription: 'alice' });
    expect(rejection(r.events)).toBeUndefined();
  });

  test('the allowed CA is enforced when given', () => {
    const s = subscribe(emptyState(), { id: 'alice', uri: 'u', allowedEndorsers: [{ dn: E.dn, ca: '/C=XX/CN=Other CA' }] }, { now: t(0) }).state;
    const r = reduce(s, verified(spec()), { now: t(1), subscription: 'alice' });
    expect(rejection(r.events)).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });
});

describe('image lifecycle', () => {
  const start = () => reduce(subscribed({ newImages: 'approve' }), verified(spec()), { now: t(1) }).state;

  test('updated images say what changed and keep their approval', () => {
    const b2 = image('b', { 'hv:version': '2', 'sl:checksum:sha512': 'f'.repeat(128), 'hv:size': 99 });
    const s0 = start();
    const r = reduce(s0, verified(spec({ version: '2', created: t(2), images: [image('a'), b2] })), { now: t(3) });
    const up = r.events.find((e) => e.type === 'image.updated');
    expect(up?.type === 'image.updated' && up.changes).toEqual(['checksum', 'size', 'version']);
    expect(findImage(r.state, uuidOf('b'))?.status).toBe('current');
    expect(findImage(r.state, uuidOf('b'))?.listVersion).toBe('2');
    // an unchanged image keeps its record object (structural sharing)
    expect(findImage(r.state, uuidOf('a'))).toBe(findImage(s0, uuidOf('a')));
  });

  test('reapproveOnChange sends a changed image back to pending', () => {
    const s = reduce(start(), verified(spec({ version: '1.1', created: t(1) })), { now: t(1), policy: { reapproveOnChange: true } }).state;
    const b2 = image('b', { 'hv:uri': 'https://elsewhere.example.org/b.img' });
    const r = reduce(s, verified(spec({ version: '2', created: t(2), images: [image('a'), b2] })), { now: t(3) });
    const up = r.events.find((e) => e.type === 'image.updated');
    expect(up?.type === 'image.updated' && up.changes).toEqual(['uri', 'status']);
    expect(findImage(r.state, uuidOf('b'))?.status).toBe('pending');
  });

  test('an image that leaves the list expires; it comes back with its approval', () => {
    const gone = reduce(start(), verified(spec({ version: '2', created: t(2), images: [image('a')] })), { now: t(3) });
    const ev = gone.events.find((e) => e.type === 'image.expired');
    expect(ev?.type === 'image.expired' && ev.reason).toBe('left-list');
    expect(findImage(gone.state, uuidOf('b'))?.status).toBe('expired');
    const back = reduce(gone.state, verified(spec({ version: '3', created: t(4) })), { now: t(5) });
    const added = back.events.find((e) => e.type === 'image.added');
    expect(added?.type === 'image.added' && added.returned).toBe(true);
    expect(findImage(back.state, uuidOf('b'))?.status).toBe('current');
    expect(findImage(back.state, uuidOf('b'))?.expiredAt).toBeUndefined();
  });

  test('an image whose own dc:date:expires passed expires on the next list', () => {
    const b2 = image('b', { 'dc:date:expires': t(2) });
    const r = reduce(start(), verified(spec({ version: '2', created: t(2), images: [image('a'), b2] })), { now: t(3) });
    const ev = r.events.find((e) => e.type === 'image.expired');
    expect(ev?.type === 'image.expired' && ev.reason).toBe('image-expired');
  });

  test('a UUID owned by another subscription is a conflict for that image only', () => {
    const other = endorser('Bob');
    let s = start();
    s = subscribe(s, { id: 'bob', uri: 'https://lists.example.org/bob.list', allowedEndorsers: [{ dn: other.dn }] }, { now: t(1) }).state;
    const hijack = image('b', { 'hv:uri': 'https://evil.example.org/b.img' });
    const r = reduce(s, verified({ list: 'bob', version: '1', created: t(1), expires: t(30), images: [hijack, image('c')], by: other }), { now: t(2), subscription: 'bob' });
    const conflict = r.events.find((e) => e.type === 'image.conflict');
    expect(conflict?.type === 'image.conflict' && [conflict.code, conflict.owner, conflict.uuid]).toEqual(['ERR_UUID_CONFLICT', 'alice', uuidOf('b')]);
    expect(findImage(r.state, uuidOf('b'))).toBe(findImage(s, uuidOf('b')));
    expect(findImage(r.state, uuidOf('c'))?.subscription).toBe('bob');
  });

  test('a UUID twice in one list: the first entry is used, the second reported', () => {
    const r = reduce(subscribed(), verified(spec({ images: [image('a'), image('a', { 'hv:uri': 'x' })] })), { now: t(1) });
    expect(types(r.events)).toEqual(['list.accepted', 'image.added', 'image.conflict']);
    expect(findImage(r.state, uuidOf('a'))?.image['hv:uri']).toBe(image('a')['hv:uri']);
  });

  test('events have stable ids: same call, same ids; other time, other ids; unique per call', () => {
    const v = verified(spec());
    const a = reduce(subscribed(), v, { now: t(1) }).events.map((e) => e.id);
    const b = reduce(subscribed(), v, { now: t(1) }).events.map((e) => e.id);
    const c = reduce(subscribed(), v, { now: t(2) }).events.map((e) => e.id);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a.some((id) => c.includes(id))).toBe(false);
  });

  test('explainEvents gives one sentence per event naming the image and reason', () => {
    const gone = reduce(start(), verified(spec({ version: '2', created: t(2), images: [image('a')] })), { now: t(3) });
    const text = explainEvents(gone.events);
    expect(text).toHaveLength(gone.events.length);
    expect(text[1]).toContain(uuidOf('b'));
    expect(text[1]).toContain('no longer lists it');
  });

  test('records keep their place in the table; new ones are appended; list order does not matter', () => {
    const s0 = start();
    const b2 = image('b', { 'hv:version': '2' });
    const next = spec({ version: '2', created: t(2), images: [image('c'), b2, image('d'), image('a')] });
    const r = reduce(s0, verified(next), { now: t(3) });
    expect(r.state.images.map((i) => i.uuid)).toEqual([uuidOf('a'), uuidOf('b'), uuidOf('c'), uuidOf('d')]);
    expect(r.state.images[0]).toBe(s0.images[0]);
    expect(findImage(r.state, uuidOf('b'))?.listVersion).toBe('2');
    expect(Object.isFrozen(r.state.images)).toBe(true);
    // the same reduction of the state after a JSON round trip (index built afresh)
    const list = verified(next);
    const again = reduce(migrateState(JSON.stringify(s0)), list, { now: t(3) });
    expect(again.state).toEqual(reduce(s0, list, { now: t(3) }).state);
    expect(again.events).toEqual(reduce(s0, list, { now: t(3) }).events);
    // another order: old records stay where they were, new ones come in list order
    const other = reduce(s0, verified({ ...next, images: [image('a'), image('d'), b2, image('c')] }), { now: t(3) });
    expect(other.state.images.map((i) => i.uuid)).toEqual([uuidOf('a'), uuidOf('b'), uuidOf('d'), uuidOf('c')]);
  });

  test('findImage on a parsed state that was extended in place still finds every record', () => {
    const s = migrateState(JSON.stringify(start()));
    expect(findImage(s, uuidOf('a'))?.uuid).toBe(uuidOf('a'));
    const extra = { ...s.images[0]!, uuid: uuidOf('z') };
    (s.images as unknown as unknown[]).push(extra);
    expect(findImage(s, uuidOf('z'))).toBe(extra);
    expect(findImage(s, uuidOf('nope'))).toBeUndefined();
  });
});

describe('imageChanges', async () => {
  const { imageChanges } = await import('../../src/subscription/records.js');
  const base = image('x', { 'ad:vo': 'atlas', 'ad:user:list': ['a', 'b'] });
  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['nothing (a copy)', { ...base }, []],
    ['checksum and size', { ...base, 'sl:checksum:sha512': 'f'.repeat(128), 'hv:size': 1 }, ['checksum', 'size']],
    ['uri', { ...base, 'hv:uri': 'https://other.example.org/x' }, ['uri']],
    ['an unknown field changed', { ...base, 'ad:vo': 'cms' }, ['metadata']],
    ['a nested unknown field changed', { ...base, 'ad:user:list': ['a', 'c'] }, ['metadata']],
    ['an unknown field added', { ...base, 'ad:mpuri': 'https://mp' }, ['metadata']],
    ['a known field added', { ...base, 'dc:date:expires': '2030-01-01T00:00:00Z' }, ['expires']],
    ['a field removed', (() => { const { 'hv:version': _v, ...rest } = base; return rest; })(), ['version']],
  ];
  test.each(cases)('%s', (_n, after, expected) => {
    expect(imageChanges(base, after as typeof base)).toEqual(expected);
    expect(imageChanges(after as typeof base, base)).toEqual(expected);
  });
});
