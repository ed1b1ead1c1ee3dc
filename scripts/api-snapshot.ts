// Rewrites test/api/surface.json from the sources: run after a deliberate
// change of the public API (`npm run api:snapshot`), with the added and
// removed names announced in CHANGELOG.md under [Unreleased].
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSurface, readSurface } from '../test/support/api-surface.js';

const root = new URL('..', import.meta.url).pathname;
const { surface, undocumented } = readSurface(root);
const out = join(root, 'test/api/surface.json');
writeFileSync(out, formatSurface(surface));
for (const [entry, names] of Object.entries(surface)) console.log(`${entry}: ${Object.keys(names).length} names`);
for (const [entry, names] of Object.entries(undocumented)) if (names.length > 0) console.warn(`${entry}: no TSDoc on ${names.join(', ')}`);
console.log(`wrote ${out}`);
