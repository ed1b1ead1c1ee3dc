/**
 * Site approval policy as data. An image is runnable only when endorsed (in
 * the current list of a trusted endorser, not expired) and approved by the
 * site; policy can deny images, endorsers, kinds of image and VOs, and switch
 * subscriptions off. `evaluate` is the one place that decides a status.
 */
import type { Image } from '../model/types.js';
import { principalMatcher, type Signer } from './principals.js';
import type { DenialReason, ImageKind, ImageRecord, ImageStatus, SitePolicy } from './types.js';

/** A policy prepared for evaluating many images (sets and memos). */
export interface CompiledPolicy {
  readonly policy: SitePolicy;
  readonly approved: ReadonlySet<string>;
  readonly denied: ReadonlySet<string>;
  readonly disabled: ReadonlySet<string>;
  readonly unsupportedVos: ReadonlySet<string>;
  readonly supportedVos: ReadonlySet<string> | undefined;
  readonly endorserDenied: (signer: Signer) => boolean;
  readonly kinds: readonly ImageKind[];
}

const lower = (s: string) => s.trim().toLowerCase();

/** Prepares a policy for evaluation. */
export function compilePolicy(policy: SitePolicy): CompiledPolicy {
  return {
    policy,
    approved: new Set(policy.approvedImages ?? []),
    denied: new Set(policy.deniedImages ?? []),
    disabled: new Set(policy.disabledSubscriptions ?? []),
    unsupportedVos: new Set((policy.unsupportedVos ?? []).map(lower)),
    supportedVos: policy.supportedVos ? new Set(policy.supportedVos.map(lower)) : undefined,
    endorserDenied: principalMatcher(policy.deniedEndorsers ?? []),
    kinds: policy.deniedKinds ?? [],
  };
}

const KIND_FIELDS: ReadonlyArray<readonly [keyof ImageKind, string]> = [
  ['os', 'sl:os'],
  ['osname', 'sl:osname'],
  ['osversion', 'sl:osversion'],
  ['arch', 'sl:arch'],
  ['hypervisor', 'hv:hypervisor'],
  ['format', 'hv:format'],
];

// A field may list several values ("kvm,xen"): any of them matches.
function fieldValues(image: Image, field: string): string[] {
  const v = image[field];
  if (typeof v !== 'string') return [];
  return v.split(/[,;\s]+/).filter(Boolean).map(lower);
}

/** True when the image is of a kind the policy lists (every given field matches). */
export function kindMatches(kind: ImageKind, image: Image): boolean {
  let any = false;
  for (const [k, field] of KIND_FIELDS) {
    const want = kind[k];
    if (want === undefined) continue;
    any = true;
    if (!fieldValues(image, field).includes(lower(want))) return false;
  }
  return any;
}

/** The VOs an image is for (`ad:vo`, a string or an array of strings). */
export function imageVos(image: Image): string[] {
  const v = image['ad:vo'];
  if (typeof v === 'string') return v.trim() ? [lower(v)] : [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map(lower);
  return [];
}

/** Why policy denies this image, or `undefined` when it does not. */
export function denialOf(p: CompiledPolicy, uuid: string, subscription: string, image: Image, endorser: Signer): DenialReason | undefined {
  if (p.denied.has(uuid)) return 'image-denied';
  if (p.disabled.has(subscription)) return 'subscription-disabled';
  if (p.endorserDenied(endorser)) return 'endorser-denied';
  const vos = imageVos(image);
  if (vos.length > 0) {
    if (vos.every((vo) => p.unsupportedVos.has(vo))) return 'vo-unsupported';
    if (p.supportedVos && !vos.some((vo) => p.supportedVos?.has(vo))) return 'vo-unsupported';
  }
  for (const kind of p.kinds) if (kindMatches(kind, image)) return 'kind-denied';
  return undefined;
}

/** The status and denial reason of a record under a policy. */
export function evaluate(
  p: CompiledPolicy,
  r: Pick<ImageRecord, 'uuid' | 'subscription' | 'image' | 'endorser' | 'approved' | 'status'>,
): { status: ImageStatus; deniedReason?: DenialReason } {
  if (r.status === 'expired') return { status: 'expired' };
  const deniedReason = denialOf(p, r.uuid, r.subscription, r.image, r.endorser);
  if (deniedReason) return { status: 'denied', deniedReason };
  return { status: r.approved || p.approved.has(r.uuid) ? 'current' : 'pending' };
}

/** A record with the given status/denial (same object when nothing changes). */
export function withStatus(
  r: ImageRecord,
  e: { status: ImageStatus; deniedReason?: DenialReason },
  at: string,
): ImageRecord {
  if (r.status === e.status && r.deniedReason === e.deniedReason) return r;
  const { deniedReason: _drop, ...rest } = r;
  const out: ImageRecord = { ...rest, status: e.status, updatedAt: at };
  return e.deniedReason ? { ...out, deniedReason: e.deniedReason } : out;
}
