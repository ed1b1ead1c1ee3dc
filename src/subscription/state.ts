/**
 * Creating, checking and migrating subscription state. A saved state is
 * plain JSON; `migrateState` validates one read back (from a file, a
 * database, an older release) and upgrades it to the current layout.
 */
import { VmiListError } from '../errors.js';
import type { Issue } from '../errors.js';
import { STATE_VERSION, type SitePolicy, type SubscriptionState } from './types.js';

/** A new, empty state. */
export function emptyState(): SubscriptionState {
  return { stateVersion: STATE_VERSION, subscriptions: {}, images: Object.freeze([]), registries: {}, revokedEndorsers: [], policy: {} };
}

/** Cheap check on every call: catches a state from elsewhere that was never migrated. */
export function checkState(state: unknown): asserts state is SubscriptionState {
  const s = state as Partial<SubscriptionState> | null;
  if (typeof s !== 'object' || s === null || s.stateVersion !== STATE_VERSION || !Array.isArray(s.images) || typeof s.subscriptions !== 'object') {
    throw new VmiListError('ERR_INPUT', `not a subscription state of this release (stateVersion ${STATE_VERSION}); pass a saved state through migrateState() first`);
  }
}

type Check = (value: unknown, path: string, issues: Issue[]) => void;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str: Check = (v, p, i) => void (typeof v === 'string' || i.push({ path: p, message: 'must be a string' }));
const num: Check = (v, p, i) => void ((typeof v === 'number' && Number.isFinite(v) && v >= 0) || i.push({ path: p, message: 'must be a non-negative number' }));
const bool: Check = (v, p, i) => void (typeof v === 'boolean' || i.push({ path: p, message: 'must be a boolean' }));
const oneOf = (...xs: string[]): Check => (v, p, i) => void (xs.includes(v as string) || i.push({ path: p, message: `must be one of ${xs.join(', ')}` }));
const arr = (item: Check): Check => (v, p, i) => {
  if (!Array.isArray(v)) return void i.push({ path: p, message: 'must be an array' });
  v.forEach((x, n) => item(x, `${p}/${n}`, i));
};
// entries computed once per shape: states hold 100k records
const obj = (req: Record<string, Check>, opt: Record<string, Check> = {}): Check => {
  const reqE = Object.entries(req);
  const optE = Object.entries(opt);
  return (v, p, i) => {
    if (!isObj(v)) return void i.push({ path: p, message: 'must be an object' });
    for (const [k, c] of reqE) {
      if (!Object.prototype.hasOwnProperty.call(v, k)) i.push({ path: `${p}/${k}`, message: 'is missing' });
      else c(v[k], `${p}/${k}`, i);
    }
    for (const [k, c] of optE) if (Object.prototype.hasOwnProperty.call(v, k)) c(v[k], `${p}/${k}`, i);
    for (const k in v) if (!Object.prototype.hasOwnProperty.call(req, k) && !Object.prototype.hasOwnProperty.call(opt, k)) i.push({ path: `${p}/${k}`, message: 'is not a known field' });
  };
};
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);
const map = (item: Check, key = 'id'): Check => (v, p, i) => {
  if (!isObj(v)) return void i.push({ path: p, message: 'must be an object' });
  for (const k of Object.keys(v)) {
    if (FORBIDDEN.has(k)) {
      i.push({ path: `${p}/${k}`, message: 'is a forbidden key' });
      continue;
    }
    const x = v[k];
    item(x, `${p}/${k}`, i);
    if (isObj(x) && x[key] !== k) i.push({ path: `${p}/${k}/${key}`, message: `must equal its key ${JSON.stringify(k)}` });
  }
};
// Image metadata is open (unknown wire fields are kept) but must be plain JSON.
function jsonIssue(v: unknown, depth: number): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : 'holds a non-finite number';
  if (depth > 64) return 'is nested too deeply (or cyclic)';
  if (Array.isArray(v)) {
    for (const x of v) {
      const e = jsonIssue(x, depth + 1);
      if (e) return e;
    }
    return undefined;
  }
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    for (const k of Object.keys(v)) {
      if (FORBIDDEN.has(k)) return `holds the forbidden key ${k}`;
      const e = jsonIssue((v as Record<string, unknown>)[k], depth + 1);
      if (e) return e;
    }
    return undefined;
  }
  return `holds a value that is not JSON (${typeof v})`;
}

const principal = obj({ dn: str }, { ca: str });
const signer = obj({ dn: str, ca: str });
const endorser = obj({ dn: str }, { ca: str, name: str, catalogueUrl: str, retired: bool });
const kind = obj({}, { os: str, osname: str, osversion: str, arch: str, hypervisor: str, format: str });
const policyCheck = obj({}, {
  approvedImages: arr(str),
  deniedImages: arr(str),
  deniedEndorsers: arr(principal),
  deniedKinds: arr(kind),
  unsupportedVos: arr(str),
  supportedVos: arr(str),
  disabledSubscriptions: arr(str),
  staleAfterSeconds: num,
  reapproveOnChange: bool,
});
const accepted = obj({ version: str, created: str, expires: str, contentSha256: str, acceptedAt: str, signer, imageCount: num }, { title: str });
const subscription = obj(
  { id: str, uri: str, allowedEndorsers: arr(principal), newImages: oneOf('pending', 'approve', 'ignore'), createdAt: str },
  { listId: str, registry: str, maxAgeSeconds: num, last: accepted, listExpiredAt: str, staleSince: str },
);
const image: Check = (v, p, i) => {
  if (!isObj(v)) return void i.push({ path: p, message: 'must be an object' });
  for (const k of ['dc:identifier', 'hv:uri', 'sl:checksum:sha512']) str(v[k], `${p}/${k}`, i);
  const bad = jsonIssue(v, 0);
  if (bad) i.push({ path: p, message: bad });
};
const record = obj(
  {
    uuid: str,
    subscription: str,
    listId: str,
    status: oneOf('pending', 'current', 'denied', 'expired'),
    approved: bool,
    image,
    endorser: signer,
    listVersion: str,
    addedAt: str,
    updatedAt: str,
  },
  {
    expiredAt: str,
    expiryReason: oneOf('left-list', 'list-expired', 'image-expired', 'endorser-removed', 'endorser-revoked', 'subscription-removed'),
    deniedReason: oneOf('image-denied', 'endorser-denied', 'kind-denied', 'vo-unsupported', 'subscription-disabled'),
    inUse: bool,
    lastUsedAt: str,
  },
);
const registry = obj(
  { id: str, endorsers: arr(endorser) },
  { name: str, vo: str, upstream: obj({ source: str, maxAgeSeconds: num }, { syncedAt: str, endorsers: arr(endorser), staleSince: str }) },
);
// one record per UUID
const table: Check = (v, p, i) => {
  if (!Array.isArray(v)) return void i.push({ path: p, message: 'must be an array' });
  const seen = new Set<string>();
  v.forEach((x: unknown, n) => {
    record(x, `${p}/${n}`, i);
    const uuid = isObj(x) ? x.uuid : undefined;
    if (typeof uuid !== 'string') return;
    if (seen.has(uuid)) i.push({ path: `${p}/${n}/uuid`, message: `repeats ${JSON.stringify(uuid)}: one record per image UUID` });
    seen.add(uuid);
  });
};
const stateCheck = obj({
  stateVersion: oneOf(String(STATE_VERSION)),
  subscriptions: map(subscription),
  images: table,
  registries: map(registry),
  revokedEndorsers: arr(obj({ dn: str, at: str }, { ca: str })),
  policy: policyCheck,
});

// A JSON copy: drops undefined, refuses cycles, functions-as-values and forbidden keys.
function jsonCopy(value: unknown, what: string): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new VmiListError('ERR_INPUT', `${what} is not plain JSON: ${(e as Error).message}`, { cause: e });
  }
  if (text === undefined) throw new VmiListError('ERR_INPUT', `${what} is not plain JSON`);
  return JSON.parse(text, (k, v: unknown) => {
    if (FORBIDDEN.has(k)) throw new VmiListError('ERR_INPUT', `${what} contains the forbidden key ${JSON.stringify(k)}`);
    return v;
  });
}

/** Validates a policy argument and returns a plain-JSON copy. @throws VmiListError `ERR_INPUT` */
export function checkPolicy(policy: unknown): SitePolicy {
  const copy = jsonCopy(policy ?? {}, 'policy');
  const issues: Issue[] = [];
  policyCheck(copy, '', issues);
  if (issues.length) throw new VmiListError('ERR_INPUT', `policy is malformed: ${issues[0]?.path} ${issues[0]?.message}`, { issues });
  return copy as SitePolicy;
}

// Upgrades, one per older layout: `MIGRATIONS[n]` turns layout n into n + 1.
const MIGRATIONS: Record<number, (s: Record<string, unknown>) => Record<string, unknown>> = {
  // 1 → 2: `images` was an object keyed by UUID; now an array of records in that order
  1: (s) => {
    const issues: Issue[] = [];
    map(record, 'uuid')(s.images, '/images', issues);
    if (issues.length) throw malformed(issues);
    return { ...s, stateVersion: 2, images: Object.values(s.images as Record<string, unknown>) };
  },
};

function malformed(issues: readonly Issue[]): VmiListError {
  return new VmiListError('ERR_INPUT', `state is malformed (${issues.length} issue${issues.length > 1 ? 's' : ''}): ${issues[0]?.path} ${issues[0]?.message}`, { issues: issues.slice(0, 100) });
}

/**
 * Validates a state read back from storage (a string or parsed JSON) and
 * upgrades it to the current layout.
 *
 * @throws VmiListError `ERR_INPUT` with `issues` when it is not a state.
 */
export function migrateState(json: unknown): SubscriptionState {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new VmiListError('ERR_INPUT', `state is not JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  // Parsed JSON is validated in place (copying 100k records would double the
  // cost); the validator refuses values that are not plain JSON.
  if (!isObj(value)) throw new VmiListError('ERR_INPUT', 'state must be a JSON object');
  let s: Record<string, unknown> = { ...value };
  let version = s.stateVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new VmiListError('ERR_INPUT', 'state has no integer stateVersion; it is not a vmilist subscription state');
  if (version > STATE_VERSION) throw new VmiListError('ERR_INPUT', `state has stateVersion ${version}, written by a newer vmilist (this one reads up to ${STATE_VERSION})`);
  while (version < STATE_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new VmiListError('ERR_INPUT', `state has stateVersion ${version}, which this release cannot upgrade`);
    s = step(s);
    version++;
  }
  const issues: Issue[] = [];
  stateCheck({ ...s, stateVersion: String(s.stateVersion) }, '', issues);
  if (issues.length) throw malformed(issues);
  return s as unknown as SubscriptionState;
}
