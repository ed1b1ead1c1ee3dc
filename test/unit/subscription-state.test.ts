// Unit tests: creating, validating and migrating state; subscribe input checks.
import { describe, expect, test } from 'vitest';
import { VmiListError, emptyState, migrateState, reduce, subscribe, unsubscribe, updateSubscription, expireByTime } from '../../src/index.js';
import { endorser, image, verified } from '../support/verified.js';

const E = endorser('Alice');
const NOW = '2026-01-01T00:00:00Z';
const sub = { id: 's', uri: 'https://example.org/list', allowedEndorsers: [{ dn: E.dn, ca: E.ca }] };

function populated() {
  let s = subscribe(emptyState(), sub, { now: NOW }).state;
  s = reduce(s, verified({ list: 'l', version: '1', created: NOW, expires: '2026-02-01T00:00:00Z', images: [image('a', { 'ad:vo': 'atlas' })], by: E }), { now: NOW, subscription: 's' }).state;
  return s;
}

describe('emptyState and migrateState', () => {
  test('an empty state is plain JSON with stateVersion 2', () => {
    const s = emptyState();
    expect(s.stateVersion).toBe(2);
    expect(s.images).toEqual([]);
    expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
  });

  test('migrateState accepts a saved state as text or JSON and returns a copy', () => {
    const s = populated();
    const text = JSON.stringify(s);
    expect(migrateState(text)).toEqual(s);
    const parsed = JSON.parse(text);
    const back = migrateState(parsed);
    expect(back).toEqual(s);
    expect(back).not.toBe(parsed);
  });

  test('migrateState upgrades a stateVersion 1 state (images keyed by UUID) to an array in key order', () => {
    const s = populated();
    const extra = { ...s.images[0]!, uuid: 'b0000000-0000-4000-8000-000000000000', status: 'expired', expiredAt: NOW, expiryReason: 'left-list' };
    const v1 = { ...JSON.parse(JSON.stringify(s)), stateVersion: 1, images: { [s.images[0]!.uuid]: s.images[0], [extra.uuid]: extra } };
    const up = migrateState(JSON.stringify(v1));
    expect(up.stateVersion).toBe(2);
    expect(up.images).toEqual([s.images[0], extra]);
    expect(up.subscriptions).toEqual(s.subscriptions);
    // and it works on
    const r = unsubscribe(up, 's', { now: NOW });
    expect(r.state.images.map((i) => [i.uuid, i.status])).toEqual([[s.images[0]!.uuid, 'expired'], [extra.uuid, 'expired']]);
  });

  const garbage: Array<[string, unknown]> = [
    ['null', null],
    ['a number', 42],
    ['text that is not JSON', '{nope'],
    ['no stateVersion', { subscriptions: {} }],
    ['a newer stateVersion', { ...emptyState(), stateVersion: 3 }],
    ['an older stateVersion without migration', { ...emptyState(), stateVersion: 0 }],
    ['a stateVersion 1 record under the wrong key', { ...emptyState(), stateVersion: 1, images: { x: { ...populated().images[0] } } }],
    ['stateVersion 1 images that are not an object', { ...emptyState(), stateVersion: 1, images: [] }],
    ['images that are not an array', { ...emptyState(), images: {} }],
    ['an unknown status', { ...emptyState(), images: [{ ...populated().images[0], status: 'running' }] }],
    ['two records of one UUID', { ...emptyState(), images: [populated().images[0], { ...populated().images[0] }] }],
    ['a bad newImages', { ...emptyState(), subscriptions: { s: { ...populated().subscriptions['s'], newImages: 'yes' } } }],
    ['an unknown top-level field', { ...emptyState(), extra: 1 }],
    ['image metadata that is not JSON', (() => {
      const st = populated();
      const rec = st.images[0]!;
      return { ...st, images: [{ ...rec, image: { ...rec.image, 'ad:when': new Date(0) } }] };
    })()],
    ['a __proto__ key', JSON.parse('{"stateVersion":1,"subscriptions":{"__proto__":{}},"images":{},"registries":{},"revokedEndorsers":[],"policy":{}}')],
  ];
  test.each(garbage)('refuses %s with ERR_INPUT', (_name, value) => {
    expect(() => migrateState(value)).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });

  test('issues say where the state is wrong', () => {
    try {
      migrateState({ ...emptyState(), policy: { deniedImages: 'x' } });
      expect.unreachable();
    } catch (e) {
      expect((e as VmiListError).issues.map((i) => i.path)).toEqual(['/policy/deniedImages']);
    }
  });

  test('functions refuse a state that was never migrated', () => {
    expect(() => expireByTime({} as never, NOW)).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });
});

describe('subscribe / updateSubscription / unsubscribe', () => {
  test('the id defaults to the list UUID, else to the URI', () => {
    const a = subscribe(emptyState(), { uri: 'u1', listId: '4e186b44-2c64-40ea-97d5-e9e5c0bce059', allowedEndorsers: [{ dn: E.dn }] }, { now: NOW });
    expect(Object.keys(a.state.subscriptions)).toEqual(['4e186b44-2c64-40ea-97d5-e9e5c0bce059']);
    expect(a.events.map((e) => e.type)).toEqual(['subscription.added']);
    const b = subscribe(emptyState(), { uri: 'u2', allowedEndorsers: [{ dn: E.dn }] }, { now: NOW });
    expect(Object.keys(b.state.subscriptions)).toEqual(['u2']);
  });

  const bad: Array<[string, object]> = [
    ['no endorsers and no registry', { ...sub, allowedEndorsers: [] }],
    ['a malformed DN', { ...sub, allowedEndorsers: [{ dn: 'not a dn' }] }],
    ['an unknown newImages', { ...sub, newImages: 'sometimes' }],
    ['an unknown registry', { ...sub, registry: 'nope' }],
    ['an id of __proto__', { ...sub, id: '__proto__' }],
    ['a non-positive max age', { ...sub, maxAgeSeconds: 0 }],
  ];
  test.each(bad)('refuses %s', (_n, input) => {
    expect(() => subscribe(emptyState(), input as never, { now: NOW })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });

  test('refuses a duplicate id or list UUID', () => {
    const s = populated();
    expect(() => subscribe(s, sub, { now: NOW })).toThrowError(/already exists/);
    const listId = s.subscriptions['s']!.listId!;
    expect(() => subscribe(s, { ...sub, id: 'other', listId }, { now: NOW })).toThrowError(/already subscribed/);
  });

  test('updateSubscription changes the new-image policy without touching images', () => {
    const s = populated();
    const r = updateSubscription(s, 's', { newImages: 'approve' }, { now: NOW });
    expect(r.state.subscriptions['s']?.newImages).toBe('approve');
    expect(r.state.images).toBe(s.images);
    expect(r.events).toEqual([]);
  });

  test('unsubscribe by list UUID expires the images', () => {
    const s = populated();
    const r = unsubscribe(s, s.subscriptions['s']!.listId!, { now: NOW });
    expect(r.state.subscriptions).toEqual({});
    expect(r.state.images.map((i) => [i.status, i.expiryReason])).toEqual([['expired', 'subscription-removed']]);
    expect(() => unsubscribe(s, 'nope', { now: NOW })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
  });

  test('expireByTime takes now positionally or as { now }', () => {
    const s = populated();
    const later = '2026-03-01T00:00:00Z';
    expect(expireByTime(s, later)).toEqual(expireByTime(s, { now: later }));
    expect(expireByTime(s, later).events.map((e) => e.type)).toEqual(['list.expired', 'image.expired']);
  });
});
