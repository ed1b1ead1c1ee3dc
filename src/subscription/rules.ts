/**
 * Version rules between the last accepted list and a new one (different
 * bytes). Versions compare as the Python subscriber does; the creation date
 * may never go back, and a re-used version needs a newer creation date
 * (hand-made lists keep `0.0.1` but re-signing renews `dc:date:created`).
 */
import type { ErrorCode } from '../errors.js';
import type { ImageList } from '../model/types.js';
import { compareVersions } from '../model/version.js';
import type { AcceptedList } from './types.js';
import { dateMs } from './util.js';

/** Why `list` may not follow `last`, or `undefined` when it may. */
export function checkListOrder(last: AcceptedList, list: ImageList): [ErrorCode, string] | undefined {
  const version = list['hv:version'];
  const created = dateMs(list['dc:date:created']);
  const lastCreated = dateMs(last.created);
  const order = compareVersions(version, last.version);
  if (order < 0) {
    return ['ERR_VERSION_ROLLBACK', `list version ${version} is older than the accepted version ${last.version} (possible replay of an old list)`];
  }
  if (created < lastCreated) {
    return ['ERR_VERSION_ROLLBACK', `list created ${list['dc:date:created']} is older than the accepted list's ${last.created} (version ${version})`];
  }
  if (order === 0 && !(created > lastCreated)) {
    return ['ERR_VERSION_REUSED', `list version ${version} was already accepted with other content; a re-used version needs a newer dc:date:created than ${last.created}`];
  }
  return undefined;
}
