/**
 * In-use reporting and forgetting: the caller tells the state which images
 * run (they are never deletable), and removes records once it has deleted
 * the files (so their UUIDs may be claimed again).
 */
import { VmiListError } from '../errors.js';
import { checkState } from './state.js';
import type { ImageRecord, NowOptions, SubscriptionState } from './types.js';
import { instant, own } from './util.js';

/** Options of {@link markInUse}. */
export interface InUseOptions extends NowOptions {
  /** `true` (default) marks the images in use; `false` marks them no longer in use. */
  readonly inUse?: boolean;
  /** The given UUIDs are the complete set in use: every other image is marked not in use. */
  readonly exclusive?: boolean;
}

/** Reports images in use (or no longer in use); unknown UUIDs are ignored. */
export function markInUse(state: SubscriptionState, uuids: readonly string[], options: InUseOptions): SubscriptionState {
  checkState(state);
  const { at } = instant(options?.now);
  if (!Array.isArray(uuids)) throw new VmiListError('ERR_INPUT', 'uuids must be an array of image UUIDs');
  const flag = options.inUse ?? true;
  const given = new Set(uuids);
  let images: Record<string, ImageRecord> | undefined;
  const set = (r: ImageRecord, use: boolean) => {
    if (Boolean(r.inUse) === use) return;
    const { inUse: _u, ...rest } = r;
    (images ??= { ...state.images })[r.uuid] = use ? { ...rest, inUse: true } : { ...rest, lastUsedAt: at };
  };
  for (const uuid of given) {
    const r = own(state.images, uuid);
    if (r) set(r, flag);
  }
  if (options.exclusive) for (const r of Object.values(state.images)) if (!given.has(r.uuid)) set(r, !flag);
  return images ? { ...state, images } : state;
}

/** Removes expired records (after the caller deleted their files). @throws VmiListError `ERR_INPUT` for a record that is not expired or is in use. */
export function forgetImages(state: SubscriptionState, uuids: readonly string[]): SubscriptionState {
  checkState(state);
  const images: Record<string, ImageRecord> = { ...state.images };
  let changed = false;
  for (const uuid of uuids) {
    const r = own(images, uuid);
    if (!r) continue;
    if (r.status !== 'expired' || r.inUse) throw new VmiListError('ERR_INPUT', `image ${uuid} is ${r.inUse ? 'in use' : r.status}; only expired images not in use can be forgotten`);
    delete images[uuid];
    changed = true;
  }
  return changed ? { ...state, images } : state;
}
