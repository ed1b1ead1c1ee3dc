import { defineConfig } from 'tsup';

// Two library entries (isomorphic core, node adapters) and the CLI.
// The core must stay free of node:* imports; test/browser/bundle.test.ts checks it.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'node/index': 'src/node/index.ts' },
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    external: [/^node:/],
    splitting: true,
    treeshake: true,
  },
  // The CLI: one self-contained file (dependencies bundled in, no chunks), so
  // `vmilist verify` starts by compiling one module instead of resolving and
  // reading a dozen, and its commands stay lazy (esbuild wraps them).
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    splitting: false,
    noExternal: ['pkijs', 'asn1js', '@noble/hashes'],
    minify: true,
  },
]);
