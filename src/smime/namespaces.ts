/**
 * Step 4: IGTF namespace constraints. A CA directory may hold, per CA, an
 * EACL `.namespaces` file (`TO Issuer "<dn>" PERMIT|DENY Subject "<regex>"`)
 * and a Globus `.signing_policy` file (`access_id_CA X509 '<dn>'` …
 * `cond_subjects globus '"<glob>" …'`). Every certificate on the path issued
 * by a CA that has such rules must have a subject the rules permit. Rules
 * are matched to a CA by the issuer DN written in them, not by file name.
 * Where both files exist for one CA, the EACL file wins (as in gLite).
 */
import { VmiListError } from '../errors.js';
import { dnEquals } from '../x509/dn.js';
import type { Cert } from './certs.js';
import type { NamespaceFile } from './types.js';

/** Rules one file gives for one issuing CA. */
export interface NamespaceRules {
  /** Issuer DN as written in the file. */
  readonly issuer: string;
  /** Syntax the rules came from. */
  readonly format: NamespaceFile['format'];
  /** The file, for messages. */
  readonly file: string;
  /** Subject patterns, as anchored regular expressions; `permit: false` means DENY. */
  readonly rules: readonly { readonly permit: boolean; readonly pattern: RegExp; readonly source: string }[];
}

function bad(file: string, line: number, why: string): VmiListError {
  return new VmiListError('ERR_INPUT', `${file}:${line}: ${why}`);
}

/** Joins backslash-continued lines, drops comments; keeps line numbers. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let buf = '';
  let start = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (buf === '') start = i + 1;
    const trimmed = raw.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (trimmed.endsWith('\\')) {
      buf += `${trimmed.slice(0, -1)} `;
      return;
    }
    buf += trimmed;
    out.push({ text: buf, line: start });
    buf = '';
  });
  if (buf.trim() !== '') out.push({ text: buf, line: start });
  return out;
}

function regex(file: string, line: number, source: string): RegExp {
  try {
    return new RegExp(`^(?:${source})$`);
  } catch {
    throw bad(file, line, `invalid subject pattern ${JSON.stringify(source)}`);
  }
}

/** Parses an EACL `.namespaces` file. @throws VmiListError `ERR_INPUT` */
export function parseEacl(file: NamespaceFile): NamespaceRules[] {
  const byIssuer = new Map<string, { permit: boolean; pattern: RegExp; source: string }[]>();
  const re = /^TO\s+Issuer\s+"((?:[^"\\]|\\.)*)"\s+(PERMIT|DENY)\s+Subject\s+"((?:[^"\\]|\\.)*)"\s*$/i;
  for (const { text, line } of logicalLines(file.text)) {
    const m = re.exec(text);
    if (!m) throw bad(file.name, line, `not an EACL rule (TO Issuer "…" PERMIT|DENY Subject "…"): ${text.slice(0, 80)}`);
    const issuer = m[1] as string;
    const list = byIssuer.get(issuer) ?? [];
    list.push({ permit: (m[2] as string).toUpperCase() === 'PERMIT', pattern: regex(file.name, line, m[3] as string), source: m[3] as string });
    byIssuer.set(issuer, list);
  }
  return [...byIssuer].map(([issuer, rules]) => ({ issuer, format: 'eacl' as const, file: file.name, rules }));
}

/** Globus glob (`*` any run, `?` one character) → anchored regex source. */
function globToRegex(glob: string): string {
  return glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
}

/**
 * Parses a Globus `.signing_policy` file: a sequence of `name type value`
 * triples whose value is a word or a `'…'`-quoted string, in any layout.
 *
 * @throws VmiListError `ERR_INPUT`
 */
export function parseSigningPolicy(file: NamespaceFile): NamespaceRules[] {
  const tokens: { text: string; line: number }[] = [];
  file.text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/^\s*#.*$/, '');
    for (const m of line.matchAll(/'([^']*)'|(\S+)/g)) tokens.push({ text: m[1] ?? (m[2] as string), line: i + 1 });
  });
  if (tokens.length % 3 !== 0) throw bad(file.name, tokens[tokens.length - 1]?.line ?? 1, 'entries must be "name type value" triples');
  const out: NamespaceRules[] = [];
  let issuer: string | undefined;
  for (let i = 0; i < tokens.length; i += 3) {
    const key = tokens[i] as { text: string; line: number };
    const value = (tokens[i + 2] as { text: string }).text;
    if (key.text === 'access_id_CA') issuer = value;
    else if (key.text === 'cond_subjects') {
      if (issuer === undefined) throw bad(file.name, key.line, 'cond_subjects before access_id_CA');
      const globs = [...value.matchAll(/"([^"]*)"/g)].map((g) => g[1] as string);
      if (globs.length === 0) throw bad(file.name, key.line, 'cond_subjects names no subject pattern');
      out.push({
        issuer,
        format: 'signing_policy',
        file: file.name,
        rules: globs.map((g) => ({ permit: true, pattern: regex(file.name, key.line, globToRegex(g)), source: g })),
      });
    }
  }
  return out;
}

/** Parses every namespace file once per verification. */
export function parseNamespaceFiles(files: readonly NamespaceFile[] | undefined): NamespaceRules[] {
  return (files ?? []).flatMap((f) => (f.format === 'eacl' ? parseEacl(f) : parseSigningPolicy(f)));
}

function rulesFor(ca: Cert, all: readonly NamespaceRules[]): NamespaceRules[] {
  // dnEquals answers false for an issuer text that is not a DN
  const mine = all.filter((r) => dnEquals(r.issuer, ca.subject));
  const eacl = mine.filter((r) => r.format === 'eacl');
  return eacl.length > 0 ? eacl : mine;
}

/**
 * Each certificate on the path whose issuer has rules must be permitted by
 * them (and not denied by an EACL DENY).
 *
 * @throws VmiListError `ERR_NAMESPACE_VIOLATION`
 */
export function checkNamespaces(path: readonly Cert[], all: readonly NamespaceRules[]): void {
  if (all.length === 0) return;
  for (let i = 0; i + 1 < path.length; i++) {
    const child = path[i] as Cert;
    const ca = path[i + 1] as Cert;
    const sets = rulesFor(ca, all);
    if (sets.length === 0) continue;
    const rules = sets.flatMap((s) => s.rules);
    const denied = rules.find((r) => !r.permit && r.pattern.test(child.dn));
    const permitted = rules.some((r) => r.permit && r.pattern.test(child.dn));
    if (denied || !permitted) {
      const files = [...new Set(sets.map((s) => s.file))].join(', ');
      throw new VmiListError(
        'ERR_NAMESPACE_VIOLATION',
        denied
          ? `certificate ${child.dn} is denied by the namespace rule "${denied.source}" of ${ca.dn} (${files})`
          : `certificate ${child.dn} is outside the namespace of its CA ${ca.dn}: ${files} permits only ${rules.filter((r) => r.permit).map((r) => `"${r.source}"`).join(', ')}`,
      );
    }
  }
}
