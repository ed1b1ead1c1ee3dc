/**
 * The import graph of src/ read from the sources: which file imports which
 * (static `import`/`export … from`, `import type`, dynamic `import('…')`), the
 * folder of each file (`model`, `smime`, …; a file at the top of src is its
 * own node, e.g. `errors`), and the folder cycles. Node-only (reads files).
 */
import { builtinModules } from 'node:module';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import of one source file. */
export interface ImportEdge {
  /** The importing file, relative to src/. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** The imported file relative to src/, for relative specifiers. */
  readonly to?: string;
}

const IMPORT_RE = /(?:^|[^\w.$])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[^\w.$])import\s*['"]([^'"]+)['"]|(?:^|[^\w.$])import\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Every import in the given sources (`files`: path relative to src → text). */
export function importsOf(files: ReadonlyMap<string, string>): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [from, text] of files) {
    // comments may mention imports; strip them first (strings with // are rare in imports)
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    for (const m of code.matchAll(IMPORT_RE)) {
      const specifier = (m[1] ?? m[2] ?? m[3]) as string;
      const to = specifier.startsWith('.') ? resolveIn(files, join(dirname(from), specifier)) : undefined;
      edges.push(to === undefined ? { from, specifier } : { from, specifier, to });
    }
  }
  return edges;
}

// `./x.js` is x.ts in the sources, unless a generated x.js is there itself
function resolveIn(files: ReadonlyMap<string, string>, path: string): string {
  const ts = path.replace(/\.js$/, '.ts');
  return files.has(ts) || !files.has(path) ? ts : path;
}

/** The folder node of a file relative to src: its first directory, or its own name at the top. */
export function folderOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 1 ? (parts[0] as string) : (parts[0] as string).replace(/\.ts$/, '');
}

/** Folder → folders it imports (self-imports left out). */
export function folderGraph(edges: readonly ImportEdge[]): Map<string, Set<string>> {
  const g = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    if (!g.has(a)) g.set(a, new Set());
    if (e.to === undefined) continue;
    const b = folderOf(e.to);
    if (!g.has(b)) g.set(b, new Set());
    if (b !== a) g.get(a)?.add(b);
  }
  return g;
}

/** The folder cycles: strongly connected components of more than one folder (Tarjan). */
export function folderCycles(graph: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Whether a specifier names a Node built-in (`node:fs`, `fs`, `fs/promises`, `process`, …). */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0] as string);
}

/** Reads every .ts (and generated .js) file under `srcDir` (path relative to it → text). */
export function readSources(srcDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(name)) out.set(relative(srcDir, p), readFileSync(p, 'utf8'));
    }
  };
  walk(resolve(srcDir));
  return out;
}
