#!/usr/bin/env node
// Re-runs the recorded `opensslCommand` of every case in vectors/manifest.json
// against the committed files and checks that openssl still gives the recorded
// verdict (`openssl` field). Run: node vectors/check-openssl.mjs
// Exit 0 when every verdict matches; 1 otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(here, 'manifest.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'vmilist-check-'));
const read = (p) => readFileSync(join(here, p), 'utf8');

// The bundles build.sh used: anchors + intermediates (+ CRLs unless .certs-only).
for (const [name, t] of Object.entries(manifest.trustSets)) {
  const certs = [...t.anchors, ...t.intermediates].map(read).join('');
  writeFileSync(join(work, `bundle-${name}.pem`), certs + t.crls.map(read).join(''));
  writeFileSync(join(work, `bundle-${name}.certs-only.pem`), certs);
}

let bad = 0;
for (const c of manifest.cases) {
  const argv = c.opensslCommand.split(' ').slice(1).map((a) => (a.startsWith('bundle-') ? join(work, a) : a));
  // openssl smime/cms (3.0) exit 0 even on a usage error, so the success message is required too.
  const r = spawnSync('/usr/bin/openssl', [...argv, '-out', '/dev/null'], { cwd: here, encoding: 'utf8' });
  const ok = r.status === 0 && r.stderr.includes('Verification successful');
  if (ok !== c.openssl) {
    bad++;
    console.log(`MISMATCH ${c.name}: recorded openssl=${c.openssl}, now ${ok}`);
  }
}
rmSync(work, { recursive: true, force: true });
console.log(`${manifest.cases.length - bad}/${manifest.cases.length} openssl verdicts match`);
process.exit(bad ? 1 : 0);
