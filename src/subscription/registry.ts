/**
 * Endorser registries: a site's, VO's or group's list of valid endorsers
 * (name, DN, CA, catalogue URL). A registry may be based on another one — a
 * registry in the same state (always in sync) or a copy of an outside list,
 * which must be synchronised within `maxAgeSeconds`: a stale copy stops
 * vouching for new lists until it is synchronised again.
 */
import { VmiListError } from '../errors.js';
import { EventSink, type ReduceResult } from './events.js';
import { checkPrincipal, principalMatcher, principalMatches } from './principals.js';
import { expireRecord } from './records.js';
import type { EndorserPrincipal, EndorserRegistry, NowOptions, RegistryEndorser, RegistryUpstream, Subscription, SubscriptionState } from './types.js';
import { checkId, dateMs, instant, own, sameJson } from './util.js';
import { mapImages } from './image-table.js';

/** The endorsers a registry vouches for; `ms` given: a stale upstream copy counts for nothing. */
export function registryEndorsers(state: SubscriptionState, id: string, ms?: number, seen: ReadonlySet<string> = new Set()): RegistryEndorser[] {
  const reg = own(state.registries, id);
  if (!reg || seen.has(id)) return [];
  const out = [...reg.endorsers];
  const up = reg.upstream;
  if (up) {
    if (own(state.registries, up.source)) out.push(...registryEndorsers(state, up.source, ms, new Set([...seen, id])));
    else if (ms === undefined || !upstreamStale(up, ms)) out.push(...(up.endorsers ?? []));
  }
  return out;
}

/** True when an outside upstream copy is older than its mandatory sync interval. */
export function upstreamStale(up: RegistryUpstream, ms: number): boolean {
  const synced = dateMs(up.syncedAt);
  return !(synced + up.maxAgeSeconds * 1000 > ms);
}

/** True when every allowed entry matching the signer is retired (no new images from it). */
export function signerRetired(allowed: readonly (EndorserPrincipal & { retired?: boolean })[], signer: { dn: string; ca: string }): boolean {
  const matching = allowed.filter((p) => principalMatches(p, signer));
  return matching.length > 0 && matching.every((p) => p.retired === true);
}

/** Every principal that may sign lists of `sub` (own list plus its registry). */
export function allowedEndorsers(state: SubscriptionState, sub: Subscription, ms?: number): (EndorserPrincipal & { retired?: boolean })[] {
  return sub.registry === undefined ? [...sub.allowedEndorsers] : [...sub.allowedEndorsers, ...registryEndorsers(state, sub.registry, ms)];
}

function checkEndorser(value: unknown, what: string): RegistryEndorser {
  const p = checkPrincipal(value, what);
  const { name, catalogueUrl, retired } = value as { name?: unknown; catalogueUrl?: unknown; retired?: unknown };
  if (name !== undefined && typeof name !== 'string') throw new VmiListError('ERR_INPUT', `${what}.name must be a string`);
  if (catalogueUrl !== undefined && typeof catalogueUrl !== 'string') throw new VmiListError('ERR_INPUT', `${what}.catalogueUrl must be a string`);
  if (retired !== undefined && typeof retired !== 'boolean') throw new VmiListError('ERR_INPUT', `${what}.retired must be a boolean`);
  return {
    ...(name === undefined ? {} : { name }),
    ...p,
    ...(catalogueUrl === undefined ? {} : { catalogueUrl }),
    ...(retired ? { retired: true } : {}),
  };
}

/**
 * After endorsers were removed from what a subscription allows: images whose
 * endorser is no longer allowed expire (`endorser-removed`).
 */
export function expireUnendorsed(state: SubscriptionState, sink: EventSink, at: string): SubscriptionState {
  const dropped = new Map<string, (s: { dn: string; ca: string }) => boolean>();
  for (const sub of Object.values(state.subscriptions)) dropped.set(sub.id, principalMatcher(allowedEndorsers(state, sub)));
  const images = mapImages(state.images, (r) => {
    if (r.status === 'expired') return r;
    const allowed = dropped.get(r.subscription);
    if (!allowed || allowed(r.endorser)) return r;
    sink.push({ type: 'image.expired', subscription: r.subscription, uuid: r.uuid, image: r.image, reason: 'endorser-removed', at });
    return expireRecord(r, 'endorser-removed', at);
  });
  return images !== state.images ? { ...state, images } : state;
}

function diffEndorsers(sink: EventSink, registry: string, before: readonly RegistryEndorser[], after: readonly RegistryEndorser[], at: string): void {
  const key = (e: RegistryEndorser) => `${e.dn}\u0000${e.ca ?? ''}`;
  const b = new Set(before.map(key));
  const a = new Set(after.map(key));
  const wasRetired = new Set(before.filter((e) => e.retired).map(key));
  for (const e of after) {
    if (!b.has(key(e))) sink.push({ type: e.retired ? 'endorser.retired' : 'endorser.added', registry, endorser: e, at });
    else if (e.retired && !wasRetired.has(key(e))) sink.push({ type: 'endorser.retired', registry, endorser: e, at });
  }
  for (const e of before) if (!a.has(key(e))) sink.push({ type: 'endorser.removed', registry, endorser: e, at });
}

/** Input of {@link defineRegistry}. */
export interface RegistryInput {
  readonly id: string;
  readonly name?: string;
  readonly vo?: string;
  readonly endorsers: readonly RegistryEndorser[];
  /** Base it on another registry of this state (`source` = its id) or on an outside list (a URI). */
  readonly upstream?: { readonly source: string; readonly maxAgeSeconds: number };
}

/**
 * Creates or replaces a registry. Endorsers added/removed are reported
 * (`endorser.added`/`endorser.removed`); images of subscriptions whose
 * endorser is no longer vouched for expire (`endorser-removed`).
 */
export function defineRegistry(state: SubscriptionState, input: RegistryInput, options: NowOptions): ReduceResult {
  const { ms, at } = instant(options.now);
  const id = checkId(input?.id, 'registry id');
  if (!Array.isArray(input.endorsers)) throw new VmiListError('ERR_INPUT', 'registry endorsers must be an array');
  const endorsers = input.endorsers.map((e, i) => checkEndorser(e, `endorsers[${i}]`));
  const old = own(state.registries, id);
  let upstream: RegistryUpstream | undefined;
  if (input.upstream) {
    const { source, maxAgeSeconds } = input.upstream;
    checkId(source, 'upstream.source');
    if (!(Number.isFinite(maxAgeSeconds) && maxAgeSeconds > 0)) throw new VmiListError('ERR_INPUT', 'upstream.maxAgeSeconds must be a positive number: synchronisation is mandatory');
    if (source === id) throw new VmiListError('ERR_INPUT', `registry ${id} cannot be based on itself`);
    const keep = old?.upstream?.source === source ? old.upstream : undefined;
    upstream = { ...(keep ?? {}), source, maxAgeSeconds };
  }
  const reg: EndorserRegistry = {
    id,
    ...(typeof input.name === 'string' ? { name: input.name } : {}),
    ...(typeof input.vo === 'string' ? { vo: input.vo } : {}),
    endorsers,
    ...(upstream ? { upstream } : {}),
  };
  if (old && sameJson(old, reg)) return { state, events: [] };
  const sink = new EventSink();
  const before = old ? registryEndorsers(state, id, ms) : [];
  const next: SubscriptionState = { ...state, registries: { ...state.registries, [id]: reg } };
  diffEndorsers(sink, id, before, registryEndorsers(next, id, ms), at);
  return { state: expireUnendorsed(next, sink, at), events: sink.events };
}

/**
 * Synchronises a registry's copy of its outside upstream list (the
 * mandatory synchronisation): replaces the copied endorsers and renews
 * `syncedAt`.
 */
export function syncRegistry(state: SubscriptionState, id: string, endorsers: readonly RegistryEndorser[], options: NowOptions): ReduceResult {
  const { ms, at } = instant(options.now);
  const reg = own(state.registries, id);
  if (!reg?.upstream) throw new VmiListError('ERR_INPUT', `registry ${JSON.stringify(id)} does not exist or has no upstream to synchronise`);
  if (own(state.registries, reg.upstream.source)) throw new VmiListError('ERR_INPUT', `registry ${id} follows registry ${reg.upstream.source} of this state; it is always in sync`);
  if (!Array.isArray(endorsers)) throw new VmiListError('ERR_INPUT', 'endorsers must be an array');
  const copied = endorsers.map((e, i) => checkEndorser(e, `endorsers[${i}]`));
  const { staleSince: _s, ...up } = reg.upstream;
  const nextReg: EndorserRegistry = { ...reg, upstream: { ...up, syncedAt: at, endorsers: copied } };
  const sink = new EventSink();
  const before = registryEndorsers(state, id); // the configured set, stale or not
  const next: SubscriptionState = { ...state, registries: { ...state.registries, [id]: nextReg } };
  diffEndorsers(sink, id, before, registryEndorsers(next, id, ms), at);
  return { state: expireUnendorsed(next, sink, at), events: sink.events };
}

/** Registries whose outside upstream copy was not synchronised in time, with a `registry.stale` event once per lapse. */
export function checkRegistries(state: SubscriptionState, ms: number, at: string, sink: EventSink): SubscriptionState {
  let registries: Record<string, EndorserRegistry> | undefined;
  for (const reg of Object.values(state.registries)) {
    const up = reg.upstream;
    if (!up || own(state.registries, up.source) || up.staleSince !== undefined || !upstreamStale(up, ms)) continue;
    registries ??= { ...state.registries };
    registries[reg.id] = { ...reg, upstream: { ...up, staleSince: at } };
    sink.push({ type: 'registry.stale', registry: reg.id, source: up.source, ...(up.syncedAt ? { syncedAt: up.syncedAt } : {}), maxAgeSeconds: up.maxAgeSeconds, at });
  }
  return registries ? { ...state, registries } : state;
}
