// `npm run demo`: the endorser and subscriber flow on a bundled example,
// with the CLI as a user would run it:
//   template → image --generate → add → validate → sign (test endorser) → verify.
// Uses the test PKI in vectors/ (never a real key) and a generated 4 MiB image.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = join(root, 'test-output', 'demo');
const cli = join(root, 'dist', 'cli.cjs');
const pki = join(root, 'vectors', 'pki');

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
// a deterministic 4 MiB "disk image"
const image = Buffer.alloc(4 * 1024 * 1024);
for (let i = 0; i < image.length; i++) image[i] = (i * 2654435761) >>> 24;
writeFileSync(join(work, 'example.img'), image);

const env = {
  ...process.env,
  HVMIL_DC_TITLE: 'vmilist demo list',
  HVMIL_DC_DESCRIPTION: 'An image list made by npm run demo',
  HVMIL_DC_SOURCE: 'vmilist demo',
  HVMIL_HV_URI: 'https://example.org/demo/image.list',
  HVMILE_DC_CREATOR: 'Alice Endorser',
  HVMILE_HV_EMAIL: 'alice@vmilist-test.org',
  HVMILI_DC_TITLE: 'Example image',
  HVMILI_DC_DESCRIPTION: 'A generated 4 MiB example image',
  HVMILI_HV_URI: 'https://example.org/demo/example.img',
  HVMILI_HV_HYPERVISOR: 'kvm',
  HVMILI_SL_ARCH: 'x86_64',
  HVMILI_SL_OS: 'Linux',
  HVMILI_SL_OSVERSION: 'AlmaLinux 9',
  HVMILI_SL_COMMENTS: 'demo only',
};

function step(title, args) {
  console.log(`\n$ vmilist ${args.join(' ')}    # ${title}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, env, encoding: 'utf8' });
  process.stdout.write(r.stdout);
  process.stdout.write(r.stderr);
  if (r.status !== 0) {
    console.error(`demo failed at: ${title} (exit ${r.status})`);
    process.exit(1);
  }
  return r;
}

step('an empty list template (nulls to fill)', ['template', '-o', 'list.json']);
step('measure the image', ['image', 'example.img', '--generate', 'meta.json']);
step('add it to the list', ['add', 'list.json', 'meta.json', '-o', 'list.json']);
step('sign as the test endorser (fills hv:endorser from the certificate)', [
  'sign', 'list.json', '--cert', join(pki, 'alice.pem'), '--key', join(pki, 'alice.key.pem'), '--chain', join(pki, 'intermediate.pem'), '-o', 'image.list',
]);
step('check the list inside the signed message', ['validate', 'image.list']);
step('verify it as a site would: chain, CRLs, endorser, dates', ['verify', 'image.list', '--ca-dir', join(root, 'vectors', 'trust')]);
console.log(`\nDemo OK. Files are in ${work}`);
