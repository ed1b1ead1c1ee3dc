/**
 * Where lists and CAs come from: the CA directory default and list sources
 * (URL or file). A module of its own so `vmilist verify` can use them
 * without loading the subscriber's site (downloads, hooks, state).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Default CA directory when neither `caDir` nor `X509_CERT_DIR` is given. */
export const DEFAULT_CA_DIR = '/etc/grid-security/certificates';

/** Whether a list source is a URL (`scheme://…`) rather than a file path. */
export function isUrl(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

/** A list source as a URL: URLs as given, file paths as file:// URLs. */
export function sourceUrl(cwd: string, source: string): string {
  return isUrl(source) ? source : pathToFileURL(resolve(cwd, source)).href;
}

/** The CA directory: the one given, else `$X509_CERT_DIR`, else the IGTF default. */
export function caDirOf(cwd: string, env: Readonly<Record<string, string | undefined>>, caDir?: string): string {
  return resolve(cwd, caDir ?? env['X509_CERT_DIR'] ?? DEFAULT_CA_DIR);
}
