/** Fetching and verifying a subscription's list, every failure naming the subscription and URL. */
import { VmiListError } from '../../errors.js';
import type { VerifiedImageList } from '../../model/verified.js';
import { verifySignedList } from '../../smime/verify.js';
import type { CrlPolicy, EndorserPrincipal } from '../../smime/types.js';
import { fetchList } from '../fetch.js';
import type { TrustStore } from '../truststore.js';

/** How lists are fetched and verified. */
export interface ListFetchOptions {
  readonly allowHttp?: boolean;
  readonly allowSha1?: boolean;
  readonly crlPolicy?: CrlPolicy;
  /** A `fetch` to use instead of the global one. */
  readonly fetch?: typeof fetch;
}

/** Prefixes an error's message with the subscription and URL it concerns. */
export function nameError(e: unknown, label: string, url: string): VmiListError {
  const where = `${label} (${url})`;
  if (e instanceof VmiListError) {
    if (e.message.startsWith(where)) return e;
    return new VmiListError(e.code, `${where}: ${e.message}`, { issues: e.issues, cause: e });
  }
  return new VmiListError('ERR_IO', `${where}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Fetches and verifies a list as of `at` (epoch ms). */
export async function fetchAndVerify(
  url: string,
  trust: TrustStore,
  options: ListFetchOptions,
  at: number,
  endorsers: readonly EndorserPrincipal[] | undefined,
  label: string,
): Promise<VerifiedImageList> {
  try {
    const { bytes } = await fetchList(url, { allowHttp: options.allowHttp === true, ca: trust.trustAnchors, ...(options.fetch ? { fetch: options.fetch } : {}) });
    return await verifySignedList(bytes, {
      trustAnchors: trust.trustAnchors,
      intermediates: trust.intermediates,
      crls: trust.crls,
      namespaces: trust.namespaces,
      at,
      ...(endorsers && endorsers.length > 0 ? { endorsers } : {}),
      ...(options.allowSha1 ? { allowSha1: true } : {}),
      ...(options.crlPolicy ? { crlPolicy: options.crlPolicy } : {}),
    });
  } catch (e) {
    throw nameError(e, label, url);
  }
}
