/**
 * Trust options of the CLI: the trust store from --ca-dir/--crl-dir and the
 * endorsers from --endorser-dn/--endorser-ca. Apart from the subscriber
 * helpers so `vmilist verify` loads no subscriber code (downloads, hooks,
 * child processes) to verify a file.
 */
import { resolve } from 'node:path';
import type { EndorserPrincipal } from '../smime/types.js';
import { caDirOf } from '../node/site/sources.js';
import { loadTrustStore, type TrustStore } from '../node/truststore.js';
import { usageError, type CliContext } from './context.js';

/** Endorser principals from --endorser-dn / --endorser-ca. */
export function principalsOf(dns: string[] | undefined, ca: string | undefined): EndorserPrincipal[] | undefined {
  if (dns === undefined || dns.length === 0) {
    if (ca !== undefined) throw usageError('--endorser-ca needs at least one --endorser-dn');
    return undefined;
  }
  return dns.map((dn) => (ca === undefined ? { dn } : { dn, ca }));
}

/** Trust options as given on the command line. */
export interface TrustValues {
  'ca-dir'?: string;
  'crl-dir'?: string;
}

/** Loads the trust store, printing its unusable files as warnings (vmilist verify). */
export async function loadTrust(ctx: CliContext, values: TrustValues, command: string): Promise<TrustStore> {
  const store = await loadTrustStore(caDirOf(ctx.cwd, ctx.env, values['ca-dir']), values['crl-dir'] === undefined ? {} : { crlDir: resolve(ctx.cwd, values['crl-dir']) });
  for (const p of store.problems) ctx.stderr(`vmilist ${command}: warning: trust store: ${p.file}: ${p.message}\n`);
  return store;
}
