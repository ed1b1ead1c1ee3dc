/**
 * Loads trust material from an IGTF-style CA directory (what sites have in
 * `/etc/grid-security/certificates`): `<hash>.0` certificates, `<hash>.r0`
 * CRLs, `*.pem`/`*.crt`/`*.der` certificates, `*.namespaces` and
 * `*.signing_policy` constraints. Every CA certificate found is a trust
 * anchor, as IGTF distributions are meant to be used. Files that cannot be
 * read or parsed are reported in `problems`, never silently dropped.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VmiListError } from '../errors.js';
import { formatListDate, toEpochMs } from '../model/dates.js';
import { isCaCertificate, parseCertificate, type Cert } from '../smime/certs.js';
import { parseCrl, type Crl } from '../smime/crl.js';
import { preparedFromParsed } from '../smime/trust.js';
import { describeFsError } from './fs-errors.js';
import type { NamespaceFile, TrustMaterial } from '../smime/types.js';

/** A file of the trust store that could not be used, and why. */
export interface TrustStoreProblem {
  /** Path of the file. */
  readonly file: string;
  /** What was wrong with it. */
  readonly message: string;
}

/** Trust material read from a CA directory, with where each item came from. */
export interface TrustStore extends TrustMaterial {
  /** Every CA certificate of the directory (DER), duplicates (symlinks, `.0` beside `.pem`) removed. */
  readonly trustAnchors: readonly Uint8Array[];
  /** Always empty: in an IGTF directory every CA is an anchor. Kept so the store is a complete `TrustMaterial`. */
  readonly intermediates: readonly Uint8Array[];
  /** Every CRL (DER) from the CA directory and the CRL directory. */
  readonly crls: readonly Uint8Array[];
  /** The namespace constraint files. */
  readonly namespaces: readonly NamespaceFile[];
  /** The file each trust anchor came from (same order as `trustAnchors`). */
  readonly anchorFiles: readonly string[];
  /** The file each CRL came from (same order as `crls`). */
  readonly crlFiles: readonly string[];
  /** Files that could not be read or parsed. */
  readonly problems: readonly TrustStoreProblem[];
}

/** Options for {@link loadTrustStore}. */
export interface LoadTrustStoreOptions {
  /** A further directory holding CRLs (`*.r0`, `*.crl`, `*.pem`, `*.der`), e.g. where fetch-crl writes. */
  readonly crlDir?: string;
}

type Kind = 'cert' | 'crl' | 'eacl' | 'signing_policy' | 'ignore';

// What a file is, by its name, as IGTF distributions and fetch-crl name them.
function kindOf(name: string, inCrlDir: boolean): Kind {
  if (name.startsWith('.')) return 'ignore';
  if (/\.r\d+$/.test(name) || /\.crl$/i.test(name)) return 'crl';
  if (inCrlDir) return /\.(pem|der)$/i.test(name) ? 'crl' : 'ignore';
  if (/\.\d+$/.test(name) || /\.(pem|crt|cer|der)$/i.test(name)) return 'cert';
  if (name.endsWith('.namespaces')) return 'eacl';
  if (name.endsWith('.signing_policy')) return 'signing_policy';
  return 'ignore'; // .crl_url, .info, .lsc and anything else
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

function pemBlocks(text: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  for (const m of text.matchAll(PEM_BLOCK)) {
    const body = (m[2] ?? '').replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    out.push({ label: m[1] ?? '', der: new Uint8Array(Buffer.from(body, 'base64')) });
  }
  return out;
}

function looksLikePem(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1').includes('-----BEGIN ');
}

/** The certificates or CRLs in a file's bytes (PEM with any number of blocks, or one DER object). */
function extract(bytes: Uint8Array, want: 'cert' | 'crl'): Uint8Array[] {
  if (looksLikePem(bytes)) {
    const blocks = pemBlocks(Buffer.from(bytes).toString('latin1'));
    const labels = want === 'cert' ? ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'] : ['X509 CRL'];
    const found = blocks.filter((b) => labels.includes(b.label)).map((b) => b.der);
    if (found.length === 0) {
      const seen = blocks.map((b) => b.label).join(', ') || 'no complete PEM block';
      throw new Error(`no ${want === 'cert' ? 'CERTIFICATE' : 'X509 CRL'} PEM block (found: ${seen})`);
    }
    return found;
  }
  return [bytes];
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (cause) {
    throw new VmiListError('ERR_IO', `cannot read trust directory ${dir}: ${describeFsError(cause)}`, { cause });
  }
}

/**
 * Reads an IGTF-style CA directory into trust material for `verifySignedList`.
 *
 * @throws VmiListError `ERR_IO` when a directory cannot be read; `ERR_INPUT`
 *   when the CA directory holds no usable CA certificate.
 */
export async function loadTrustStore(caDir: string, opts: LoadTrustStoreOptions = {}): Promise<TrustStore> {
  const anchors: Uint8Array[] = [];
  const anchorFiles: string[] = [];
  const crls: Uint8Array[] = [];
  const crlFiles: string[] = [];
  // parsed once here (to report each file), and handed on with the store
  const anchorCerts: Cert[] = [];
  const parsedCrls: Crl[] = [];
  const namespaces: NamespaceFile[] = [];
  const problems: TrustStoreProblem[] = [];
  const seen = new Set<string>();

  const dirs: [string, boolean][] = [[caDir, false]];
  if (opts.crlDir !== undefined) dirs.push([opts.crlDir, true]);

  for (const [dir, inCrlDir] of dirs) {
    for (const name of await listDir(dir)) {
      const kind = kindOf(name, inCrlDir);
      if (kind === 'ignore') continue;
      const file = join(dir, name);
      let bytes: Uint8Array;
      try {
        const st = await stat(file); // follows symlinks: IGTF dirs link <hash>.0 → <name>.pem
        if (!st.isFile()) continue;
        bytes = new Uint8Array(await readFile(file));
      } catch (cause) {
        problems.push({ file, message: `cannot read: ${describeFsError(cause)}` });
        continue;
      }
      if (kind === 'eacl' || kind === 'signing_policy') {
        namespaces.push({ name, format: kind, text: Buffer.from(bytes).toString('utf8') });
        continue;
      }
      let items: Uint8Array[];
      try {
        items = extract(bytes, kind);
      } catch (e) {
        problems.push({ file, message: (e as Error).message });
        continue;
      }
      items.forEach((der, i) => {
        const where = items.length > 1 ? `${file} (block ${i + 1})` : file;
        let parsed: Cert | Crl;
        try {
          if (kind === 'cert') {
            const cert = parseCertificate(der);
            if (!isCaCertificate(cert)) {
              problems.push({ file: where, message: `${cert.dn} is not a CA certificate; ignored (only CAs can be trust anchors)` });
              return;
            }
            parsed = cert;
          } else parsed = parseCrl(der, where);
        } catch (e) {
          problems.push({ file: where, message: `not a parseable ${kind === 'cert' ? 'certificate' : 'CRL'}: ${(e as Error).message}` });
          return;
        }
        const key = `${kind}:${createHash('sha256').update(der).digest('hex')}`;
        if (seen.has(key)) return;
        seen.add(key);
        if (kind === 'cert') {
          anchors.push(der);
          anchorFiles.push(where);
          anchorCerts.push(parsed as Cert);
        } else {
          crls.push(der);
          crlFiles.push(where);
          parsedCrls.push(parsed as Crl);
        }
      });
    }
  }

  if (anchors.length === 0) {
    const why = problems.length > 0 ? `; ${problems.length} file(s) could not be used, first: ${problems[0]?.file}: ${problems[0]?.message}` : '';
    throw new VmiListError(
      'ERR_INPUT',
      `no CA certificates found in ${caDir} (looked for <hash>.0, *.pem, *.crt, *.der)${why}; point --ca-dir (or X509_CERT_DIR) at an IGTF CA directory`,
    );
  }
  // every verification against this store reuses the parse
  const prepared = preparedFromParsed({ trustAnchors: anchors, intermediates: [], crls, namespaces }, { anchors: anchorCerts, intermediates: [], crls: parsedCrls });
  return { ...prepared, anchorFiles, crlFiles, problems };
}

/** One CA of a trust store summary. */
export interface TrustStoreCaSummary {
  readonly file: string;
  /** Subject DN, OpenSSL one-line form. */
  readonly subject: string;
  readonly notAfter: string;
  /** True when the certificate has expired at the summary's instant. */
  readonly expired: boolean;
}

/** One CRL of a trust store summary. */
export interface TrustStoreCrlSummary {
  readonly file: string;
  /** Issuer DN, OpenSSL one-line form. */
  readonly issuer: string;
  readonly thisUpdate: string;
  /** Absent when the CRL has no nextUpdate (such a CRL never counts as fresh). */
  readonly nextUpdate?: string;
  /** True when nextUpdate has passed (or is missing). */
  readonly expired: boolean;
  /** True when not yet expired but nextUpdate is less than 24 hours away: fetch-crl should run soon. */
  readonly expiresWithin24h: boolean;
}

/** Expiry facts of a trust store at one instant (for `vmilist status`). */
export interface TrustStoreSummary {
  readonly at: string;
  readonly cas: readonly TrustStoreCaSummary[];
  readonly crls: readonly TrustStoreCrlSummary[];
  /** CAs that have no CRL in the store at all. */
  readonly casWithoutCrl: readonly string[];
}

const DAY_MS = 24 * 3600 * 1000;

/** Summarises CA and CRL validity of `store` at `at`: expired CAs, stale or soon-stale CRLs. */
export function trustStoreSummary(store: TrustStore, at: Date | number | string): TrustStoreSummary {
  const now = toEpochMs(at, 'at');
  const cas = store.trustAnchors.map((der, i) => {
    const c = parseCertificate(der);
    return { file: store.anchorFiles[i] ?? '', subject: c.dn, notAfter: formatListDate(c.notAfter), expired: c.notAfter <= now };
  });
  const crlIssuers = new Set<string>();
  const crls = store.crls.map((der, i) => {
    const c = parseCrl(der, store.crlFiles[i] ?? 'CRL');
    const issuer = c.issuerDn;
    crlIssuers.add(issuer);
    const next = c.nextUpdate;
    const expired = next === undefined || next <= now;
    return {
      file: store.crlFiles[i] ?? '',
      issuer,
      thisUpdate: formatListDate(c.thisUpdate),
      ...(next === undefined ? {} : { nextUpdate: formatListDate(next) }),
      expired,
      expiresWithin24h: !expired && next !== undefined && next - now < DAY_MS,
    };
  });
  return { at: formatListDate(now), cas, crls, casWithoutCrl: cas.filter((c) => !crlIssuers.has(c.subject)).map((c) => c.subject) };
}

