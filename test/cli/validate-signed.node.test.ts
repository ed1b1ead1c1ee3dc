// `vmilist validate` on signed messages checks the signed content — what
// `verify` would check — never a MIME preamble, and reads opaque messages.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmilist } from '../support/cli.js';
import { ROOT } from '../support/server.js';

const signed = (name: string): string => readFileSync(join(ROOT, 'vectors/signed', name), 'latin1');
const boundaryOf = (msg: string): string => (/boundary="([^"]+)"/.exec(msg) as RegExpExecArray)[1] as string;

describe('vmilist validate <signed message>', () => {
  const work = mkdtempSync(join(tmpdir(), 'vmilist-validate-'));
  const write = (name: string, text: string): string => {
    const p = join(work, name);
    writeFileSync(p, text, 'latin1');
    return p;
  };

  it('checks the signed part, not JSON placed in the MIME preamble', async () => {
    const msg = signed('alice-sha512.smime');
    const b = boundaryOf(msg);
    // a valid-looking list in the preamble, the real signed part intact
    const good = write('preamble.smime', msg.replace(`--${b}\n`, `{"hv:imagelist": {}}\n--${b}\n`));
    const r = await vmilist(['validate', good, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, identifier: '5e0f1a2b-3c4d-4e5f-8a6b-000000000001', images: 2 });
    // the signed part of bad-uuid with the preamble of a good list: refused, naming the field
    const bad = signed('bad-uuid.smime');
    const bb = boundaryOf(bad);
    const list = readFileSync(join(ROOT, 'vectors/lists/alice.json'), 'utf8');
    const r2 = await vmilist(['validate', write('bad.smime', bad.replace(`--${bb}\n`, `${list}\n--${bb}\n`))]);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/ERR_SCHEMA_INVALID.*hv:images\/0\/hv:image\/dc:identifier/);
  });

  it('reads the content inside an opaque (application/pkcs7-mime) message', async () => {
    const r = await vmilist(['validate', join(ROOT, 'vectors/signed/alice-opaque.smime'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).version).toBe('1.0.0');
  });

  it('reports JSON syntax errors of the signed part with the line of the file', async () => {
    const msg = signed('alice-sha512.smime');
    const lines = msg.split('\n');
    const at = lines.findIndex((l) => l.includes('"hv:version"'));
    lines[at] = (lines[at] as string).replace('"hv:version"', '"hv:version" "oops"');
    const r = await vmilist(['validate', write('syntax.smime', lines.join('\n'))]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`line ${at + 1},`);
  });
});
