// The subscriber's duties and the attacks of the HEPiX VWG image-transfer
// talk (seed 001): version numbers stop a man in the middle returning an old
// list, UUIDs keep lists from affecting each other, images expire when no
// longer listed, and the image hash leads back to the signed list.
import { describe, expect, test } from 'vitest';
import { deletable, explainEvents, findByChecksum, findImage, forgetImages, markInUse, reduce, staleSubscriptions, type SubscriptionEvent } from '../../src/index.js';
import { image, verified } from '../support/verified.js';
import { Publisher, Site, day } from './world.js';

const ofType = <T extends SubscriptionEvent['type']>(events: readonly SubscriptionEvent[], type: T) =>
  events.filter((e): e is Extract<SubscriptionEvent, { type: T }> => e.type === type);

function site() {
  const endorser = new Publisher('Owen Endorser');
  const s = new Site('site');
  s.subscribeTo(endorser, day(0), { newImages: 'approve', maxAgeSeconds: 3 * 86_400 });
  return { endorser, s };
}

describe('attacks on the subscription', () => {
  test('rollback: a man in the middle returns an old list; it is refused and nothing changes', () => {
    const { endorser, s } = site();
    const old = endorser.publish([image('vulnerable-sl5')], day(0));
    s.receive(old, day(0));
    s.receive(endorser.publish([image('patched-sl5')], day(1)), day(1));
    const before = s.state;
    s.receive(old, day(2));
    expect(s.rejection()).toBe('ERR_VERSION_ROLLBACK');
    expect(s.state).toBe(before);
    expect(s.runnable()).toEqual(['patched-sl5']);
  });

  test('replay: the same signed list again changes nothing and says nothing', () => {
    const { endorser, s } = site();
    const list = endorser.publish([image('a')], day(0));
    s.receive(list, day(0));
    const before = s.state;
    s.receive(list, day(1));
    expect(s.events).toEqual([]);
    expect(s.state).toBe(before);
  });

  test('replay with other content under a version already used is refused unless re-signed later', () => {
    const { endorser, s } = site();
    // hand-made lists keep their version; only dc:date:created moves on
    const handMade = (created: string, images: ReturnType<typeof image>[]) =>
      verified({ list: endorser.listLabel, version: '0.0.1', created, expires: day(30), images, by: endorser.who, uri: endorser.uri });
    s.receive(handMade(day(1), [image('a')]), day(1));
    s.receive(handMade(day(1), [image('a'), image('b')]), day(2));
    expect(s.rejection()).toBe('ERR_VERSION_REUSED');
    s.receive(handMade(day(0), [image('a'), image('b')]), day(2));
    expect(s.rejection()).toBe('ERR_VERSION_ROLLBACK');
    s.receive(handMade(day(2), [image('a'), image('b')]), day(2));
    expect(s.rejection()).toBeUndefined();
    expect(s.runnable()).toEqual(['a', 'b']);
  });

  test('freeze: a mirror keeps serving the last list; the site hears it is stale, then the list expires', () => {
    const { endorser, s } = site();
    const frozen = endorser.publish([image('a')], day(0), { lifetimeDays: 7 });
    s.receive(frozen, day(0));
    s.tick(day(2));
    expect(s.events).toEqual([]);
    s.receive(frozen, day(4)); // identical bytes do not count as a refresh
    s.tick(day(4));
    expect(s.happened()).toEqual(['list.stale']);
    expect(staleSubscriptions(s.state, day(4)).map((x) => x.subscription)).toEqual([endorser.listLabel]);
    s.tick(day(5));
    expect(s.events).toEqual([]); // reported once
    s.receive(frozen, day(8));
    expect(s.rejection()).toBe('ERR_LIST_EXPIRED');
    s.tick(day(8));
    expect(s.happened()).toEqual(['list.expired', 'image.expired:a']);
    expect(ofType(s.events, 'image.expired')[0]?.reason).toBe('list-expired');
    expect(s.runnable()).toEqual([]);
    // the endorser publishes again: the image is back
    s.receive(endorser.publish([image('a')], day(9)), day(9));
    expect(s.runnable()).toEqual(['a']);
    expect(staleSubscriptions(s.state, day(9))).toEqual([]);
  });

  test('UUID hijack: another list claims an image UUID; that image is reported, the owner keeps it, the rest applies', () => {
    const { endorser, s } = site();
    const squatter = new Publisher('Squatter');
    s.subscribeTo(squatter, day(0), { newImages: 'approve' });
    const victim = image('victim');
    s.receive(endorser.publish([victim], day(0)), day(0));
    const ownerRecord = findImage(s.state, victim['dc:identifier']);
    const forged = image('victim', { 'hv:uri': 'https://evil.example.org/victim.img', 'sl:checksum:sha512': 'e'.repeat(128) });
    s.receive(squatter.publish([forged, image('squatter-own')], day(1)), day(1));
    const [conflict] = ofType(s.events, 'image.conflict');
    expect([conflict?.code, conflict?.owner, conflict?.uuid]).toEqual(['ERR_UUID_CONFLICT', endorser.listLabel, victim['dc:identifier']]);
    expect(findImage(s.state, victim['dc:identifier'])).toBe(ownerRecord);
    expect(s.runnable()).toEqual(['squatter-own', 'victim']);
    // the producer can be told, in words
    expect(explainEvents(s.events).join('\n')).toMatch(/owned by subscription .*tell the list's producer/);
    // and when the squatting list later drops it, the owner's image is still untouched
    s.receive(squatter.publish([image('squatter-own')], day(2)), day(2));
    expect(findImage(s.state, victim['dc:identifier'])).toBe(ownerRecord);
  });

  test('a list with another list UUID cannot affect a subscription', () => {
    const { endorser, s } = site();
    s.receive(endorser.publish([image('a')], day(0)), day(0));
    const other = new Publisher('Owen Endorser', 'other-list').publish([], day(1));
    const r = reduce(s.state, other, { now: day(1), subscription: endorser.listLabel });
    expect(r.events.map((e) => (e.type === 'list.rejected' ? e.code : e.type))).toEqual(['ERR_LIST_ID_MISMATCH']);
    expect(r.state).toBe(s.state);
  });
});

describe('subscriber duties', () => {
  test('several endorsers may provide one image list (e.g. ATLAS), only they may update it', () => {
    const alice = new Publisher('ATLAS Alice', 'atlas');
    const bob = new Publisher('ATLAS Bob', 'atlas');
    const s = new Site('site');
    s.subscribeTo(alice, day(0), { allowedEndorsers: [alice.principal, bob.principal], newImages: 'approve' });
    s.receive(alice.publish([image('atlas-1')], day(0)), day(0));
    s.receive(alice.publish([image('atlas-1'), image('atlas-2')], day(1), { signer: bob }), day(1));
    expect(s.rejection()).toBeUndefined();
    s.receive(alice.publish([], day(2), { signer: new Publisher('Not ATLAS') }), day(2));
    expect(s.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
    expect(s.runnable()).toEqual(['atlas-1', 'atlas-2']);
  });

  test('the image hash leads to the endorser and the signed list (non-repudiation)', () => {
    const { endorser, s } = site();
    const vm = image('a');
    const list = endorser.publish([vm], day(0));
    s.receive(list, day(0));
    const [v] = findByChecksum(s.state, vm['sl:checksum:sha512'].toUpperCase());
    expect([v?.subscription, v?.endorser.dn, v?.listId, v?.contentSha256]).toEqual([endorser.listLabel, endorser.who.dn, list.list['dc:identifier'], list.contentSha256]);
  });

  test('expired images are deleted from the cache after a grace period, unless in use', () => {
    const { endorser, s } = site();
    s.receive(endorser.publish([image('a'), image('b')], day(0)), day(0));
    s.receive(endorser.publish([], day(1)), day(1));
    s.state = markInUse(s.state, [image('a')['dc:identifier']], { now: day(1) });
    expect(deletable(s.state, day(1), { graceSeconds: 86_400 })).toEqual([]);
    expect(deletable(s.state, day(2), { graceSeconds: 86_400 }).map((r) => r.image['dc:title'])).toEqual(['b']);
    s.state = markInUse(s.state, [image('a')['dc:identifier']], { now: day(3), inUse: false });
    expect(deletable(s.state, day(3), { graceSeconds: 86_400 }).map((r) => r.image['dc:title'])).toEqual(['b']);
    expect(deletable(s.state, day(4), { graceSeconds: 86_400 }).map((r) => r.image['dc:title']).sort()).toEqual(['a', 'b']);
    s.state = forgetImages(s.state, [image('b')['dc:identifier']]);
    expect(s.status('b')).toBeUndefined();
  });

  test('unsubscribing expires the images; another list may then take their UUIDs', () => {
    const { endorser, s } = site();
    s.receive(endorser.publish([image('a')], day(0)), day(0));
    s.unsubscribe(endorser.listLabel, day(1));
    expect(s.happened()).toEqual(['image.expired:a', 'subscription.removed']);
    const heir = new Publisher('Heir');
    s.subscribeTo(heir, day(2), { newImages: 'approve' });
    s.receive(heir.publish([image('a')], day(2)), day(2));
    expect(findImage(s.state, image('a')['dc:identifier'])?.subscription).toBe(heir.listLabel);
  });
});
