/**
 * Subscription state: plain JSON (no classes, no `undefined` values, no
 * Dates), so it can be saved, diffed and reloaded as it is. Every function of
 * the reducer takes one state and returns a new one; nothing is mutated.
 */
import type { Image } from '../model/types.js';

/** Version of the state layout written by this release. */
export const STATE_VERSION = 2;

// The same principal type the verifier's allow-list uses (an X.509 name pair, neither smime nor subscription).
import type { EndorserPrincipal } from '../x509/principal.js';
export type { EndorserPrincipal };

/** What happens to images that appear in a subscribed list for the first time. */
export type NewImagesPolicy = 'pending' | 'approve' | 'ignore';

/** Lifecycle of an image record. `current` = endorsed and approved (runnable). */
export type ImageStatus = 'pending' | 'current' | 'denied' | 'expired';

/** Why an image expired. */
export type ExpiryReason =
  | 'left-list'
  | 'list-expired'
  | 'image-expired'
  | 'endorser-removed'
  | 'endorser-revoked'
  | 'subscription-removed';

/** Why site policy denies an image. */
export type DenialReason = 'image-denied' | 'endorser-denied' | 'kind-denied' | 'vo-unsupported' | 'subscription-disabled';

/** The list a subscription accepted last. */
export interface AcceptedList {
  /** `hv:version`. */
  readonly version: string;
  /** `dc:date:created`, `Z` form. */
  readonly created: string;
  /** `dc:date:expires`, `Z` form. */
  readonly expires: string;
  /** SHA-256 of the signed bytes; identical bytes are a no-op. */
  readonly contentSha256: string;
  /** When it was accepted (`now` of the call). */
  readonly acceptedAt: string;
  /** The signer: subject and issuer DN. */
  readonly signer: { readonly dn: string; readonly ca: string };
  /** `dc:title` of the list, when it has one. */
  readonly title?: string;
  /** How many images the list named. */
  readonly imageCount: number;
}

/** One subscription to an image list. */
export interface Subscription {
  /** Subscription id (defaults to the list UUID, else the URI). */
  readonly id: string;
  /** Where the list is fetched from. */
  readonly uri: string;
  /** The list UUID (`dc:identifier`) this subscription is pinned to, once known. */
  readonly listId?: string;
  /** Endorsers allowed to sign this list (in addition to those of {@link Subscription.registry}). */
  readonly allowedEndorsers: readonly EndorserPrincipal[];
  /** Id of an endorser registry in the state whose endorsers may also sign this list. */
  readonly registry?: string;
  /** Policy for images seen for the first time. */
  readonly newImages: NewImagesPolicy;
  /** A list not replaced by a newer one within this many seconds is reported stale. */
  readonly maxAgeSeconds?: number;
  /** When the subscription was made. */
  readonly createdAt: string;
  /** The last accepted list. */
  readonly last?: AcceptedList;
  /** Set when the last accepted list passed its `dc:date:expires` (its images expired). */
  readonly listExpiredAt?: string;
  /** Set when `list.stale` was reported; cleared by the next accepted list. */
  readonly staleSince?: string;
}

/** The state's record of one image. */
export interface ImageRecord {
  /** Image UUID (`dc:identifier`). */
  readonly uuid: string;
  /** The owning subscription: the only one whose lists may change this image. */
  readonly subscription: string;
  /** UUID of the list that carries it. */
  readonly listId: string;
  /** Lifecycle status, as evaluated with the state's policy. */
  readonly status: ImageStatus;
  /** The site approved this image (explicitly, by `newImages: 'approve'`, or by policy). */
  readonly approved: boolean;
  /** The full wire metadata, unknown fields (`ad:vo`, `ad:mpuri`, …) included. */
  readonly image: Image;
  /** The endorser that signed the latest list naming this image. */
  readonly endorser: { readonly dn: string; readonly ca: string };
  /** Version of the list that last added or changed this image. */
  readonly listVersion: string;
  /** First seen. */
  readonly addedAt: string;
  /** Last changed (metadata, status or endorser). */
  readonly updatedAt: string;
  /** When it expired (status `expired`). */
  readonly expiredAt?: string;
  /** Why it expired. */
  readonly expiryReason?: ExpiryReason;
  /** Why policy denies it (status `denied`). */
  readonly deniedReason?: DenialReason;
  /** The caller reported it in use: never deletable while set. */
  readonly inUse?: boolean;
  /** When it was last reported no longer in use; the grace period counts from here too. */
  readonly lastUsedAt?: string;
}

/** An image kind a site refuses: every field given must match (case-insensitive). */
export interface ImageKind {
  /** `sl:os`, e.g. `Linux`. */
  readonly os?: string;
  /** `sl:osname` (AppDB), e.g. `CentOS`. */
  readonly osname?: string;
  /** `sl:osversion`. */
  readonly osversion?: string;
  /** `sl:arch`, e.g. `i386`. */
  readonly arch?: string;
  /** `hv:hypervisor`, e.g. `xen`. */
  readonly hypervisor?: string;
  /** `hv:format`, e.g. `ova`. */
  readonly format?: string;
}

/** Site approval policy, as data. */
export interface SitePolicy {
  /** Image UUIDs the site approves (also before they arrive). */
  readonly approvedImages?: readonly string[];
  /** Image UUIDs the site refuses to run. */
  readonly deniedImages?: readonly string[];
  /** Endorsers whose images the site refuses to run (their lists are still tracked). */
  readonly deniedEndorsers?: readonly EndorserPrincipal[];
  /** Image kinds the site refuses to run. */
  readonly deniedKinds?: readonly ImageKind[];
  /** VOs (`ad:vo`) the site does not support: their images are denied quietly. */
  readonly unsupportedVos?: readonly string[];
  /** When set, only these VOs are supported (images without `ad:vo` are unaffected). */
  readonly supportedVos?: readonly string[];
  /** Subscriptions switched off: their images are tracked but not runnable. */
  readonly disabledSubscriptions?: readonly string[];
  /** Default for {@link Subscription.maxAgeSeconds}. */
  readonly staleAfterSeconds?: number;
  /** An approved image whose checksum, size or URI changes goes back to `pending`. */
  readonly reapproveOnChange?: boolean;
}

/** One endorser entry of a registry (a site's or VO's list of valid endorsers). */
export interface RegistryEndorser {
  /** Real name. */
  readonly name?: string;
  /** Digital identity: certificate subject DN. */
  readonly dn: string;
  /** Issuing CA DN. */
  readonly ca?: string;
  /** URL of the endorser's image list catalogue (VMIC). */
  readonly catalogueUrl?: string;
  /** The endorser left: its lists still update and expire its images, but no new images are taken from them. */
  readonly retired?: boolean;
}

/** A copy of another registry, which must be synchronised within `maxAgeSeconds`. */
export interface RegistryUpstream {
  /** Where the copy comes from: the id of another registry in this state, or a URI. */
  readonly source: string;
  /** Mandatory synchronisation interval; a copy older than this is not trusted. */
  readonly maxAgeSeconds: number;
  /** When it was last synchronised (not used for a source inside this state). */
  readonly syncedAt?: string;
  /** The copied endorsers (not used for a source inside this state). */
  readonly endorsers?: readonly RegistryEndorser[];
  /** Set when `registry.stale` was reported; cleared by the next sync. */
  readonly staleSince?: string;
}

/** A list of valid endorsers kept by a site, VO or group. */
export interface EndorserRegistry {
  /** Registry id. */
  readonly id: string;
  /** Who maintains it (e.g. `CMS`, `RAL`). */
  readonly name?: string;
  /** The VO it is for, if any. */
  readonly vo?: string;
  /** Its own endorsers (for a derived registry: the local additions). */
  readonly endorsers: readonly RegistryEndorser[];
  /** The list it is based on, if any. */
  readonly upstream?: RegistryUpstream;
}

/** An endorser revoked by the site, and when. */
export interface RevokedEndorser extends EndorserPrincipal {
  /** When it was revoked. */
  readonly at: string;
}

/** The whole subscriber state. */
export interface SubscriptionState {
  /** Layout version: {@link STATE_VERSION}. */
  readonly stateVersion: 2;
  /** Subscriptions by id. */
  readonly subscriptions: Readonly<Record<string, Subscription>>;
  /**
   * Every image known, one record per UUID (so one owner each), in the order
   * they were first recorded. Look records up with `findImage`.
   */
  readonly images: readonly ImageRecord[];
  /** Endorser registries by id. */
  readonly registries: Readonly<Record<string, EndorserRegistry>>;
  /** Endorsers whose lists are no longer accepted. */
  readonly revokedEndorsers: readonly RevokedEndorser[];
  /** Site policy. */
  readonly policy: SitePolicy;
}

/** A time argument: `Date`, epoch milliseconds or a date string. */
export type Instant = Date | number | string;

/** Options carrying the current time. */
export interface NowOptions {
  /** The time of the call (the reducer never reads a clock). */
  readonly now: Instant;
}
