// The core entry bundles for the browser with nothing external and no Node
// built-in, and the bundle holds no run-time code generation (`eval`,
// `new Function`), so it runs under `script-src 'self'` without
// 'unsafe-eval'.
import { describe, expect, it } from 'vitest';
import { bundleForBrowser } from '../../scripts/size-budget.mjs';

/** Code-generation calls a strict CSP (no 'unsafe-eval') blocks. */
const FORBIDDEN: readonly { name: string; re: RegExp }[] = [
  { name: 'new Function', re: /\bnew\s+Function\s*\(/g },
  // `Function('…')` without `new`; `new Function(` is counted once, above
  { name: 'Function(', re: /(?<![\w$.])(?<!\bnew\s+)Function\s*\(\s*['"`]/g },
  { name: 'eval(', re: /(?<![\w$.])eval\s*\(/g },
  { name: 'setTimeout(string)', re: /\bset(?:Timeout|Interval)\s*\(\s*['"`]/g },
];

interface Hit {
  readonly what: string;
  readonly source: string;
  readonly excerpt: string;
}

// An unminified esbuild bundle marks each input with a `// path` comment
// line; the last one before a hit names the file it came from.
function findForbidden(text: string): Hit[] {
  const hits: Hit[] = [];
  for (const { name, re } of FORBIDDEN) {
    for (const m of text.matchAll(re)) {
      const before = text.slice(0, m.index);
      const marker = [...before.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].pop();
      hits.push({ what: name, source: marker?.[1] ?? '(unknown input)', excerpt: text.slice(Math.max(0, m.index - 60), m.index + 60) });
    }
  }
  return hits;
}

describe('browser bundle of the core entry', () => {
  it('bundles src/index.ts for the browser with no externals and no node: import', async () => {
    const { text, metafile } = await bundleForBrowser(`export * from './src/index.ts';\n`, { minify: false });
    expect(text.length).toBeGreaterThan(1000);
    const inputs = Object.keys(metafile.inputs);
    // Node-only folders never reach the core graph
    expect(inputs.filter((p) => p.startsWith('src/node/') || p.startsWith('src/cli/'))).toEqual([]);
    const imports = Object.values(metafile.inputs).flatMap((i) => i.imports);
    expect(imports.filter((i) => i.external === true)).toEqual([]);
    expect(imports.filter((i) => i.path.startsWith('node:'))).toEqual([]);
    // the bundle itself has no import statement left (everything inlined)
    expect(text).not.toMatch(/^\s*import\s.*from\s/m);
    expect(text).not.toMatch(/\brequire\s*\(\s*['"]/);
  });

  it('contains no eval / new Function anywhere in the bundle (strict-CSP safe)', async () => {
    const { text } = await bundleForBrowser(`export * from './src/index.ts';\n`, { minify: false });
    const hits = findForbidden(text);
    expect(hits, hits.map((h) => `${h.what} in ${h.source}: …${h.excerpt}…`).join('\n')).toEqual([]);
  });

  it('the checks can fail: a node: import breaks the build, eval and new Function are found', async () => {
    await expect(bundleForBrowser(`import { readFile } from 'node:fs/promises'; export const r = readFile;\n`)).rejects.toThrow(/node:fs\/promises/);
    const { text } = await bundleForBrowser(
      `export const f = new Function('return 1'); export const g = (s) => eval(s); export const h = () => Function("return this")();\n`,
      { minify: false },
    );
    expect(findForbidden(text).map((h) => h.what).sort()).toEqual(['Function(', 'eval(', 'new Function']);
    // a method named eval or a property .eval( is not code generation
    expect(findForbidden(`x.eval(1); obj.Function("a"); retrieval(2)`)).toEqual([]);
  });

  it('pkijs, asn1js and @noble/hashes carry no code generation either', async () => {
    const { text } = await bundleForBrowser(
      `export * as pkijs from 'pkijs'; export * as asn1js from 'asn1js'; export { sha512 } from '@noble/hashes/sha2.js';\n`,
      { minify: false },
    );
    const hits = findForbidden(text);
    expect(hits, hits.map((h) => `${h.what} in ${h.source}`).join('\n')).toEqual([]);
  });
});
