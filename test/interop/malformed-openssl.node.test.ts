// The verdicts of test/unit/malformed-input.test.ts checked against openssl
// on the same bytes: what openssl cannot read as S/MIME ("Error reading
// S/MIME message") vmilist calls ERR_MIME_MALFORMED; what openssl reads but
// cannot verify vmilist calls ERR_SIGNATURE_INVALID.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VmiListError, verifySignature } from '../../src/index.js';
import { malformedCases } from '../support/malformed.js';
import { run } from './tools.js';

const haveOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!haveOpenssl) console.warn('openssl is not on PATH: the openssl cross-check of malformed input is skipped');
const dir = mkdtempSync(join(tmpdir(), 'vmilist-malformed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cases = await malformedCases();

describe.skipIf(!haveOpenssl)('openssl smime -verify agrees on malformed input', () => {
  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, i) => {
    const file = join(dir, `case-${i}.smime`);
    writeFileSync(file, c.message);
    // -noverify: the question here is the message and its signature, not the chain
    const r = run('openssl', ['smime', '-verify', '-noverify', '-in', file, '-out', join(dir, 'out')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(c.openssl);
    const ours = await verifySignature(c.message).catch((e: unknown) => e);
    expect(ours).toBeInstanceOf(VmiListError);
    expect((ours as VmiListError).code).toBe(c.code);
  });
});
