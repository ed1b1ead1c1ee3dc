/**
 * In-use reporting and forgetting: the caller tells the state which images
 * run (they are never deletable), and removes records once it has deleted
 * the files (so their UUIDs may be claimed again).
 */
import { VmiListError } from '../errors.js';
import { checkState } from './state.js';
import type { ImageRecord, NowOptions, SubscriptionState } from './types.js';
import { instant } from './util.js';
import { getImage, mapImages, updateImages, withoutImages } from './image-table.js';

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
  const set = (r: ImageRecord, use: boolean): ImageRecord => {
    if (Boolean(r.inUse) === use) return r;
    const { inUse: _u, ...rest } = r;
    return use ? { ...rest, inUse: true } : { ...rest, lastUsedAt: at };
  };
  const images = options.exclusive ? mapImages(state.images, (r) => set(r, given.has(r.uuid) ? flag : !flag)) : updateImages(state.images, given, (r) => set(r, flag));
  return images !== state.images ? { ...state, images } : state;
}

/** Removes expired records (after the caller deleted their files). @throws VmiListError `ERR_INPUT` for a record that is not expired or is in use. */
export function forgetImages(state: SubscriptionState, uuids: readonly string[]): SubscriptionState {
  checkState(state);
  const drop = new Set<string>();
  for (const uuid of uuids) {
    const r = getImage(state, uuid);
    if (!r) continue;
    if (r.status !== 'expired' || r.inUse) throw new VmiListError('ERR_INPUT', `image ${uuid} is ${r.inUse ? 'in use' : r.status}; only expired images not in use can be forgotten`);
    drop.add(uuid);
  }
  const images = drop.size ? withoutImages(state.images, (r) => drop.has(r.uuid)) : state.images;
  return images !== state.images ? { ...state, images } : state;
}
