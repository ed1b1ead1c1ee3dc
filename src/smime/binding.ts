/**
 * Steps 7 and 8: the list must name its signer, the signer must be an
 * endorser the caller accepts, and the list must be current at `at`.
 */
import { VmiListError } from '../errors.js';
import { formatListDate, parseListDate } from '../model/dates.js';
import { dnEquals } from '../x509/dn.js';
import { endorsersOf, type ImageList } from '../model/types.js';
import type { Cert } from './certs.js';
import type { EndorserPrincipal } from './types.js';

/**
 * The signer's (subject, issuer) must equal the (`hv:dn`, `hv:ca`) of one
 * `hv:endorser` entry of the list.
 *
 * @throws VmiListError `ERR_ENDORSER_MISMATCH`
 */
export function checkEndorserBinding(list: ImageList, signer: Cert): void {
  const endorsers = endorsersOf(list);
  if (endorsers.some((e) => dnEquals(e['hv:dn'], signer.subject) && dnEquals(e['hv:ca'], signer.issuer))) return;
  const named = endorsers.map((e) => `${e['hv:dn']} (CA ${e['hv:ca']})`).join('; ');
  throw new VmiListError(
    'ERR_ENDORSER_MISMATCH',
    `the list was signed by ${signer.dn} (CA ${signer.issuerDn}), but its hv:endorser names ${named || 'nobody'}`,
  );
}

/**
 * When the caller gives an allow-list, the signer must be on it (`ca`
 * omitted: any issuer).
 *
 * @throws VmiListError `ERR_ENDORSER_NOT_TRUSTED`
 */
export function checkEndorserAllowed(signer: Cert, endorsers: readonly EndorserPrincipal[] | undefined): void {
  if (endorsers === undefined) return;
  const ok = endorsers.some((e) => dnEquals(e.dn, signer.subject) && (e.ca === undefined || dnEquals(e.ca, signer.issuer)));
  if (!ok) {
    throw new VmiListError(
      'ERR_ENDORSER_NOT_TRUSTED',
      `the signer ${signer.dn} (CA ${signer.issuerDn}) is not one of the ${endorsers.length} accepted endorser(s)`,
    );
  }
}

/**
 * `dc:date:created` ≤ at + skew and `dc:date:expires` > at.
 *
 * @throws VmiListError `ERR_LIST_NOT_YET_VALID`, `ERR_LIST_EXPIRED`
 */
export function checkListTime(list: ImageList, at: number, skewSeconds: number): void {
  const created = parseListDate(list['dc:date:created']);
  const expires = parseListDate(list['dc:date:expires']);
  const id = list['dc:identifier'];
  if (created === undefined || expires === undefined) {
    throw new VmiListError('ERR_SCHEMA_INVALID', `list ${id}: dc:date:created or dc:date:expires is not a date`);
  }
  if (created > at + skewSeconds * 1000) {
    throw new VmiListError(
      'ERR_LIST_NOT_YET_VALID',
      `list ${id} was created ${formatListDate(created)}, after ${formatListDate(at)} (+${skewSeconds} s clock skew)`,
    );
  }
  if (expires <= at) {
    throw new VmiListError('ERR_LIST_EXPIRED', `list ${id} expired ${formatListDate(expires)} (checked at ${formatListDate(at)}); the endorser must publish a new one`);
  }
}
