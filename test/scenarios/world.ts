// A small world for scenario tests: sites (each with its own subscription
// state), endorsers publishing lists, and a calendar. A Site wraps the pure
// reducer functions and keeps the events of its last step.
import {
  approveImage,
  defineRegistry,
  denyImage,
  emptyState,
  expireByTime,
  findImage,
  reduce,
  revokeEndorser,
  runnable,
  setPolicy,
  subscribe,
  syncRegistry,
  unsubscribe,
  updateSubscription,
  type ImageStatus,
  type ReduceResult,
  type RegistryEndorser,
  type RegistryInput,
  type SitePolicy,
  type SubscribeInput,
  type SubscriptionEvent,
  type SubscriptionState,
} from '../../src/index.js';
import type { Image } from '../../src/model/types.js';
import type { VerifiedImageList } from '../../src/model/verified.js';
import { endorser, uuidOf, verified, type TestEndorser } from '../support/verified.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
/** Midnight UTC of day `n` of the story, `Z` form. */
export const day = (n: number) => new Date(T0 + n * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An endorser that publishes one list (its VMIC), version after version. */
export class Publisher {
  readonly who: TestEndorser;
  private n = 0;
  constructor(
    name: string,
    readonly listLabel = `${name}-vmic`,
  ) {
    this.who = endorser(name);
  }
  /** As a registry entry. */
  get entry(): RegistryEndorser {
    return { name: this.who.name, dn: this.who.dn, ca: this.who.ca, catalogueUrl: this.uri };
  }
  get principal() {
    return { dn: this.who.dn, ca: this.who.ca };
  }
  get uri() {
    return `https://lists.example.org/${this.listLabel}.list`;
  }
  /** Publishes the next version of its list, signed by itself (or by `signer`), on `date`. */
  publish(images: readonly Image[], date: string, options: { signer?: Publisher; lifetimeDays?: number } = {}): VerifiedImageList {
    this.n++;
    const created = Date.parse(date);
    return verified({
      list: this.listLabel,
      version: `1.${this.n}`,
      created: date,
      expires: new Date(created + (options.lifetimeDays ?? 28) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      images,
      by: (options.signer ?? this).who,
      uri: this.uri,
    });
  }
}

/** A site: one subscriber state and the events of its last step. */
export class Site {
  state: SubscriptionState = emptyState();
  events: readonly SubscriptionEvent[] = [];
  constructor(readonly name: string) {}

  private step(r: ReduceResult): readonly SubscriptionEvent[] {
    this.state = r.state;
    this.events = r.events;
    return r.events;
  }
  subscribeTo(p: Publisher, on: string, extra: Partial<SubscribeInput> = {}) {
    return this.step(subscribe(this.state, { id: p.listLabel, uri: p.uri, allowedEndorsers: [p.principal], ...extra }, { now: on }));
  }
  receive(list: VerifiedImageList, on: string, policy?: SitePolicy) {
    return this.step(reduce(this.state, list, { now: on, ...(policy ? { policy } : {}), subscription: this.subscriptionFor(list) }));
  }
  private subscriptionFor(list: VerifiedImageList): string | undefined {
    const id = list.list['dc:identifier'];
    const pinned = Object.values(this.state.subscriptions).find((s) => s.listId === id);
    return pinned ? undefined : Object.values(this.state.subscriptions).find((s) => s.uri === list.list['hv:uri'])?.id;
  }
  registry(input: RegistryInput, on: string) {
    return this.step(defineRegistry(this.state, input, { now: on }));
  }
  sync(id: string, endorsers: readonly RegistryEndorser[], on: string) {
    return this.step(syncRegistry(this.state, id, endorsers, { now: on }));
  }
  update(sub: string, changes: Parameters<typeof updateSubscription>[2], on: string) {
    return this.step(updateSubscription(this.state, sub, changes, { now: on }));
  }
  unsubscribe(sub: string, on: string) {
    return this.step(unsubscribe(this.state, sub, { now: on }));
  }
  approve(img: Image, on: string) {
    return this.step(approveImage(this.state, img['dc:identifier'], { now: on }));
  }
  deny(img: Image, on: string) {
    return this.step(denyImage(this.state, img['dc:identifier'], { now: on }));
  }
  policy(policy: SitePolicy, on: string) {
    return this.step(setPolicy(this.state, policy, { now: on }));
  }
  revoke(p: Publisher, on: string) {
    return this.step(revokeEndorser(this.state, p.principal, { now: on }));
  }
  tick(on: string) {
    return this.step(expireByTime(this.state, on));
  }
  /** Titles of the images this site may run. */
  runnable(): string[] {
    return runnable(this.state)
      .map((r) => String(r.image['dc:title']))
      .sort();
  }
  status(img: Image | string): ImageStatus | undefined {
    return findImage(this.state, typeof img === 'string' ? uuidOf(img) : img['dc:identifier'])?.status;
  }
  /** `type` or `type:uuid-title` of each event of the last step. */
  happened(): string[] {
    return this.events.map((e) => ('image' in e && e.image ? `${e.type}:${String(e.image['dc:title'])}` : e.type));
  }
  rejection(): string | undefined {
    const r = this.events.find((e) => e.type === 'list.rejected');
    return r?.type === 'list.rejected' ? r.code : undefined;
  }
}
