// The architecture as a test: no cycle between the folders of src/ (model,
// smime, x509, subscription, …), and the core (everything but src/node and
// src/cli) imports no Node built-in. The checker is tested on made-up graphs
// so a broken checker cannot pass silently.
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, importsOf, isNodeBuiltin, readSources } from '../support/import-graph.js';

const SRC = new URL('../../src', import.meta.url).pathname;
const sources = readSources(SRC);
const edges = importsOf(sources);
const ADAPTERS = new Set(['node', 'cli']);

describe('the import graph of src/', () => {
  it('is read: every folder shows up and imports are found', () => {
    const graph = folderGraph(edges);
    for (const folder of ['model', 'smime', 'x509', 'encoding', 'subscription', 'hash', 'schema', 'node', 'cli', 'errors', 'index']) {
      expect(graph.has(folder), folder).toBe(true);
    }
    expect(graph.get('smime')?.has('x509')).toBe(true);
    expect(edges.length).toBeGreaterThan(200);
  });

  it('has no folder cycle', () => {
    expect(folderCycles(folderGraph(edges))).toEqual([]);
  });

  it('every relative import resolves to a source file', () => {
    const missing = edges.filter((e) => e.to !== undefined && !sources.has(e.to)).map((e) => `${e.from} → ${e.specifier}`);
    expect(missing).toEqual([]);
  });

  it('the core imports no Node built-in (node:*, fs, process, …)', () => {
    const core = edges.filter((e) => !ADAPTERS.has(e.from.split('/')[0] as string) && isNodeBuiltin(e.specifier));
    expect(core.map((e) => `${e.from} → ${e.specifier}`)).toEqual([]);
  });

  it('the core does not touch process, require or the file system by name either', () => {
    const offenders: string[] = [];
    for (const [file, text] of sources) {
      if (ADAPTERS.has(file.split('/')[0] as string)) continue;
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      if (/\bprocess\s*\.|\brequire\s*\(|\bDeno\.|\bBun\./.test(code)) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});

describe('defaults', () => {
  it('are written only in src/defaults.ts (no second copy of skew, size cap, CRL policy or profile)', () => {
    const copies: string[] = [];
    for (const [file, text] of sources) {
      if (file === 'defaults.ts') continue;
      for (const m of text.matchAll(/\?\?\s*(300|0x4000000|64 \* 1024 \* 1024|'require'|'grid')\b|=\s*64 \* 1024 \* 1024/g)) copies.push(`${file}: ${m[0]}`);
    }
    expect(copies).toEqual([]);
  });
});

describe('the checker itself', () => {
  const files = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

  it('finds a two-folder cycle made by a type-only import, and a three-folder one', () => {
    const two = importsOf(files({ 'a/x.ts': "import { y } from '../b/y.js';", 'b/y.ts': "import type { X } from '../a/x.js';" }));
    expect(folderCycles(folderGraph(two))).toEqual([['a', 'b']]);
    const three = importsOf(
      files({ 'a/x.ts': "export { y } from '../b/y.js';", 'b/y.ts': "import '../c/z.js';", 'c/z.ts': "const m = await import('../a/x.js');" }),
    );
    expect(folderCycles(folderGraph(three))).toEqual([['a', 'b', 'c']]);
  });

  it('ignores imports inside a folder and in comments, and sees top-level files as their own node', () => {
    const g = folderGraph(importsOf(files({ 'a/x.ts': "import { y } from './y.js';\n// import { e } from '../errors.js';", 'a/y.ts': '', 'errors.ts': "import { x } from './a/x.js';" })));
    expect([...(g.get('a') ?? [])]).toEqual([]);
    expect([...(g.get('errors') ?? [])]).toEqual(['a']);
    expect(folderCycles(g)).toEqual([]);
  });

  it('knows Node built-ins with and without the node: prefix', () => {
    expect(['node:fs', 'fs', 'fs/promises', 'process', 'node:crypto', 'child_process'].every(isNodeBuiltin)).toBe(true);
    expect(['asn1js', 'pkijs', '@noble/hashes/sha2.js', './fs.js'].some(isNodeBuiltin)).toBe(false);
  });
});
