/**
 * Loads trust material from an IGTF-style CA directory (what sites have in
 * `/etc/grid-security/certificates`). Files are read by what they hold, not
 * by their names: PEM `CERTIFICATE` and `X509 CRL` blocks (any number, in
 * any file: `<hash>.0`, `<hash>.r0`, `root.crl.pem`, …) or one DER
 * certificate or CRL; `*.namespaces` and `*.signing_policy` are the IGTF
 * namespace constraints; `*.crl_url`, `*.info`, `*.lsc`, hidden files and
 * files that are neither PEM nor DER are not trust material. Every CA
 * certificate found is a trust anchor, as IGTF distributions are meant to be
 * used. Files that cannot be read or parsed are reported in `problems`,
 * never silently dropped.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULTS } from '../defaults.js';
import { toHex } from '../encoding/hex.js';
import { looksLikePem, pemBlocks } from '../encoding/pem.js';
import { latin1 } from '../encoding/text.js';
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
  /** A further directory holding CRLs (read by content: PEM or DER, any name), e.g. where fetch-crl writes. Certificates there are not anchors. */
  readonly crlDir?: string;
}

type Named = 'eacl' | 'signing_policy' | 'ignore' | 'material' | 'unknown';

// Only the namespace files are known by name (they are text without a
// marker); everything else is read by what it holds.
function byName(name: string): Named {
  if (name.startsWith('.')) return 'ignore';
  if (name.endsWith('.namespaces')) return 'eacl';
  if (name.endsWith('.signing_policy')) return 'signing_policy';
  if (/\.(crl_url|info|lsc)$/.test(name)) return 'ignore';
  // names certificates and CRLs have in IGTF dirs and fetch-crl output: say so when such a file holds neither
  if (/\.(r?\d+|pem|crt|cer|der|crl)$/i.test(name)) return 'material';
  return 'unknown';
}

const CERT_LABELS = ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'];
const CRL_LABEL = 'X509 CRL';

/** One certificate or CRL of a file (DER), in file order. */
interface Item {
  readonly kind: 'cert' | 'crl';
  readonly der: Uint8Array;
}

/** What one file holds: certificates and CRLs, and what could not be used in it. */
interface FileContent {
  readonly items: Item[];
  readonly problems: string[];
  /** True when the bytes are neither PEM nor DER: not trust material at all. */
  readonly notMaterial: boolean;
}

/** Sorts a file's bytes into certificates and CRLs by PEM label, or by DER structure. */
function contentOf(bytes: Uint8Array): FileContent {
  const items: Item[] = [];
  const problems: string[] = [];
  if (looksLikePem(bytes, 'lenient')) {
    const blocks = pemBlocks(latin1(bytes), 'lenient');
    for (const b of blocks) {
      const isCert = CERT_LABELS.includes(b.label);
      if (!isCert && b.label !== CRL_LABEL) continue; // keys, requests, parameters: not trust material
      if (b.problem !== undefined) problems.push(b.problem);
      else items.push({ kind: isCert ? 'cert' : 'crl', der: b.der });
    }
    if (items.length === 0 && problems.length === 0) {
      const seen = blocks.map((b) => b.label).join(', ') || 'no complete PEM block';
      problems.push(`no CERTIFICATE or X509 CRL PEM block (found: ${seen})`);
    }
    return { items, problems, notMaterial: false };
  }
  // DER: a certificate's TBS has subjectPublicKeyInfo, a CRL's does not; let the parsers decide
  if (bytes[0] !== 0x30) return { items, problems: ['neither PEM nor DER'], notMaterial: true };
  const kind = derKind(bytes);
  if (kind === 'cert' || kind === 'crl') items.push({ kind, der: bytes });
  else problems.push(kind);
  return { items, problems, notMaterial: false };
}

// 'cert', 'crl', or why it is neither
function derKind(der: Uint8Array): 'cert' | 'crl' | string {
  let certError: string;
  try {
    parseCertificate(der);
    return 'cert';
  } catch (e) {
    certError = (e as Error).message;
  }
  try {
    parseCrl(der, 'the file');
    return 'crl';
  } catch (e) {
    return `DER that is neither a certificate (${certError}) nor a CRL (${(e as Error).message})`;
  }
}

/** Files read ahead of the one being parsed. */
const READ_AHEAD = 16;

type FileRead = { readonly kind: 'skip' } | { readonly kind: 'problem'; readonly message: string } | { readonly kind: 'bytes'; readonly bytes: Uint8Array };

/** Reads one file of a trust directory; never rejects (a problem is a result). */
async function readTrustFile(file: string): Promise<FileRead> {
  try {
    const st = await stat(file); // follows symlinks: IGTF dirs link <hash>.0 → <name>.pem
    if (!st.isFile()) return { kind: 'skip' };
    if (st.size > DEFAULTS.maxListBytes) {
      return { kind: 'problem', message: `${st.size} bytes, too large for a certificate or CRL file (limit ${DEFAULTS.maxListBytes}); not read` };
    }
    return { kind: 'bytes', bytes: new Uint8Array(await readFile(file)) };
  } catch (cause) {
    return { kind: 'problem', message: `cannot read: ${describeFsError(cause)}` };
  }
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
    const entries = (await listDir(dir)).map((name) => ({ name, named: byName(name), file: join(dir, name) })).filter((e) => e.named !== 'ignore');
    // files are read a few at a time ahead of the one being parsed (an IGTF
    // directory holds hundreds), and handled in name order as before
    const reads: (Promise<FileRead> | undefined)[] = [];
    const readAhead = (k: number): void => {
      const entry = entries[k];
      if (entry !== undefined) reads[k] = readTrustFile(entry.file);
    };
    for (let k = 0; k < READ_AHEAD; k++) readAhead(k);
    for (let k = 0; k < entries.length; k++) {
      const { name, named, file } = entries[k] as (typeof entries)[number];
      const read = await (reads[k] as Promise<FileRead>);
      reads[k] = undefined;
      readAhead(k + READ_AHEAD);
      if (read.kind === 'skip') continue;
      if (read.kind === 'problem') {
        problems.push({ file, message: read.message });
        continue;
      }
      const bytes = read.bytes;
      if (named === 'eacl' || named === 'signing_policy') {
        namespaces.push({ name, format: named, text: Buffer.from(bytes).toString('utf8') });
        continue;
      }
      const content = contentOf(bytes);
      // a README or an index beside the CAs is not trust material; a file named like one must be
      if (content.notMaterial && named === 'unknown') continue;
      for (const message of content.problems) problems.push({ file, message });
      content.items.forEach(({ kind, der }, i) => {
        const where = content.items.length > 1 ? `${file} (block ${i + 1})` : file;
        if (kind === 'cert' && inCrlDir) {
          problems.push({ file: where, message: 'a certificate in the CRL directory; ignored (trust anchors come from the CA directory only)' });
          return;
        }
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
        const key = `${kind}:${toHex(new Uint8Array(createHash('sha256').update(der).digest()))}`;
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
      `no CA certificates found in ${caDir} (every file was read for PEM or DER certificates)${why}; point --ca-dir (or X509_CERT_DIR) at an IGTF CA directory`,
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

