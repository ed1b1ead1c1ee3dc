#!/usr/bin/env node
// Bundle-size budget, measured as a downstream browser app gets it: the
// package is built (tsup) and packed (`npm pack`, so only what is published
// counts), the tarball is installed into a temporary app, and three small
// apps — each importing one feature from 'vmilist' — are bundled for the
// browser with esbuild AND with vite, minified; each output is gzipped at
// level 9 and compared with the budget. The larger of the two bundlers
// decides.
//
//   node scripts/size-budget.mjs [--no-build] [--markdown] [--verbose]
//
// Prints a table and exits 1 when an entry is over budget; `--markdown`
// prints the table README.md records; `--verbose` lists what contributes
// most to each esbuild bundle. The functions are exported so
// test/unit/bundle*.node.test.ts measure the same thing as the script.
//
// The install is offline: the tarball is unpacked into the app's
// node_modules/vmilist (as npm does) and its dependencies are linked from
// this project's node_modules, so no registry is needed and the versions are
// the locked ones.
import { build as esbuild } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

/** Project root (the folder that holds package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** 1 KB = 1024 bytes, as esbuild prints it. */
export const KB = 1024;

/** The three apps: what a browser app imports, and its gzip budget in KB. */
export const ENTRIES = [
  { name: 'verify', imports: ['verifySignedList'], budgetKB: 100 },
  { name: 'parse+validate', imports: ['parseImageList', 'validateImageList'], budgetKB: 8 },
  { name: 'hashers', imports: ['createHasher', 'hashStream', 'verifyImage'], budgetKB: 10 },
];


/** The bundlers every entry is measured with. */
export const BUNDLERS = ['esbuild', 'vite'];

/**
 * Builds (unless `build: false`) and packs the package, and installs the
 * tarball into a fresh app directory in the system's temp folder (its
 * dependencies linked to this project's, resolved by real path as bundlers
 * do). Call `dispose()` after.
 * @param {{ build?: boolean }} [options]
 * @returns {{ appDir: string, tarball: string, packedBytes: number, dispose: () => void }}
 */
export function installPackedApp(options = {}) {
  if (options.build !== false) execFileSync(process.execPath, [resolve(ROOT, 'node_modules/tsup/dist/cli-default.js')], { cwd: ROOT, stdio: 'pipe' });
  // outside the project: no tsconfig "paths" or node_modules of ours is seen by accident
  const work = mkdtempSync(join(tmpdir(), 'vmilist-size-app-'));
  try {
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
    const tarball = join(work, packed[0].filename);
    const appDir = join(work, 'app');
    const pkgDir = join(appDir, 'node_modules', 'vmilist');
    mkdirSync(pkgDir, { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
    const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const to = join(appDir, 'node_modules', dep);
      mkdirSync(dirname(to), { recursive: true });
      symlinkSync(resolve(ROOT, 'node_modules', dep), to, 'dir');
    }
    writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'size-app', private: true, type: 'module', dependencies: { vmilist: `file:${tarball}` } }));
    return { appDir, tarball, packedBytes: packed[0].size, dispose: () => rmSync(work, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/**
 * One esbuild bundle for the browser (esm, es2022, nothing external, so a
 * Node built-in fails the build) of `contents`, whose imports resolve from `dir`.
 * @returns {Promise<{ text: string, metafile: import('esbuild').Metafile }>}
 */
async function browserBundle(contents, dir, minify) {
  const result = await esbuild({
    // loader js, not ts: a TS re-export of a missing name is silently taken
    // for a type; in JS it is an error, so a missing export fails loudly.
    stdin: { contents, resolveDir: dir, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    write: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: dir,
  });
  for (const w of result.warnings) {
    // an import of a name the module does not export is only a warning in esbuild
    if (w.id === 'import-is-undefined') throw new Error(`esbuild: ${w.text}`);
  }
  return { text: result.outputFiles.map((f) => f.text).join('\n'), metafile: result.metafile };
}

/**
 * Bundles `contents` (a module whose imports resolve from the project root,
 * i.e. the SOURCE tree) for the browser; used by test/unit/bundle.node.test.ts
 * to check the core for node: imports and run-time code generation.
 * @param {string} contents
 * @param {{ minify?: boolean }} [options]
 */
export function bundleForBrowser(contents, options = {}) {
  return browserBundle(contents, ROOT, options.minify ?? true);
}

/**
 * The app's code: imports the names of each module and keeps them alive (as
 * an app that uses them would). `imports` alone means names from 'vmilist'.
 * @param {readonly string[] | Record<string, readonly string[]>} imports
 */
function appSource(imports) {
  const from = Array.isArray(imports) ? { vmilist: imports } : imports;
  const all = Object.values(from).flat();
  const lines = Object.entries(from).map(([module, names]) => `import { ${names.join(', ')} } from '${module}';`);
  return `${lines.join('\n')}\nglobalThis.__vmilist = { ${all.join(', ')} };\n`;
}

/** Bundles an app importing `imports` from the installed package with esbuild (browser, esm, minified). */
export function bundleWithEsbuild(appDir, imports) {
  return browserBundle(appSource(imports), appDir, true);
}

/**
 * Bundles the same app with vite (production build of an index.html app, defaults).
 * @returns {Promise<{ text: string }>}
 */
export async function bundleWithVite(appDir, imports) {
  const { build } = await import('vite');
  const dir = mkdtempSync(join(appDir, 'vite-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="./app.js"></script>\n');
  writeFileSync(join(dir, 'app.js'), appSource(imports));
  const out = await build({ root: dir, logLevel: 'silent', configFile: false, build: { write: false, target: 'es2022' } });
  const outputs = (Array.isArray(out) ? out : [out]).flatMap((o) => ('output' in o ? o.output : []));
  const js = outputs.filter((o) => o.type === 'chunk').map((o) => o.code);
  if (js.length === 0) throw new Error('vite produced no JavaScript');
  return { text: js.join('\n') };
}

/**
 * Bytes in the output per contributor: a package under node_modules
 * (`pkijs`, `@noble/hashes`) or a file of the installed package (`vmilist/dist/…`).
 * @param {import('esbuild').Metafile} metafile
 * @returns {{ contributor: string, bytes: number }[]} largest first
 */
export function contributors(metafile) {
  /** @type {Map<string, number>} */
  const sum = new Map();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(path);
      const key = m ? (m[1] === 'vmilist' ? `vmilist${m[2] ?? ''}` : m[1]) : path;
      sum.set(key, (sum.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sum].map(([contributor, bytes]) => ({ contributor, bytes })).sort((a, b) => b.bytes - a.bytes);
}

function sizes(text) {
  return { bytes: Buffer.byteLength(text), gzipBytes: gzipSync(text, { level: 9 }).length };
}

/**
 * Measures one entry with both bundlers in an installed app.
 * @param {string} appDir
 * @param {{ name: string, imports: string[], budgetKB: number }} entry
 */
export async function measureEntry(appDir, entry) {
  const e = await bundleWithEsbuild(appDir, entry.imports);
  const v = await bundleWithVite(appDir, entry.imports);
  const esbuildSizes = sizes(e.text);
  const viteSizes = sizes(v.text);
  const gzipKB = Math.max(esbuildSizes.gzipBytes, viteSizes.gzipBytes) / KB;
  return {
    name: entry.name,
    imports: entry.imports,
    esbuild: { ...esbuildSizes, gzipKB: esbuildSizes.gzipBytes / KB },
    vite: { ...viteSizes, gzipKB: viteSizes.gzipBytes / KB },
    gzipKB,
    budgetKB: entry.budgetKB,
    ok: gzipKB <= entry.budgetKB,
    contributors: contributors(e.metafile),
  };
}

/** Packs, installs and measures every entry of {@link ENTRIES}. */
export async function measureBudgets(options = {}) {
  const app = installPackedApp(options);
  try {
    const results = [];
    for (const entry of options.entries ?? ENTRIES) results.push(await measureEntry(app.appDir, entry));
    return { results, packedBytes: app.packedBytes };
  } finally {
    app.dispose();
  }
}

async function main() {
  const args = process.argv.slice(2);
  let measured;
  try {
    measured = await measureBudgets({ build: !args.includes('--no-build') });
  } catch (e) {
    const errors = /** @type {{ errors?: { text: string, location?: { file: string, line: number } }[] }} */ (e).errors;
    if (errors) for (const err of errors) console.error(`size-budget: ${err.location ? `${err.location.file}:${err.location.line}: ` : ''}${err.text}`);
    else console.error(`size-budget: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
    return;
  }
  const { results, packedBytes } = measured;
  const kb = (b) => `${(b / KB).toFixed(1)} KB`;
  if (args.includes('--markdown')) {
    console.log('| app importing from the packed `vmilist` | imports | esbuild min / gzip -9 | vite min / gzip -9 | budget (gzip) |');
    console.log('|---|---|---|---|---|');
    for (const r of results) {
      console.log(
        `| ${r.name} | ${r.imports.map((i) => `\`${i}\``).join(', ')} | ${kb(r.esbuild.bytes)} / **${kb(r.esbuild.gzipBytes)}** | ${kb(r.vite.bytes)} / **${kb(r.vite.gzipBytes)}** | ${r.budgetKB} KB${r.ok ? '' : ' **over**'} |`,
      );
    }
  } else {
    const pad = (s, n) => String(s).padEnd(n);
    console.log(`packed tarball ${kb(packedBytes)}; apps bundled for the browser from the installed package, minified, gzip -9`);
    console.log(`${pad('entry', 16)}${pad('esbuild', 22)}${pad('vite', 22)}${pad('budget', 10)}verdict`);
    const both = (s) => `${kb(s.bytes)} / ${kb(s.gzipBytes)}`;
    for (const r of results) {
      console.log(`${pad(r.name, 16)}${pad(both(r.esbuild), 22)}${pad(both(r.vite), 22)}${pad(`${r.budgetKB} KB`, 10)}${r.ok ? 'ok' : 'OVER BUDGET'}`);
      if (args.includes('--verbose') || !r.ok) {
        for (const c of r.contributors.slice(0, 10)) console.log(`    ${pad(kb(c.bytes), 10)} ${c.contributor}`);
      }
    }
  }
  if (results.some((r) => !r.ok)) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
