#!/usr/bin/env node
// Bundle-size budget for browser users of the public entry. Bundles three
// tree-shaken entries from src/index.ts with esbuild (browser, esm, minify),
// gzips each at level 9 and compares with the budget. `node
// scripts/size-budget.mjs` prints a table and exits 1 when one is over;
// `--verbose` also lists what contributes most to each bundle; `--markdown`
// prints the table for README.md instead.
// The functions are exported so test/unit/bundle*.node.test.ts measure the
// same thing as the script.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Project root (the folder that holds package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 1 KB = 1024 bytes, as esbuild prints it. */
export const KB = 1024;

/** The three entries: what a browser app imports, and its gzip budget in KB. */
export const ENTRIES = [
  { name: 'verify', imports: ['verifySignedList'], budgetKB: 120 },
  { name: 'parse+validate', imports: ['parseImageList', 'validateImageList'], budgetKB: 15 },
  { name: 'hashers', imports: ['createHasher', 'hashStream', 'verifyImage'], budgetKB: 12 },
];

/**
 * Bundles `contents` (a module whose imports resolve from the project root)
 * for the browser. Node built-ins fail the build (platform browser, nothing
 * external), so a `node:` import anywhere in the graph is an error here.
 * @param {string} contents
 * @param {{ minify?: boolean }} [options]
 * @returns {Promise<{ text: string, metafile: import('esbuild').Metafile }>}
 */
export async function bundleForBrowser(contents, options = {}) {
  const result = await build({
    // loader js, not ts: a TS re-export of a missing name is silently taken
    // for a type; in JS it is an error, so a missing export fails loudly.
    stdin: { contents, resolveDir: ROOT, sourcefile: 'size-entry.js', loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    external: [],
    absWorkingDir: ROOT,
  });
  const out = result.outputFiles[0];
  if (!out) throw new Error('esbuild produced no output');
  for (const w of result.warnings) {
    // an import of a name the module does not export is only a warning in esbuild
    if (w.id === 'import-is-undefined') throw new Error(`esbuild: ${w.text}`);
  }
  return { text: out.text, metafile: result.metafile };
}

/**
 * Bytes in the output per contributor: a package under node_modules
 * (`pkijs`, `@noble/hashes`) or a project file (`src/smime/cms.ts`).
 * @param {import('esbuild').Metafile} metafile
 * @returns {{ contributor: string, bytes: number }[]} largest first
 */
export function contributors(metafile) {
  /** @type {Map<string, number>} */
  const sum = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1] : path;
      sum.set(key, (sum.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sum].map(([contributor, bytes]) => ({ contributor, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Measures one entry: minified size, gzip (level 9) size, budget verdict and
 * the main contributors (minified bytes before gzip).
 * @param {{ name: string, imports: string[], budgetKB: number }} entry
 */
export async function measureEntry(entry) {
  const contents = `export { ${entry.imports.join(', ')} } from './src/index.ts';\n`;
  const { text, metafile } = await bundleForBrowser(contents);
  const bytes = Buffer.byteLength(text);
  const gzipBytes = gzipSync(text, { level: 9 }).length;
  const gzipKB = gzipBytes / KB;
  return {
    name: entry.name,
    imports: entry.imports,
    bytes,
    gzipBytes,
    gzipKB,
    budgetKB: entry.budgetKB,
    ok: gzipKB <= entry.budgetKB,
    contributors: contributors(metafile),
  };
}

/** Measures every entry of {@link ENTRIES}. */
export async function measureBudgets() {
  const out = [];
  for (const entry of ENTRIES) out.push(await measureEntry(entry));
  return out;
}

async function main() {
  const verbose = process.argv.includes('--verbose');
  let results;
  try {
    results = await measureBudgets();
  } catch (e) {
    // esbuild errors carry the unresolved import and the importing file
    const errors = /** @type {{ errors?: { text: string, location?: { file: string, line: number } }[] }} */ (e).errors;
    if (errors) for (const err of errors) console.error(`size-budget: ${err.location ? `${err.location.file}:${err.location.line}: ` : ''}${err.text}`);
    else console.error(`size-budget: ${String(e)}`);
    process.exitCode = 1;
    return;
  }
  if (process.argv.includes('--markdown')) {
    // the table README.md records
    console.log('| bundle (tree-shaken from `vmilist`) | imports | minified | gzip -9 | budget |');
    console.log('|---|---|---|---|---|');
    for (const r of results) {
      console.log(`| ${r.name} | ${r.imports.map((i) => `\`${i}\``).join(', ')} | ${(r.bytes / KB).toFixed(1)} KB | ${r.gzipKB.toFixed(1)} KB | ${r.budgetKB} KB${r.ok ? '' : ' **over**'} |`);
    }
    if (results.some((r) => !r.ok)) process.exitCode = 1;
    return;
  }
  const pad = (s, n) => String(s).padEnd(n);
  console.log(`${pad('entry', 16)}${pad('minified', 12)}${pad('gzip -9', 12)}${pad('budget', 10)}verdict`);
  for (const r of results) {
    console.log(
      `${pad(r.name, 16)}${pad(`${(r.bytes / KB).toFixed(1)} KB`, 12)}${pad(`${r.gzipKB.toFixed(1)} KB`, 12)}${pad(`${r.budgetKB} KB`, 10)}${r.ok ? 'ok' : 'OVER BUDGET'}`,
    );
    if (verbose || !r.ok) {
      for (const c of r.contributors.slice(0, 10)) console.log(`    ${pad(`${(c.bytes / KB).toFixed(1)} KB`, 10)} ${c.contributor}`);
    }
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
