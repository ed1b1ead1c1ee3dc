// Untrusted text (list fields, MIME headers, URLs) never reaches a terminal
// raw: control bytes and escape sequences are shown escaped, so a hostile
// list cannot clear the screen, set the window title or overwrite a verdict.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sanitizeForTerminal } from '../../src/cli/sanitize.js';
import { bundleCli, runBundled } from '../support/bundled-cli.js';
import { ROOT } from '../support/server.js';

// C0 controls except tab and newline, DEL, C1 controls, bidi overrides
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let work: string;
let cli: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vmilist-term-'));
  cli = await bundleCli(work);
});

describe('sanitizeForTerminal', () => {
  it('escapes control bytes and escape sequences, keeps text, newlines and tabs', () => {
    expect(sanitizeForTerminal('a\u001b[2Jb\u0007c\rd\u009be\u202ef\tg\nh é ✓')).toBe('a\\u001b[2Jb\\u0007c\\u000dd\\u009be\\u202ef\tg\nh é ✓');
    expect(sanitizeForTerminal('plain text')).toBe('plain text');
  });

  it('leaves JSON output meaning the same (its escapes are JSON escapes)', () => {
    const value = { title: 'x\u0085y\u202ez' };
    expect(JSON.parse(sanitizeForTerminal(JSON.stringify(value)))).toEqual(value);
  });
});

describe('the CLI prints untrusted text escaped', () => {
  it('a MIME boundary with ESC[2J and an OSC title sequence, in verify and validate errors', async () => {
    const evil = join(work, 'evil.smime');
    writeFileSync(evil, 'MIME-Version: 1.0\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-512; boundary="\u001b[2J\u001b]0;pwned\u0007evil"\n\nno parts here\n');
    for (const args of [['verify', evil, '--ca-dir', join(ROOT, 'vectors/trust')], ['verify', evil, '--json', '--ca-dir', join(ROOT, 'vectors/trust')]]) {
      const r = await runBundled(cli, args);
      expect(r.code).toBe(1);
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/boundary/);
      expect(out).not.toMatch(RAW_CONTROL);
      expect(out).toContain('\\u001b[2J');
    }
  });

  it('a file name with control bytes in an error', async () => {
    const r = await runBundled(cli, ['validate', join(work, 'no\u001b[31mfile\u0007.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERR_IO/);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
  });
});
