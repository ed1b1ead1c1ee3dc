// fetchList / fetchImage against a local server: scheme rules, redirects,
// timeouts, size caps, checksums, partial files, file:// and TLS trust.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { DEFAULT_IMAGE_DEADLINES, fetchImage, fetchList } from '../../src/node/fetch.js';
import { loadTrustStore } from '../../src/node/truststore.js';
import { startServer, type TestServer } from '../support/server.js';

const root = new URL('../..', import.meta.url).pathname;
const imageBytes = readFileSync(join(root, 'vectors/images/tiny-linux-x86_64.img'));
const sha = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');
const target = (bytes: Uint8Array, uuid = '7c9d0e1f-2a3b-4c5d-9e6f-000000001001') => ({
  'dc:identifier': uuid,
  'hv:size': bytes.byteLength,
  'sl:checksum:sha512': sha(bytes),
});

async function code(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, 'expected a rejection').toBeInstanceOf(VmiListError);
  return (e as VmiListError).code;
}

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.close());

describe('fetchList', () => {
  it('fetches over http only with allowHttp; refuses other schemes', async () => {
    server.serve('/list', 'hello');
    expect(await code(fetchList(server.url('/list')))).toBe('ERR_INPUT');
    const got = await fetchList(server.url('/list'), { allowHttp: true });
    expect(new TextDecoder().decode(got.bytes)).toBe('hello');
    expect(await code(fetchList('ftp://example.org/x'))).toBe('ERR_INPUT');
    expect(await code(fetchList('not a url'))).toBe('ERR_INPUT');
  });

  it('reads file:// URLs', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-fetch-'));
    writeFileSync(join(d, 'l.smime'), 'abc');
    const got = await fetchList(pathToFileURL(join(d, 'l.smime')).href);
    expect(Array.from(got.bytes)).toEqual([97, 98, 99]);
    expect(await code(fetchList(pathToFileURL(join(d, 'missing')).href))).toBe('ERR_IO');
    expect(await code(fetchList(pathToFileURL(join(d, 'l.smime')).href, { allowFile: false }))).toBe('ERR_INPUT');
  });

  it('follows redirects up to the limit, each hop checked', async () => {
    server.serve('/final', 'end');
    for (let i = 0; i < 7; i++) server.set(`/r${i}`, { kind: 'redirect', to: i === 6 ? '/final' : `/r${i + 1}` });
    // r0 → … → r6 → final is 7 redirects
    expect(await code(fetchList(server.url('/r0'), { allowHttp: true }))).toBe('ERR_IO');
    const ok = await fetchList(server.url('/r0'), { allowHttp: true, maxRedirects: 7 });
    expect(ok.url).toBe(server.url('/final'));
  });

  it('reports HTTP errors and caps the size', async () => {
    server.set('/500', { kind: 'status', status: 500 });
    const e = await fetchList(server.url('/500'), { allowHttp: true }).catch((x: unknown) => x as VmiListError) as VmiListError;
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toContain('HTTP 500');
    expect(e.message).toContain(server.url('/500'));
    server.serve('/big', new Uint8Array(2000));
    expect(await code(fetchList(server.url('/big'), { allowHttp: true, maxBytes: 1000 }))).toBe('ERR_TOO_LARGE');
    server.set('/big-nolen', { kind: 'bytes', body: new Uint8Array(5000), contentLength: 'omit' });
    expect(await code(fetchList(server.url('/big-nolen'), { allowHttp: true, maxBytes: 1000 }))).toBe('ERR_TOO_LARGE');
    server.set('/endless', { kind: 'endless' });
    expect(await code(fetchList(server.url('/endless'), { allowHttp: true, maxBytes: 1 << 20 }))).toBe('ERR_TOO_LARGE');
  });

  it('times out when the server stops sending', async () => {
    server.set('/hang', { kind: 'hang' });
    const t0 = Date.now();
    const e = await fetchList(server.url('/hang'), { allowHttp: true, idleTimeoutMs: 300 }).catch((x: unknown) => x as VmiListError) as VmiListError;
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toMatch(/no data for 0.3 s/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('fetchImage', () => {
  it('downloads, checks size and SHA-512, renames into place', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.set('/img', { kind: 'bytes', body: imageBytes, chunkSize: 1000, chunkDelayMs: 1 });
    const seen: number[] = [];
    const got = await fetchImage(server.url('/img'), target(imageBytes), join(d, 'out'), { allowHttp: true, onProgress: (n) => seen.push(n) });
    expect(got.sha512).toBe(sha(imageBytes));
    expect(got.size).toBe(imageBytes.byteLength);
    expect(readFileSync(join(d, 'out')).equals(imageBytes)).toBe(true);
    expect(readdirSync(d)).toEqual(['out']);
    expect(seen.at(-1)).toBe(imageBytes.byteLength);
  });

  it('a checksum mismatch leaves neither the file nor the partial', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    const bad = Buffer.from(imageBytes);
    bad[100] = (bad[100] ?? 0) ^ 1;
    server.serve('/bad', bad);
    expect(await code(fetchImage(server.url('/bad'), target(imageBytes), join(d, 'out'), { allowHttp: true }))).toBe('ERR_HASH_MISMATCH');
    expect(readdirSync(d)).toEqual([]);
  });

  it('aborts as soon as more than hv:size arrives, with or without Content-Length', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.serve('/long', Buffer.concat([imageBytes, Buffer.from('x')]));
    expect(await code(fetchImage(server.url('/long'), target(imageBytes), join(d, 'out'), { allowHttp: true }))).toBe('ERR_TOO_LARGE');
    server.set('/endless', { kind: 'endless' });
    const before = server.requests.length;
    expect(await code(fetchImage(server.url('/endless'), target(imageBytes), join(d, 'out'), { allowHttp: true }))).toBe('ERR_TOO_LARGE');
    expect(server.requests.length).toBe(before + 1);
    expect(readdirSync(d)).toEqual([]);
  });

  it('a short body is ERR_SIZE_MISMATCH', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.serve('/short', imageBytes.subarray(0, 100));
    expect(await code(fetchImage(server.url('/short'), target(imageBytes), join(d, 'out'), { allowHttp: true }))).toBe('ERR_SIZE_MISMATCH');
    expect(readdirSync(d)).toEqual([]);
  });

  it('refuses to start when free space is below hv:size', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.serve('/img2', imageBytes);
    const before = server.requests.length;
    const huge = { ...target(imageBytes), 'hv:size': Number.MAX_SAFE_INTEGER };
    const e = await fetchImage(server.url('/img2'), huge, join(d, 'out'), { allowHttp: true }).catch((x: unknown) => x as VmiListError) as VmiListError;
    expect(e.code).toBe('ERR_IO'); // a disk problem, exit 2, not a verdict on the image
    expect(e.message).toMatch(/free/);
    expect(server.requests.length).toBe(before); // nothing requested
  });

  it('uses the partial path given and removes it on failure', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.set('/hang2', { kind: 'hang' });
    const partial = join(d, 'partial', 'x.partial');
    expect(await code(fetchImage(server.url('/hang2'), target(imageBytes), join(d, 'cache', 'x'), { allowHttp: true, partialPath: partial, idleTimeoutMs: 200 }))).toBe('ERR_IO');
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(join(d, 'cache', 'x'))).toBe(false);
  });
});

describe('redirects', () => {
  it('a redirect to an invalid URL says which answer pointed where', async () => {
    server.set('/bad-redirect', { kind: 'redirect', to: 'http://exa mple.org:99999/x' });
    const e = (await fetchList(server.url('/bad-redirect'), { allowHttp: true }).catch((x: unknown) => x)) as VmiListError;
    expect(e).toBeInstanceOf(VmiListError);
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toContain(server.url('/bad-redirect'));
    expect(e.message).toMatch(/redirect to an invalid URL \(Location: "http:\/\/exa mple.org:99999\/x"\)/);
  });
});

describe('fetchImage deadlines', () => {
  it('abandons a download slower than minBytesPerSecond (1 byte/s server), removing the partial', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.set('/trickle', { kind: 'bytes', body: imageBytes, chunkSize: 1, chunkDelayMs: 1000 });
    const t0 = Date.now();
    const e = (await fetchImage(server.url('/trickle'), target(imageBytes), join(d, 'out'), { allowHttp: true, minBytesPerSecond: 100, rateWindowMs: 400 }).catch((x: unknown) => x)) as VmiListError;
    expect(e).toBeInstanceOf(VmiListError);
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toMatch(/slower than 100 bytes\/s/);
    expect(Date.now() - t0).toBeLessThan(20_000); // bounded, not the ~12 h the trickle would take
    expect(readdirSync(d)).toEqual([]);
  });

  it('abandons a download that exceeds its total time even while bytes keep coming', async () => {
    const d = mkdtempSync(join(tmpdir(), 'vmilist-img-'));
    server.set('/trickle2', { kind: 'bytes', body: imageBytes, chunkSize: 64, chunkDelayMs: 20 });
    const e = (await fetchImage(server.url('/trickle2'), target(imageBytes), join(d, 'out'), { allowHttp: true, timeoutMs: 500, minBytesPerSecond: 0 }).catch((x: unknown) => x)) as VmiListError;
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toMatch(/within 0.5 s/);
    expect(readdirSync(d)).toEqual([]);
  });

  it('has a throughput floor and a total limit by default', () => {
    expect(DEFAULT_IMAGE_DEADLINES.minBytesPerSecond).toBeGreaterThan(0);
    expect(DEFAULT_IMAGE_DEADLINES.rateWindowMs).toBeGreaterThan(0);
    expect(DEFAULT_IMAGE_DEADLINES.timeoutMs).toBeGreaterThan(0);
  });
});

describe('TLS', () => {
  let tlsServer: TestServer;
  let ca: Uint8Array[];
  const canSign = existsSync(join(root, 'vectors/pki/intermediate.key.pem'));

  beforeAll(async () => {
    if (!canSign) return;
    // a host certificate for 127.0.0.1 issued by the vectors' grid CA (an IGTF-style CA)
    const d = mkdtempSync(join(tmpdir(), 'vmilist-tls-'));
    const run = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'pipe' });
    run('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-subj', '/DC=org/DC=vmilist-test/OU=Hosts/CN=127.0.0.1', '-out', 'req.pem');
    writeFileSync(join(d, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    run('x509', '-req', '-in', 'req.pem', '-CA', join(root, 'vectors/pki/intermediate.pem'), '-CAkey', join(root, 'vectors/pki/intermediate.key.pem'), '-set_serial', '0x7001', '-days', '30', '-extfile', 'ext.cnf', '-out', 'cert.pem');
    const chain = readFileSync(join(d, 'cert.pem'), 'utf8') + readFileSync(join(root, 'vectors/pki/intermediate.pem'), 'utf8');
    tlsServer = await startServer({ tls: { key: readFileSync(join(d, 'key.pem'), 'utf8'), cert: chain } });
    tlsServer.serve('/list', 'over tls');
    ca = (await loadTrustStore(join(root, 'vectors/trust'))).trustAnchors.map((c) => c as Uint8Array);
  });
  afterAll(async () => tlsServer?.close());

  it.skipIf(!canSign)('refuses a server whose CA is not trusted (system roots only)', async () => {
    const e = await fetchList(tlsServer.url('/list')).catch((x: unknown) => x as VmiListError) as VmiListError;
    expect(e.code).toBe('ERR_IO');
    expect(e.message).toMatch(/CERT|certificate|issuer/i);
    const e2 = await fetchList(tlsServer.url('/list'), { ca: [] }).catch((x: unknown) => x as VmiListError) as VmiListError;
    expect(e2.code).toBe('ERR_IO');
  });

  it.skipIf(!canSign)('accepts it with the IGTF CA directory added to the roots', async () => {
    const got = await fetchList(tlsServer.url('/list'), { ca });
    expect(new TextDecoder().decode(got.bytes)).toBe('over tls');
  });

  it.skipIf(!canSign)('refuses a redirect from https to plain http unless allowHttp', async () => {
    server.serve('/plain', 'plain');
    tlsServer.set('/to-http', { kind: 'redirect', to: server.url('/plain') });
    const e = (await fetchList(tlsServer.url('/to-http'), { ca }).catch((x: unknown) => x)) as VmiListError;
    expect(e.code).toBe('ERR_INPUT');
    expect(e.message).toContain(`reached from ${tlsServer.url('/to-http')}`);
    const ok = await fetchList(tlsServer.url('/to-http'), { ca, allowHttp: true });
    expect(new TextDecoder().decode(ok.bytes)).toBe('plain');
  });
});
