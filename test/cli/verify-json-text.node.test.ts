// `vmilist verify --json` prints the list as it was signed (made one line)
// where that text is exactly the verified list and safe for a terminal, and
// serialises the parsed list otherwise. Each case is signed by openssl
// (-binary: the content is these bytes) and verified twice: in process (the
// test context takes text) and as a real process (stdout takes the bytes as
// they are); both must print the same line, whose value must be the list
// that verifySignedList returns. The cases on the fallback side are what
// must not be printed as written: a rewritten dialect, non-ASCII, DEL, a
// bare CR, another top-level key, an escaped key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignedList } from '../../src/smime/verify.js';
import { loadTrustStore } from '../../src/node/truststore.js';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { runCli } from '../../src/cli/main.js';
import { sanitizeForTerminal } from '../../src/cli/sanitize.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const V = join(ROOT, 'vectors');
const TRUST = join(V, 'trust');
const AT = '2026-06-01T00:00:00Z';
const dir = mkdtempSync(join(tmpdir(), 'vmilist-json-text-'));
let cli = '';
beforeAll(async () => {
  cli = await bundleCli(dir);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const doc = JSON.parse(readFileSync(join(V, 'lists/alice.json'), 'utf8')) as { 'hv:imagelist': Record<string, unknown> };
const list = doc['hv:imagelist'];
const image0 = (list['hv:images'] as { 'hv:image': Record<string, unknown> }[])[0]?.['hv:image'] as Record<string, unknown>;
const withImage = (change: Record<string, unknown>) => ({
  'hv:imagelist': { ...list, 'hv:images': [{ 'hv:image': { ...image0, ...change } }, ...(list['hv:images'] as unknown[]).slice(1)] },
});

/** Signs `content` exactly as given (openssl smime -sign -binary, detached). */
function sign(name: string, content: string | Uint8Array): string {
  const inFile = join(dir, `${name}.json`);
  const out = join(dir, `${name}.smime`);
  writeFileSync(inFile, content);
  execFileSync('openssl', ['smime', '-sign', '-binary', '-md', 'sha256', '-in', inFile, '-out', out, '-signer', join(V, 'pki/alice.pem'), '-inkey', join(V, 'pki/alice.key.pem')]);
  return out;
}

async function bothWays(file: string): Promise<{ line: string; expected: unknown }> {
  const args = ['verify', file, '--ca-dir', TRUST, '--at', AT, '--json'];
  // in process, with text output sanitised as the real context does (and no byte writer)
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env: {}, cwd: dir, stdout: (t) => (stdout += sanitizeForTerminal(t)), stderr: (t) => (stderr += t), isTTY: false, now: () => new Date(AT) });
  const inProcess = { code, stdout, stderr };
  const child = await runBundled(cli, args, { env: { VMILIST_COMPILE_CACHE: '0' } });
  expect(inProcess.code, inProcess.stderr).toBe(0);
  expect(child.code, child.stderr).toBe(0);
  // the same line from both, and only one
  expect(child.stdout).toBe(inProcess.stdout);
  expect(child.stdout.endsWith('\n')).toBe(true);
  const line = child.stdout.slice(0, -1);
  expect(line).not.toMatch(/[\r\n\u0000-\u0008\u000b-\u001f\u007f]/);
  const verified = await verifySignedList(new Uint8Array(readFileSync(file)), { ...(await loadTrustStore(TRUST)), at: new Date(AT) });
  const printed = JSON.parse(line) as { ok: boolean; list: unknown };
  expect(printed.ok).toBe(true);
  expect(printed.list).toEqual(JSON.parse(JSON.stringify(verified.list)));
  return { line, expected: verified.list };
}

describe('vmilist verify --json: the list as signed, or serialised', () => {
  const asWritten: [string, string | Uint8Array][] = [
    ['indented with spaces, LF', JSON.stringify(doc, null, 4)],
    ['indented with tabs, CRLF, trailing blanks', `${JSON.stringify(doc, null, '\t').replace(/\n/g, ' \t\r\n')}\r\n`],
    ['one line', JSON.stringify(doc)],
    ['after a byte-order mark, spaces around the wrapper key', `\uFEFF {  "hv:imagelist" :\n${JSON.stringify(list, null, 1)}\n}\n`],
  ];
  for (const [name, content] of asWritten) {
    it(`prints as written: ${name}`, async () => {
      const { line } = await bothWays(sign(name.replace(/\W+/g, '-'), content));
      // the signed text's own spacing is kept, where a serialised list has none
      if (name !== 'one line') expect(line).toMatch(/"dc:identifier" ?: /);
      expect(line.startsWith('{"ok":true,"list":{')).toBe(true);
    });
  }

  const serialised: [string, string | Uint8Array][] = [
    ['a rewritten dialect (size as a string)', JSON.stringify(withImage({ 'hv:size': String(image0['hv:size']) }), null, 2)],
    ['non-ASCII text', JSON.stringify(withImage({ 'dc:description': 'Images für Ärzte' }), null, 2)],
    ['a DEL character in a string', JSON.stringify(withImage({ 'dc:description': 'del\u007fhere' }), null, 2)],
    ['a carriage return not before a line feed', JSON.stringify(doc, null, 2).replace(/\n/g, '\r')],
    ['another top-level key', JSON.stringify({ ...doc, 'x:note': 'kept' }, null, 2)],
    ['the wrapper key written with an escape', JSON.stringify(doc, null, 2).replace('"hv:imagelist"', '"hv\\u003aimagelist"')],
  ];
  for (const [name, content] of serialised) {
    it(`serialises: ${name}`, async () => {
      const { line } = await bothWays(sign(name.replace(/\W+/g, '-'), content));
      expect(line).not.toMatch(/"dc:identifier" ?: /);
    });
  }
});
