/**
 * The public API of the package entries as data: every exported name with
 * its kind (function, class, const, interface, type, enum) and whether it
 * carries a TSDoc comment, read with the TypeScript compiler from the
 * sources; and the check that a change of that surface is announced in the
 * CHANGELOG's [Unreleased] section. Used by test/api/surface.node.test.ts and
 * by `npm run api:snapshot` (scripts/api-snapshot.ts), which rewrites the
 * snapshot after a deliberate change.
 */
import ts from 'typescript';
import { resolve } from 'node:path';

/** Kind of an exported name. */
export type ApiKind = 'function' | 'class' | 'const' | 'interface' | 'type' | 'enum' | 'namespace' | 'unknown';

/** Entry (`vmilist`, `vmilist/node`) → exported name → kind, names sorted. */
export type ApiSurface = Record<string, Record<string, ApiKind>>;

/** The package entries and their source files, relative to the project root. */
export const ENTRIES: Readonly<Record<string, string>> = { vmilist: 'src/index.ts', 'vmilist/node': 'src/node/index.ts' };

function kindOf(symbol: ts.Symbol): ApiKind {
  const f = symbol.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'const';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Module) return 'namespace';
  return 'unknown';
}

/** What the compiler sees of each entry: kinds, and the names without a TSDoc comment. */
export function readSurface(root: string): { surface: ApiSurface; undocumented: Record<string, string[]> } {
  const files = Object.values(ENTRIES).map((f) => resolve(root, f));
  const config = ts.readConfigFile(resolve(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram(files, { ...parsed.options, noEmit: true });
  const checker = program.getTypeChecker();
  const surface: ApiSurface = {};
  const undocumented: Record<string, string[]> = {};
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const source = program.getSourceFile(resolve(root, file));
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`cannot read the exports of ${file}`);
    const names: Record<string, ApiKind> = {};
    const missing: string[] = [];
    for (const exported of checker.getExportsOfModule(moduleSymbol).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      names[exported.name] = kindOf(target);
      if (ts.displayPartsToString(target.getDocumentationComment(checker)).trim() === '') missing.push(exported.name);
    }
    surface[entry] = names;
    undocumented[entry] = missing;
  }
  return { surface, undocumented };
}

/** The text of the `## [Unreleased]` section of a Keep-a-Changelog file ('' when there is none). */
export function unreleasedSection(changelog: string): string {
  const start = changelog.search(/^## \[Unreleased\]/m);
  if (start === -1) return '';
  const rest = changelog.slice(start + 1);
  const next = rest.search(/^## /m);
  return next === -1 ? rest : rest.slice(0, next);
}

/** One difference between the snapshot and the sources. */
export interface ApiChange {
  readonly entry: string;
  readonly name: string;
  readonly change: 'added' | 'removed' | 'kind';
  readonly detail: string;
}

/** Every name added, removed or changed in kind, per entry. */
export function surfaceChanges(snapshot: ApiSurface, current: ApiSurface): ApiChange[] {
  const out: ApiChange[] = [];
  for (const entry of [...new Set([...Object.keys(snapshot), ...Object.keys(current)])].sort()) {
    const before = snapshot[entry] ?? {};
    const after = current[entry] ?? {};
    for (const name of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const a = before[name];
      const b = after[name];
      if (a === undefined) out.push({ entry, name, change: 'added', detail: `${b}` });
      else if (b === undefined) out.push({ entry, name, change: 'removed', detail: `${a}` });
      else if (a !== b) out.push({ entry, name, change: 'kind', detail: `${a} → ${b}` });
    }
  }
  return out;
}

/**
 * The changes the CHANGELOG does not announce: a name counts as announced
 * when the [Unreleased] section mentions it in backticks (`name`, or
 * `name(…)`), so a prose word that happens to match does not count.
 */
export function unannounced(changes: readonly ApiChange[], changelog: string): ApiChange[] {
  const section = unreleasedSection(changelog);
  const mentioned = (name: string): boolean => new RegExp('`' + name.replace(/[$]/g, '\\$') + '(?:\\(|`|<|\\[)').test(section);
  return changes.filter((c) => !mentioned(c.name));
}

/** A snapshot as stable JSON text (entries and names sorted). */
export function formatSurface(surface: ApiSurface): string {
  const sorted: ApiSurface = {};
  for (const entry of Object.keys(surface).sort()) {
    const names = surface[entry] ?? {};
    sorted[entry] = Object.fromEntries(Object.keys(names).sort().map((n) => [n, names[n] as ApiKind]));
  }
  return `${JSON.stringify(sorted, null, 2)}\n`;
}
