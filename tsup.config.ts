import { defineConfig } from 'tsup';

// Two configs: the LIBRARY (isomorphic core + node adapters) and the CLI.
//
// The library is emitted module by module (bundle: false): dist/ mirrors
// src/, one ES module per source file. With "sideEffects": false in
// package.json, an app's bundler (esbuild, vite/rollup, webpack) then drops
// every module a feature does not import; one shared chunk holding the
// whole library (what splitting produced) kept the schema validator and the
// PKI code in a hashers-only app. scripts/size-budget.mjs measures this on
// the packed package. The core must stay free of node:* imports;
// test/unit/bundle.node.test.ts and test/unit/import-graph.node.test.ts check it.
export default defineConfig([
  {
    entry: ['src/**/*.ts', 'src/schema/generated/*.js', '!src/**/*.d.ts', '!src/cli/**'],
    format: ['esm'],
    bundle: false,
    // declarations for the two public entries only (bundled, as before)
    dts: { entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' } },
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
  },
  // The CLI: one self-contained CommonJS file (dependencies bundled in, no
  // chunks), so `vmilist verify` starts by compiling one script instead of
  // resolving and reading a dozen modules, and its commands stay lazy
  // (esbuild wraps them). CommonJS because Node 20's only code cache is
  // vm.Script's cachedData, which runs scripts, not ES modules.
  {
    entry: { 'cli-bundle': 'src/cli/entry.ts' },
    format: ['cjs'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    splitting: false,
    noExternal: ['pkijs', 'asn1js', '@noble/hashes'],
    minify: true,
  },
  // The bin (dist/cli.cjs): a small launcher that loads the bundle above with
  // V8's code cache (src/cli/compile-cache.ts). CommonJS too: an ES module
  // entry makes Node set up its ES module loader (~7 ms CPU, ~1.8 MiB RSS).
  {
    entry: { cli: 'src/cli/launch.ts' },
    format: ['cjs'],
    dts: false,
    sourcemap: false,
    clean: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    splitting: false,
    minify: false,
  },
]);
