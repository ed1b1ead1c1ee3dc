import { defineConfig } from 'tsup';

// Two library entries (isomorphic core, node adapters) and the CLI.
// The core must stay free of node:* imports; test/unit/bundle.node.test.ts and
// test/unit/import-graph.node.test.ts check it.
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
  {
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    splitting: true,
    external: ['pkijs', 'asn1js', '@noble/hashes'],
  },
]);
