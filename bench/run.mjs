// `npm run bench [filter]`: runs every bench/*.bench.mjs (against dist/) in
// sequence and prints their reports. Benchmarks are never part of `npm test`.
// A bench fails (exit 1) when a reference command fails or a target is missed;
// the run says which ones did and exits 1.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2] ?? '';
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.mjs') && f.includes(filter)).sort();
if (files.length === 0) {
  console.error(`no bench/*.bench.mjs matches '${filter}'`);
  process.exit(2);
}
const failed = [];
for (const f of files) {
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, ['--expose-gc', `${dir}${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${f} (${r.status ?? r.signal})`);
}
if (failed.length > 0) console.error(`\nbench failed or missed a target: ${failed.join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
