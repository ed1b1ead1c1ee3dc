// The endorser-side commands (template, image, add, validate) and how the CLI
// treats bad input: one line naming the file/field and the code, no stack.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, openSync, ftruncateSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, test } from 'vitest';
import { vmilist } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vmilist-cli-'));
// written by the project (test/fixtures/README.md), so the test runs from a clone
const damaged = readFileSync(new URL('../fixtures/damaged-signed-example.txt', import.meta.url), 'utf8');

const env = {
  HVMIL_DC_TITLE: 'Test list',
  HVMIL_DC_DESCRIPTION: 'built by the CLI test',
  HVMIL_DC_SOURCE: 'vmilist-test',
  HVMIL_HV_URI: 'https://example.org/list.smime',
  HVMILE_DC_CREATOR: 'Alice Endorser',
  HVMILE_HV_DN: '/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser',
  HVMILE_HV_CA: '/DC=org/DC=vmilist-test/CN=Test Grid CA',
  HVMILE_HV_EMAIL: 'alice@example.org',
  HVMILI_DC_TITLE: 'Tiny image',
  HVMILI_DC_DESCRIPTION: 'bytes',
  HVMILI_HV_URI: 'https://example.org/tiny.img',
  HVMILI_HV_HYPERVISOR: 'kvm',
  HVMILI_SL_ARCH: 'x86_64',
  HVMILI_SL_OS: 'Linux',
  HVMILI_SL_OSVERSION: 'SL 5.5',
  HVMILI_SL_COMMENTS: 'none',
};

describe('vmilisttool flow: template → image → add → validate', () => {
  const img = join(dir, 'tiny.img');
  beforeAll(() => writeFileSync(img, Buffer.alloc(100_000, 7)));

  test('builds a valid list from environment defaults', async () => {
    const t = await vmilist(['template', '-o', 'list.json'], { env, cwd: dir });
    expect(t.code).toBe(0);
    const i = await vmilist(['image', 'tiny.img', '--generate', 'meta.json', '--json'], { env, cwd: dir });
    expect(i.code).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    expect(meta['hv:image']['hv:size']).toBe(100_000);
    expect(meta['hv:image']['sl:checksum:sha512']).toBe(createHash('sha512').update(readFileSync(img)).digest('hex'));
    const a = await vmilist(['add', 'list.json', 'meta.json', '-o', 'merged.json', '--json'], { env, cwd: dir });
    expect(JSON.parse(a.stdout)).toMatchObject({ ok: true, added: [meta['hv:image']['dc:identifier']], nullFields: [] });
    const v = await vmilist(['validate', 'merged.json', '--json', '--strict'], { cwd: dir });
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, images: 1, version: '1', warnings: [] });
  });

  test('validate reports every field still null', async () => {
    await vmilist(['template', '-o', 'bare.json'], { cwd: dir });
    const v = await vmilist(['validate', 'bare.json'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(/ERR_SCHEMA_INVALID: bare\.json: 8 field\(s\) still null/);
    expect(v.stderr).toContain('/hv:imagelist/hv:endorser/hv:x509/hv:dn: is still null');
  });
});

describe('a signed part damaged in transfer', () => {
  // A 10-digit first UUID group and a checksum broken across a line (see test/fixtures/README.md).
  const message = damaged;
  test('is refused with the line of the broken checksum', async () => {
    writeFileSync(join(dir, 'seed.smime'), message);
    const r = await vmilist(['validate', 'seed.smime'], { cwd: dir });
    expect(r.code).toBe(1);
    const lines = message.split('\n');
    const broken = lines.findIndex((l) => /^"3e6c8e7e/.test(l)) + 1;
    expect(r.stderr).toMatch(new RegExp(`ERR_JSON_MALFORMED: seed\\.smime: line ${broken}, column \\d+: control character.*\\(in /hv:images/0/hv:image/sl:checksum:sha512\\)`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
  test('with the checksum mended, the 9-digit UUID is named by its field', async () => {
    writeFileSync(join(dir, 'seed2.smime'), message.replace(/81eefd8f\n5c2366/, '81eefd8f5c2366'));
    const r = await vmilist(['validate', 'seed2.smime', '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.error.code).toBe('ERR_SCHEMA_INVALID');
    expect(out.error.message).toContain('/hv:imagelist/hv:images/0/hv:image/dc:identifier');
  });
});

describe('bad input as a new user tries it', () => {
  const good = JSON.stringify({ 'hv:imagelist': { 'dc:identifier': '4e186b44-2c64-40ea-97d5-e9e5c0bce059', 'dc:date:created': '2026-01-01T00:00:00Z', 'dc:date:expires': '2026-02-01T00:00:00Z', 'hv:version': '1', 'hv:endorser': { 'hv:x509': { 'hv:dn': '/CN=a', 'hv:ca': '/CN=b' } }, 'hv:images': [] } }, null, 2);
  const cases: [string, () => string, number, RegExp][] = [
    ['a missing file', () => 'nope.json', 2, /^vmilist validate: ERR_IO: cannot read nope\.json: no such file or directory$/],
    ['a directory', () => '.', 2, /^vmilist validate: ERR_IO: cannot read \.: is a directory$/],
    ['not JSON', () => write('notjson.txt', 'hello world\n'), 1, /^vmilist validate: ERR_JSON_MALFORMED: notjson\.txt: no JSON object found$/],
    ['truncated JSON', () => write('trunc.json', good.slice(0, 120)), 1, /^vmilist validate: ERR_JSON_MALFORMED: trunc\.json: line \d+, column \d+: /],
    ['a wrong field type', () => write('types.json', good.replace('"hv:version": "1"', '"hv:version": 1')), 1, /^vmilist validate: ERR_SCHEMA_INVALID: types\.json: \/hv:imagelist\/hv:version must be a string$/],
    ['binary garbage', () => write('garbage.bin', Buffer.from([0x7b, 0xff, 0xfe, 0x00])), 1, /^vmilist validate: ERR_JSON_MALFORMED: garbage\.bin: is not valid UTF-8$/],
  ];
  for (const [what, make, code, re] of cases) {
    test(`${what}: exit ${code}, one line`, async () => {
      const r = await vmilist(['validate', make()], { cwd: dir });
      expect(r.code).toBe(code);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(re);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  test('a 100 MB file is refused as too large, without a stack trace, by the real binary', () => {
    const big = join(dir, 'big.json');
    const fd = openSync(big, 'w');
    ftruncateSync(fd, 100 * 1024 * 1024);
    closeSync(fd);
    const bin = new URL('../../dist/cli.cjs', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bin, 'validate', big], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ERR_JSON_MALFORMED: .*big\.json is 104857600 bytes, too large: over the limit of 67108864 bytes/);
  });

  test('usage errors exit 2 and say what is expected', async () => {
    expect((await vmilist(['validate'])).code).toBe(2);
    expect((await vmilist(['validate', 'a', 'b'])).stderr).toMatch(/ERR_INPUT: expected 1 argument; usage: vmilist validate/);
    expect((await vmilist(['frobnicate'])).stderr).toMatch(/unknown command 'frobnicate'/);
    expect((await vmilist(['validate', '--bogus', 'x'])).code).toBe(2);
    expect((await vmilist(['validate', '--bogus', 'x', '--json'])).stdout).toMatch(/^\{"ok":false,"error":\{"code":"ERR_INPUT"/);
  });

  test('every command has help', async () => {
    const top = await vmilist(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['template', 'image', 'add', 'validate', 'sign', 'verify']) {
      expect(top.stdout).toContain(name);
      const h = await vmilist([name, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout).toMatch(/Usage: vmilist|vmilist /);
    }
  });
});

function write(name: string, data: string | Buffer): string {
  writeFileSync(join(dir, name), data);
  return name;
}

describe('verify given an unsigned list', () => {
  test('says the input is not signed and points to validate (ERR_MIME_MALFORMED)', async () => {
    const list = new URL('../../vectors/lists/alice.json', import.meta.url).pathname;
    const ca = new URL('../../vectors/trust', import.meta.url).pathname;
    const r = await vmilist(['verify', list, '--ca-dir', ca, '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.error.code).toBe('ERR_MIME_MALFORMED');
    expect(out.error.message).toMatch(/not signed: it is plain JSON.*vmilist validate/);
    const plain = await vmilist(['verify', list, '--ca-dir', ca], { cwd: dir });
    expect(plain.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(plain.stderr).toMatch(/ERR_MIME_MALFORMED: .*the input is not signed/);
  });
});
