// Runs every case of vectors/manifest.json through the PUBLIC entry
// (dist/index.js) and prints one JSON line per case: {name, ok, code, signer}.
// Runs unchanged under Node, Deno and Bun (only fetch-free, fs-free code in
// the library; file reading here uses each runtime's own API).
// Exits 1 when any case's verdict differs from the manifest's.
// Usage: node|bun test/runtimes/manifest-verdicts.mjs [MANIFEST]
//        deno run --allow-read test/runtimes/manifest-verdicts.mjs [MANIFEST]
// MANIFEST (default vectors/manifest.json) names files relative to vectors/.
import * as vmilist from '../../dist/index.js';

const root = new URL('../../vectors/', import.meta.url);

async function read(path) {
  const url = new URL(path, root);
  if (typeof Deno !== 'undefined') return Deno.readFile(url);
  if (typeof Bun !== 'undefined') return new Uint8Array(await Bun.file(url).arrayBuffer());
  const { readFile } = await import('node:fs/promises');
  return new Uint8Array(await readFile(url));
}
const text = async (p) => new TextDecoder().decode(await read(p));

const args = typeof Deno !== 'undefined' ? Deno.args : globalThis.process.argv.slice(2);
const manifestUrl = args[0] ? new URL(args[0], `file://${typeof Deno !== 'undefined' ? Deno.cwd() : globalThis.process.cwd()}/`) : new URL('manifest.json', root);
const manifest = JSON.parse(new TextDecoder().decode(await read(manifestUrl.href)));
const trustCache = new Map();
async function trust(name) {
  if (!trustCache.has(name)) {
    const t = manifest.trustSets[name];
    trustCache.set(name, {
      trustAnchors: await Promise.all((t.anchors ?? []).map(read)),
      intermediates: await Promise.all((t.intermediates ?? []).map(read)),
      crls: await Promise.all((t.crls ?? []).map(read)),
      namespaces: await Promise.all(
        (t.namespaces ?? []).map(async (n) => ({ name: n.file.split('/').pop(), format: n.format, text: await text(n.file) })),
      ),
    });
  }
  return trustCache.get(name);
}

let mismatches = 0;
for (const c of manifest.cases) {
  const msg = await read(c.file);
  const input = c.content ? { cms: msg, content: await read(c.content) } : msg;
  let out;
  try {
    const v = await vmilist.verifySignedList(input, { ...(await trust(c.trust)), at: c.at ?? manifest.at, ...(c.options ?? {}) });
    out = { name: c.name, ok: true, signer: v.signer.dn };
  } catch (e) {
    out = { name: c.name, ok: false, code: e?.code ?? `NOT_A_VMILIST_ERROR: ${e}` };
  }
  const wantSigner = c.expect.signer?.dn ?? c.expect.signer;
  const expected = c.expect.ok ? out.ok === true && (wantSigner === undefined || out.signer === wantSigner) : out.code === c.expect.code;
  if (!expected) mismatches++;
  console.log(JSON.stringify({ ...out, expected }));
}
console.log(JSON.stringify({ summary: true, cases: manifest.cases.length, mismatches }));
// a mismatch must fail the run (CI reads the status, not the lines); Deno has no process global by default
if (mismatches > 0) {
  if (typeof Deno !== 'undefined') Deno.exit(1);
  else globalThis.process.exitCode = 1;
}
