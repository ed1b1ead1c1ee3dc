// The endorsement scenarios of the HEPiX VWG policy slides (seed 000), one
// test each. Endorsers publish signed lists (VMICs); sites subscribe, approve
// and run. A VMI runs only when it is both endorsed and approved.
import { describe, expect, test } from 'vitest';
import { checkImageIntegrity, explainEvents, findByChecksum, reduce, type SubscriptionEvent } from '../../src/index.js';
import { checksumOf, image } from '../support/verified.js';
import { Publisher, Site, day } from './world.js';

const ofType = <T extends SubscriptionEvent['type']>(events: readonly SubscriptionEvent[], type: T) =>
  events.filter((e): e is Extract<SubscriptionEvent, { type: T }> => e.type === type);

describe('endorsed and approved', () => {
  test('a VMI runs only when it is both endorsed by an endorser and approved by the site', () => {
    const cms = new Publisher('CMS Endorser');
    const site = new Site('SITE');
    const vm = image('cms-worker');
    site.subscribeTo(cms, day(0));
    site.receive(cms.publish([vm], day(0)), day(0));
    expect(site.status(vm)).toBe('pending'); // endorsed, not approved
    expect(site.runnable()).toEqual([]);
    site.approve(vm, day(1));
    expect(site.runnable()).toEqual(['cms-worker']); // endorsed and approved
    site.receive(cms.publish([], day(2)), day(2));
    expect(site.status(vm)).toBe('expired'); // approved, no longer endorsed
    expect(site.runnable()).toEqual([]);
  });

  test('SITE approves VMIs endorsed by RAL and CMS next to its own local ones', () => {
    const ral = new Publisher('RAL Endorser');
    const cms = new Publisher('CMS Endorser');
    const local = new Publisher('SITE Local Endorser');
    const site = new Site('SITE');
    site.subscribeTo(ral, day(0), { newImages: 'approve' });
    site.subscribeTo(cms, day(0), { newImages: 'approve' });
    site.subscribeTo(local, day(0), { newImages: 'approve' });
    site.receive(ral.publish([image('ral-sl6')], day(0)), day(0));
    site.receive(cms.publish([image('cms-sl6'), image('cms-sl5')], day(0)), day(0));
    site.receive(local.publish([image('site-debug')], day(0)), day(0));
    expect(site.runnable()).toEqual(['cms-sl5', 'cms-sl6', 'ral-sl6', 'site-debug']);
  });
});

describe('endorser registries', () => {
  test("RAL's list of endorsers is based on CMS's, with mandatory synchronisation, plus RAL's local endorsers", () => {
    const cmsA = new Publisher('CMS Endorser A');
    const ralLocal = new Publisher('RAL Local Endorser');
    const site = new Site('RAL');
    site.registry({ id: 'ral', name: 'RAL', endorsers: [ralLocal.entry], upstream: { source: 'https://cms.example.org/endorsers', maxAgeSeconds: 7 * 86_400 } }, day(0));
    site.sync('ral', [cmsA.entry], day(0));
    expect(site.happened()).toEqual(['endorser.added']);
    site.subscribeTo(cmsA, day(0), { allowedEndorsers: [], registry: 'ral' });
    site.subscribeTo(ralLocal, day(0), { allowedEndorsers: [], registry: 'ral' });
    site.receive(cmsA.publish([image('cms-a')], day(1)), day(1));
    expect(site.rejection()).toBeUndefined();
    // nobody synchronised for more than a week: reported, and the copy stops vouching
    site.tick(day(8));
    expect(site.happened()).toEqual(['registry.stale']);
    site.receive(cmsA.publish([image('cms-a'), image('cms-b')], day(9)), day(9));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
    expect(explainEvents(site.events)[0]).toMatch(/synchronised/);
    // RAL's own endorsers do not depend on the copy
    site.receive(ralLocal.publish([image('ral-local')], day(9)), day(9));
    expect(site.rejection()).toBeUndefined();
    site.sync('ral', [cmsA.entry], day(9));
    site.receive(cmsA.publish([image('cms-a'), image('cms-b')], day(9)), day(9));
    expect(site.rejection()).toBeUndefined();
  });
});

describe('endorser scenarios (VO XYZ)', () => {
  function voSite() {
    const e1 = new Publisher('XYZ Endorser One');
    const site = new Site('site supporting XYZ');
    site.registry({ id: 'xyz', name: 'VO XYZ', vo: 'xyz', endorsers: [], upstream: { source: 'https://xyz.example.org/endorsers', maxAgeSeconds: 7 * 86_400 } }, day(0));
    site.sync('xyz', [e1.entry], day(0));
    site.subscribeTo(e1, day(0), { allowedEndorsers: [], registry: 'xyz', newImages: 'approve' });
    site.receive(e1.publish([image('xyz-analysis')], day(0)), day(0));
    return { e1, site };
  }

  test('a new endorser for VO XYZ enters: it must be approved, sites are informed and asked to make its VMIs available', () => {
    const { e1, site } = voSite();
    const e2 = new Publisher('XYZ Endorser Two');
    site.subscribeTo(e2, day(1), { allowedEndorsers: [], registry: 'xyz' });
    // not yet approved by the VO: its list is refused
    site.receive(e2.publish([image('xyz-new')], day(1)), day(1));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
    // the VO approves it; every site that follows the VO's list learns of it
    site.sync('xyz', [e1.entry, e2.entry], day(1));
    const added = ofType(site.events, 'endorser.added');
    expect(added.map((e) => [e.registry, e.endorser.name, e.endorser.catalogueUrl])).toEqual([['xyz', 'XYZ Endorser Two', e2.uri]]);
    // its VMIs are offered to the site for approval
    site.receive(e2.publish([image('xyz-new')], day(2)), day(2));
    expect(site.happened()).toEqual(['list.accepted', 'image.added:xyz-new']);
    expect(site.status('xyz-new')).toBe('pending');
  });

  test('an endorser leaves VO XYZ, not replaced, and the VO wants sites to keep running its VMIs: no new VMIs are taken', () => {
    const { e1, site } = voSite();
    site.sync('xyz', [{ ...e1.entry, retired: true }], day(1));
    expect(site.happened()).toEqual(['endorser.retired']);
    expect(site.runnable()).toEqual(['xyz-analysis']);
    site.receive(e1.publish([image('xyz-analysis'), image('xyz-sneaked-in')], day(2)), day(2));
    expect(site.rejection()).toBeUndefined();
    expect(site.status('xyz-sneaked-in')).toBeUndefined();
    expect(site.runnable()).toEqual(['xyz-analysis']);
  });

  test('an endorser leaves VO XYZ and the VO revokes all its VMIs: sites are informed, the VMIs expire', () => {
    const { e1, site } = voSite();
    site.sync('xyz', [], day(1));
    expect(site.happened()).toEqual(['endorser.removed', 'image.expired:xyz-analysis']);
    expect(ofType(site.events, 'image.expired')[0]?.reason).toBe('endorser-removed');
    expect(site.runnable()).toEqual([]);
    site.receive(e1.publish([image('xyz-analysis')], day(2)), day(2));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });

  test('endorser E1 of VO XYZ is replaced by endorser E2, who takes over the VO list', () => {
    const { e1, site } = voSite();
    const e2 = new Publisher('XYZ Endorser Two');
    site.sync('xyz', [e1.entry, e2.entry], day(1));
    site.receive(e1.publish([image('xyz-analysis')], day(2), { signer: e2 }), day(2));
    expect(ofType(site.events, 'image.updated')[0]?.changes).toEqual(['endorser']);
    site.sync('xyz', [e2.entry], day(3));
    expect(site.happened()).toEqual(['endorser.removed']); // nothing depended on E1 any more
    expect(site.runnable()).toEqual(['xyz-analysis']);
    site.receive(e1.publish([image('xyz-analysis'), image('xyz-e1-late')], day(4)), day(4));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });

  test('VO A elects a new endorser E1: site S1 supports VO A and must act, site S2 does not support VO A and is not bothered', () => {
    const e1 = new Publisher('VO A Endorser');
    const appdb = new Publisher('AppDB');
    const s1 = new Site('S1');
    const s2 = new Site('S2');
    s1.registry({ id: 'vo-a', vo: 'A', endorsers: [], upstream: { source: 'https://vo-a.example.org/endorsers', maxAgeSeconds: 86_400 } }, day(0));
    s1.sync('vo-a', [e1.entry], day(0));
    expect(s1.happened()).toEqual(['endorser.added']); // S1 takes action: subscribe
    s1.subscribeTo(e1, day(0), { allowedEndorsers: [], registry: 'vo-a' });
    // both sites also take a catalogue mixing VOs
    s1.subscribeTo(appdb, day(0));
    s2.subscribeTo(appdb, day(0));
    s2.policy({ unsupportedVos: ['A'] }, day(0));
    const catalogue = appdb.publish([image('vo-a-sim', { 'ad:vo': 'A' }), image('vo-b-sim', { 'ad:vo': 'B' })], day(1));
    s1.receive(catalogue, day(1));
    s2.receive(catalogue, day(1));
    expect(s1.happened()).toEqual(['list.accepted', 'image.added:vo-a-sim', 'image.added:vo-b-sim']);
    expect(s2.happened()).toEqual(['list.accepted', 'image.added:vo-b-sim']);
    expect(s2.status('vo-a-sim')).toBe('denied');
    s2.approve(image('vo-a-sim'), day(2)); // even if approved by mistake, an unsupported VO does not run
    expect(s2.runnable()).toEqual([]);
  });
});

describe('VMI scenarios', () => {
  function subscribed() {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    site.subscribeTo(a, day(0));
    const base = image('base-sl6');
    site.receive(a.publish([base], day(0)), day(0));
    site.approve(base, day(0));
    return { a, site, base };
  }

  test('a new VMI is released and endorser A blesses it: it is published and sites are asked to make it available', () => {
    const { a, site, base } = subscribed();
    const fresh = image('analysis-sl6');
    site.receive(a.publish([base, fresh], day(1)), day(1));
    expect(site.happened()).toEqual(['list.accepted', 'image.added:analysis-sl6']);
    expect(explainEvents(site.events)[1]).toMatch(/waits for site approval/);
    site.approve(fresh, day(1));
    expect(site.happened()).toEqual(['image.approved:analysis-sl6']);
    expect(site.runnable()).toEqual(['analysis-sl6', 'base-sl6']);
  });

  test('endorser A revokes a previously blessed VMI without replacing it', () => {
    const { a, site, base } = subscribed();
    site.receive(a.publish([], day(1)), day(1));
    expect(ofType(site.events, 'image.expired').map((e) => [e.uuid, e.reason])).toEqual([[base['dc:identifier'], 'left-list']]);
    expect(site.runnable()).toEqual([]);
  });

  test('endorser A updates an existing VMI: the site learns what changed and keeps its approval', () => {
    const { a, site, base } = subscribed();
    const v2 = image('base-sl6', { 'hv:version': '2', 'sl:checksum:sha512': checksumOf('base-sl6 v2'), 'hv:size': 4096 });
    site.receive(a.publish([v2], day(1)), day(1));
    const [updated] = ofType(site.events, 'image.updated');
    expect(updated?.changes).toEqual(['checksum', 'size', 'version']);
    expect(updated?.previous['sl:checksum:sha512']).toBe(base['sl:checksum:sha512']);
    expect(site.runnable()).toEqual(['base-sl6']);
    expect(findByChecksum(site.state, checksumOf('base-sl6 v2')).map((v) => v.record.uuid)).toEqual([base['dc:identifier']]);
    expect(findByChecksum(site.state, base['sl:checksum:sha512'])).toEqual([]);
  });
});

describe('site scenarios', () => {
  test('site B uses a site-specific VMI for its local users', () => {
    const b = new Publisher('Site B Admin', 'site-b-local');
    const site = new Site('B');
    site.subscribeTo(b, day(0), { newImages: 'approve' });
    site.receive(b.publish([image('b-local-tools')], day(0)), day(0));
    expect(site.runnable()).toEqual(['b-local-tools']);
  });

  test('site B shares a VMI it created with other sites, who can tell who vouches for it', () => {
    const b = new Publisher('Site B Admin', 'site-b-shared');
    const c = new Site('C');
    c.subscribeTo(b, day(0));
    const shared = image('b-shared');
    const list = b.publish([shared], day(0));
    c.receive(list, day(0));
    expect(c.status(shared)).toBe('pending');
    const [voucher] = findByChecksum(c.state, shared['sl:checksum:sha512']);
    expect(voucher?.endorser.dn).toBe(b.who.dn);
    expect(voucher?.contentSha256).toBe(list.contentSha256);
  });

  test('a VMI from a trusted endorser, allowed by policy, whose integrity is ok, can be made available', () => {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    const vm = image('good');
    site.subscribeTo(a, day(0), { newImages: 'approve' });
    site.receive(a.publish([vm], day(0)), day(0));
    const check = checkImageIntegrity(site.state, vm['dc:identifier'], { sha512: vm['sl:checksum:sha512'], size: vm['hv:size'] });
    expect(check.ok).toBe(true);
    expect(site.runnable()).toEqual(['good']);
  });

  test('a VMI whose integrity is violated (wrong checksum, wrong size, wrong signature) is not made available', () => {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    const vm = image('tampered');
    site.subscribeTo(a, day(0), { newImages: 'approve' });
    site.receive(a.publish([vm], day(0)), day(0));
    const wrongSum = checkImageIntegrity(site.state, vm['dc:identifier'], { sha512: checksumOf('something else'), size: vm['hv:size'] });
    expect(wrongSum.ok ? undefined : wrongSum.code).toBe('ERR_HASH_MISMATCH');
    const wrongSize = checkImageIntegrity(site.state, vm['dc:identifier'], { sha512: vm['sl:checksum:sha512'], size: vm['hv:size'] + 1 });
    expect(wrongSize.ok ? undefined : wrongSize.code).toBe('ERR_SIZE_MISMATCH');
    // a list whose signature did not verify never becomes a VerifiedImageList
    const unverified = { ...a.publish([vm, image('extra')], day(1)) };
    expect(() => reduce(site.state, unverified, { now: day(1) })).toThrowError(expect.objectContaining({ code: 'ERR_INPUT' }));
    // a list signed by someone else than the allowed endorser is refused
    site.receive(a.publish([vm, image('extra')], day(1), { signer: new Publisher('Mallory') }), day(1));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });

  test('a VMI from a trusted endorser that site policy forbids is not run', () => {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    site.policy({ deniedKinds: [{ os: 'Windows' }] }, day(0));
    site.subscribeTo(a, day(0), { newImages: 'approve' });
    site.receive(a.publish([image('win', { 'sl:os': 'Windows' }), image('linux')], day(0)), day(0));
    expect(ofType(site.events, 'image.added').map((e) => [e.image['dc:title'], e.status, e.deniedReason])).toEqual([
      ['win', 'denied', 'kind-denied'],
      ['linux', 'current', undefined],
    ]);
    expect(site.runnable()).toEqual(['linux']);
  });

  test('a site stops running VMIs of type XYZ (here: Xen images)', () => {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    site.subscribeTo(a, day(0), { newImages: 'approve' });
    site.receive(a.publish([image('xen-vm', { 'hv:hypervisor': 'xen' }), image('kvm-vm')], day(0)), day(0));
    expect(site.runnable()).toEqual(['kvm-vm', 'xen-vm']);
    site.policy({ deniedKinds: [{ hypervisor: 'XEN' }] }, day(1));
    expect(ofType(site.events, 'image.denied').map((e) => [e.image['dc:title'], e.reason])).toEqual([['xen-vm', 'kind-denied']]);
    expect(site.runnable()).toEqual(['kvm-vm']);
    site.policy({}, day(2)); // lifted: the approval still holds
    expect(site.happened()).toEqual(['image.approved:xen-vm']);
  });

  test('a site stops running all VMIs of endorser XYZ, which were previously trusted and used', () => {
    const xyz = new Publisher('Endorser XYZ');
    const other = new Publisher('Endorser Other');
    const site = new Site('site');
    site.subscribeTo(xyz, day(0), { newImages: 'approve' });
    site.subscribeTo(other, day(0), { newImages: 'approve' });
    site.receive(xyz.publish([image('xyz-1'), image('xyz-2')], day(0)), day(0));
    site.receive(other.publish([image('other-1')], day(0)), day(0));
    site.revoke(xyz, day(1));
    expect(site.happened()).toEqual(['image.revoked:xyz-1', 'image.revoked:xyz-2']);
    expect(site.runnable()).toEqual(['other-1']);
    site.receive(xyz.publish([image('xyz-1'), image('xyz-2')], day(2)), day(2));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
  });

  test('a site makes a new VMI available to its users', () => {
    const a = new Publisher('Endorser A');
    const site = new Site('site');
    const vm = image('new-for-users');
    site.subscribeTo(a, day(0));
    site.receive(a.publish([vm], day(0)), day(0));
    expect(site.runnable()).toEqual([]);
    site.approve(vm, day(1));
    expect(site.happened()).toEqual(['image.approved:new-for-users']);
    expect(site.runnable()).toEqual(['new-for-users']);
  });

  test('endorser A is replaced by endorser B: VMIs of A are no longer trusted, VMIs of B are', () => {
    const a = new Publisher('Endorser A', 'team-list');
    const b = new Publisher('Endorser B', 'team-list');
    const site = new Site('site');
    site.subscribeTo(a, day(0), { newImages: 'approve' });
    site.receive(a.publish([image('by-a')], day(0)), day(0));
    site.update('team-list', { allowedEndorsers: [b.principal] }, day(1));
    expect(site.happened()).toEqual(['image.expired:by-a']);
    site.receive(a.publish([image('by-a')], day(2)), day(2));
    expect(site.rejection()).toBe('ERR_ENDORSER_NOT_TRUSTED');
    site.receive(b.publish([image('by-b')], day(3)), day(3));
    expect(site.runnable()).toEqual(['by-b']);
  });
});
