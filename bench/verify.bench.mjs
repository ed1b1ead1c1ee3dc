// `npm run bench verify`: verifying a signed 10,000-image list (~6.4 MB).
// Compares, in the same run, best of several:
//   - the whole process `node dist/cli.js verify FILE --ca-dir vectors/trust --at …`
//   - the whole process `openssl smime -verify -CAfile … -crl_check_all -CRLfile …`
//   - the in-process `verifySignedList` call (trust store loaded once)
// and prints wall times, peak RSS and the ratio vmilist/openssl (goal ≤ 1.0).
// VMILIST_DIST points at another build (e.g. /tmp/verify-dist); default ../dist.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = resolve(root, 'bench', process.env.VMILIST_DIST ?? '../dist');
const trustDir = join(root, 'vectors/trust');
const pki = join(root, 'vectors/pki');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const IMAGES = 10_000;

function ms(ns) {
  return Number(ns) / 1e6;
}

// Deterministic pseudo-random hex, so the list is the same every run.
function hex(seed, n) {
  let out = '';
  let i = 0;
  while (out.length < n) out += createHash('sha512').update(`${seed}/${i++}`).digest('hex');
  return out.slice(0, n);
}

function uuid(seed) {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function oneLine(certPath, what) {
  const out = execFileSync('openssl', ['x509', '-in', certPath, '-noout', `-${what}`, '-nameopt', 'compat']).toString().trim();
  return out.replace(/^(subject|issuer)=\s*/, '');
}

function makeList(at, dn, ca) {
  const images = [];
  for (let i = 0; i < IMAGES; i++) {
    images.push({
      'hv:image': {
        'dc:description': `Benchmark image number ${i}, a minimal cloud image with contextualisation`,
        'dc:identifier': uuid(`img${i}`),
        'dc:title': `bench-image-${i}`,
        'hv:hypervisor': 'QEMU',
        'hv:format': 'qcow2',
        'hv:size': 2147483648 + i,
        'hv:uri': `https://images.example.org/bench/${uuid(`img${i}`)}.qcow2`,
        'hv:version': `1.${i}`,
        'sl:arch': 'x86_64',
        'sl:checksum:sha512': hex(`sum${i}`, 128),
        'sl:comments': '',
        'sl:os': 'Linux',
        'sl:osversion': 'AlmaLinux 9',
      },
    });
  }
  const created = new Date(at.getTime() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const expires = new Date(at.getTime() + 20 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'hv:imagelist': {
      'dc:date:created': created,
      'dc:date:expires': expires,
      'dc:description': 'A 10,000-image list for benchmarks',
      'dc:identifier': uuid('list'),
      'dc:source': 'https://images.example.org/',
      'dc:title': 'vmilist benchmark list',
      'hv:endorser': { 'hv:x509': { 'dc:creator': 'Alice', 'hv:ca': ca, 'hv:dn': dn, 'hv:email': 'alice@example.org' } },
      'hv:images': images,
      'hv:uri': 'https://images.example.org/bench.list',
      'hv:version': '1',
    },
  };
}

const hasTimeV = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-v', 'true']).status === 0;

/** Runs a whole process RUNS times; best wall time, and peak RSS (KiB) from /usr/bin/time -v. */
function bestProcess(cmd, args, expectOk = true) {
  let best = Infinity;
  let rss;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = hasTimeV ? spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }) : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
    const t = ms(process.hrtime.bigint() - t0);
    if (expectOk && r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
    best = Math.min(best, t);
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
    if (m) rss = Math.max(rss ?? 0, Number(m[1]));
  }
  return { best, rss };
}

async function main() {
  if (!existsSync(join(dist, 'cli.js'))) throw new Error(`no build at ${dist} (npm run build, or VMILIST_DIST=/tmp/verify-dist)`);
  if (!existsSync(trustDir)) throw new Error('vectors/trust is missing (regenerate the vectors)');
  const work = mkdtempSync(join(tmpdir(), 'vmilist-bench-'));
  try {
    const cert = join(pki, 'alice.pem');
    const key = join(pki, 'alice.key.pem');
    const at = new Date();
    const list = makeList(at, oneLine(cert, 'subject'), oneLine(cert, 'issuer'));
    const listFile = join(work, 'list.json');
    writeFileSync(listFile, `${JSON.stringify(list, null, 2)}\n`);
    const signed = join(work, 'list.smime');
    execFileSync('openssl', ['smime', '-sign', '-in', listFile, '-signer', cert, '-inkey', key, '-md', 'sha512', '-out', signed]);
    const size = readFileSync(signed).byteLength;

    // openssl wants one CA bundle and one CRL file.
    const names = readdirSync(trustDir).sort();
    const bundle = join(work, 'ca-bundle.pem');
    const crlFile = join(work, 'crls.pem');
    writeFileSync(bundle, names.filter((n) => /\.\d+$/.test(n)).map((n) => readFileSync(join(trustDir, n), 'utf8')).join(''));
    writeFileSync(crlFile, names.filter((n) => /\.r\d+$/.test(n)).map((n) => readFileSync(join(trustDir, n), 'utf8')).join(''));
    const atIso = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const atEpoch = String(Math.floor(at.getTime() / 1000));

    console.log(`signed list: ${IMAGES} images, ${(size / 1e6).toFixed(2)} MB; best of ${RUNS} runs; peak RSS ${hasTimeV ? 'from /usr/bin/time -v' : 'unavailable'}`);
    const osl = bestProcess('openssl', ['smime', '-verify', '-in', signed, '-CAfile', bundle, '-crl_check_all', '-CRLfile', crlFile, '-attime', atEpoch, '-out', '/dev/null']);
    const cliArgs = [join(dist, 'cli.js'), 'verify', signed, '--ca-dir', trustDir, '--at', atIso, '--json'];
    const cli = bestProcess(process.execPath, cliArgs);
    const empty = bestProcess(process.execPath, ['-e', '0']);

    const { verifySignedList } = await import(pathToFileURL(join(dist, 'index.js')).href);
    const { loadTrustStore } = await import(pathToFileURL(join(dist, 'node/index.js')).href);
    const store = await loadTrustStore(trustDir);
    const bytes = new Uint8Array(readFileSync(signed));
    let inproc = Infinity;
    for (let i = 0; i < RUNS; i++) {
      globalThis.gc?.();
      const t0 = process.hrtime.bigint();
      const v = await verifySignedList(bytes, { ...store, at });
      inproc = Math.min(inproc, ms(process.hrtime.bigint() - t0));
      if (v.list['hv:images'].length !== IMAGES) throw new Error('wrong image count');
    }
    const rss = process.resourceUsage().maxRSS;

    const row = (name, t, r) => console.log(`  ${name.padEnd(44)} ${t.toFixed(1).padStart(8)} ms  ${r === undefined ? '' : `${(r / 1024).toFixed(1).padStart(6)} MiB`}`);
    row('openssl smime -verify (process)', osl.best, osl.rss);
    row('node dist/cli.js verify (process)', cli.best, cli.rss);
    row('  of which: node -e 0 (startup)', empty.best, empty.rss);
    row('verifySignedList (in process, warm)', inproc, undefined);
    console.log(`  bench process peak RSS (in-process runs): ${(rss / 1024).toFixed(1)} MiB`);
    console.log(`ratio vmilist CLI / openssl: ${(cli.best / osl.best).toFixed(2)} (goal ≤ 1.0)`);
    console.log(`ratio verifySignedList / openssl: ${(inproc / osl.best).toFixed(2)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
