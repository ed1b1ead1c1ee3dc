#!/usr/bin/env node
// Builds the browser example (examples/browser/) with esbuild: bundles
// main.ts (the page) and worker.ts (its worker, which holds the library:
// verification and hashing run off the main thread) into two ES modules
// and copies the static files next to them. No network, no plugins.
//
//   node scripts/build-browser-example.mjs [--out-dir DIR] [--no-minify]
// Default output: examples/browser/dist/ (git-ignored).
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the page's sources are. */
export const EXAMPLE_DIR = resolve(ROOT, 'examples/browser');
/** Files copied as they are. */
export const STATIC_FILES = ['index.html', 'style.css', 'favicon.svg'];

/**
 * Builds the page into `outDir` (emptied first).
 * @param {{ outDir?: string, minify?: boolean }} [options]
 * @returns {Promise<{ outDir: string, files: string[], scriptBytes: number, workerBytes: number }>}
 */
export async function buildBrowserExample(options = {}) {
  const outDir = resolve(options.outDir ?? resolve(EXAMPLE_DIR, 'dist'));
  if (outDir === ROOT || outDir === resolve(ROOT, 'src') || outDir === resolve(ROOT, 'dist')) {
    throw new Error(`refusing to build the example into ${outDir}`);
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [resolve(EXAMPLE_DIR, 'main.ts'), resolve(EXAMPLE_DIR, 'worker.ts')],
    outdir: outDir,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: ROOT,
  });
  for (const f of STATIC_FILES) await copyFile(resolve(EXAMPLE_DIR, f), resolve(outDir, f));
  const bytesOf = (name) => Object.entries(result.metafile.outputs).find(([p]) => p.endsWith(`/${name}`))?.[1].bytes ?? 0;
  return {
    outDir,
    files: ['main.js', 'main.js.map', 'worker.js', 'worker.js.map', ...STATIC_FILES],
    scriptBytes: bytesOf('main.js'),
    workerBytes: bytesOf('worker.js'),
  };
}

async function main() {
  const args = process.argv.slice(2);
  const i = args.indexOf('--out-dir');
  const r = await buildBrowserExample({
    outDir: i >= 0 ? resolve(String(args[i + 1])) : undefined,
    minify: !args.includes('--no-minify'),
  });
  console.log(`built ${r.outDir} (main.js ${(r.scriptBytes / 1024).toFixed(1)} KB, worker.js ${(r.workerBytes / 1024).toFixed(1)} KB); serve it with: node examples/browser/serve.mjs --root ${r.outDir}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (e) {
    console.error(`build-browser-example: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  }
}
