// `vmilist verify <url>`: fetched with the same downloader as the subscriber
// (https only unless --allow-http, size cap), then verified as a file is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmilist } from '../support/cli.js';
import { ROOT, startServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.serve('/alice.smime', readFileSync(join(ROOT, 'vectors/signed/alice-sha512.smime')));
  server.serve('/tampered.smime', readFileSync(join(ROOT, 'vectors/signed/tampered-content.smime')));
});
afterAll(async () => server.close());

describe('vmilist verify <url>', () => {
  const trust = ['--ca-dir', join(ROOT, 'vectors/trust'), '--at', '2026-06-01T00:00:00Z'];

  it('refuses plain http unless --allow-http, as a usage error', async () => {
    const r = await vmilist(['verify', server.url('/alice.smime'), ...trust]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERR_INPUT.*only https/);
  });

  it('verifies a list fetched over http with --allow-http, and refuses a tampered one', async () => {
    const ok = await vmilist(['verify', server.url('/alice.smime'), '--allow-http', ...trust, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).signer.dn).toBe('/DC=org/DC=vmilist-test/OU=Users/CN=Alice Endorser');
    const bad = await vmilist(['verify', server.url('/tampered.smime'), '--allow-http', ...trust]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ERR_SIGNATURE_INVALID/);
  });

  it('a missing list is an I/O error naming the URL', async () => {
    const r = await vmilist(['verify', server.url('/nothing.smime'), '--allow-http', ...trust]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(server.url('/nothing.smime'));
  });
});
