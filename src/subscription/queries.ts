/**
 * Read-only questions about a state: which images may run, which may be
 * deleted, who vouches for an image (by UUID, by checksum, by endorser), and
 * whether downloaded bytes are the ones endorsed.
 */
import { VmiListError, type ErrorCode } from '../errors.js';
import { compilePolicy, evaluate } from './policy.js';
import { checkPrincipal, principalMatcher } from './principals.js';
import { checkState } from './state.js';
import type { EndorserPrincipal, ImageRecord, Instant, SitePolicy, SubscriptionState } from './types.js';
import { dateMs, instant, own } from './util.js';
import { getImage } from './image-table.js';

/** The record of an image UUID, if any. */
export function findImage(state: SubscriptionState, uuid: string): ImageRecord | undefined {
  checkState(state);
  return getImage(state, uuid);
}

/** Who vouches for an image: its record, the subscription and the signed list that carries it. */
export interface Voucher {
  readonly record: ImageRecord;
  /** The subscription id (it may have been removed since). */
  readonly subscription: string;
  /** The endorser that signed the list naming the image. */
  readonly endorser: { readonly dn: string; readonly ca: string };
  readonly listId: string;
  readonly listVersion: string;
  /** SHA-256 of the signed list currently vouching for it (the subscription's last list), when the image is not expired. */
  readonly contentSha256?: string;
}

/** Every record whose `sl:checksum:sha512` is `sha512` (any case), with who vouches for it; expired ones included, last. */
export function findByChecksum(state: SubscriptionState, sha512: string): Voucher[] {
  checkState(state);
  if (typeof sha512 !== 'string') throw new VmiListError('ERR_INPUT', 'sha512 must be a hex string');
  const want = sha512.trim().toLowerCase();
  const out: Voucher[] = [];
  for (const r of state.images) {
    const sum = r.image['sl:checksum:sha512'];
    if (typeof sum !== 'string' || sum.toLowerCase() !== want) continue;
    const sub = own(state.subscriptions, r.subscription);
    const sha = r.status !== 'expired' ? sub?.last?.contentSha256 : undefined;
    out.push({ record: r, subscription: r.subscription, endorser: r.endorser, listId: r.listId, listVersion: r.listVersion, ...(sha ? { contentSha256: sha } : {}) });
  }
  return out.sort((a, b) => Number(a.record.status === 'expired') - Number(b.record.status === 'expired') || (a.record.uuid < b.record.uuid ? -1 : 1));
}

/** Records vouched for by an endorser (subject DN, or `{dn, ca}`), any status. */
export function imagesByEndorser(state: SubscriptionState, endorser: string | EndorserPrincipal): ImageRecord[] {
  checkState(state);
  const matches = principalMatcher([checkPrincipal(typeof endorser === 'string' ? { dn: endorser } : endorser, 'endorser')]);
  return state.images.filter((r) => matches(r.endorser));
}

/**
 * Images that may run: endorsed (in a current list, not expired) and
 * approved, and not denied by policy. With `policy`, evaluated under it
 * ("what would run if…"); otherwise under the state's policy.
 */
export function runnable(state: SubscriptionState, policy?: SitePolicy): ImageRecord[] {
  checkState(state);
  const records = state.images;
  if (policy === undefined) return records.filter((r) => r.status === 'current');
  const p = compilePolicy(policy);
  return records.filter((r) => r.status !== 'expired' && evaluate(p, r).status === 'current');
}

/** Options of {@link deletable}. */
export interface DeletableOptions {
  /** How long an expired image is kept before it may be deleted. */
  readonly graceSeconds: number;
}

/** Expired images whose grace period (from expiry, or from last use) has passed and that are not in use. */
export function deletable(state: SubscriptionState, now: Instant, options: DeletableOptions): ImageRecord[] {
  checkState(state);
  const { ms } = instant(now);
  const grace = options?.graceSeconds;
  if (!(typeof grace === 'number' && grace >= 0)) throw new VmiListError('ERR_INPUT', 'graceSeconds must be a non-negative number');
  return state.images.filter((r) => {
    if (r.status !== 'expired' || r.inUse) return false;
    const since = Math.max(dateMs(r.expiredAt), r.lastUsedAt ? dateMs(r.lastUsedAt) : -Infinity);
    return since + grace * 1000 <= ms;
  });
}

/** Outcome of {@link checkImageIntegrity}. */
export type IntegrityResult =
  | { readonly ok: true; readonly record: ImageRecord }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly record?: ImageRecord };

/**
 * Compares what the caller measured on downloaded bytes with what the
 * endorser signed for this image: size first (cheap), then SHA-512.
 */
export function checkImageIntegrity(state: SubscriptionState, uuid: string, observed: { readonly sha512: string; readonly size: number }): IntegrityResult {
  checkState(state);
  const record = getImage(state, uuid);
  if (!record) return { ok: false, code: 'ERR_INPUT', message: `no image ${uuid} in the state` };
  const img = record.image;
  if (observed.size !== img['hv:size']) {
    return { ok: false, code: 'ERR_SIZE_MISMATCH', message: `image ${uuid} has ${observed.size} bytes, the endorser signed for ${img['hv:size']}`, record };
  }
  if (observed.sha512.toLowerCase() !== img['sl:checksum:sha512'].toLowerCase()) {
    return { ok: false, code: 'ERR_HASH_MISMATCH', message: `image ${uuid} has SHA-512 ${observed.sha512.slice(0, 16)}…, the endorser signed for ${img['sl:checksum:sha512'].slice(0, 16)}…`, record };
  }
  return { ok: true, record };
}
