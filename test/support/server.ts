/**
 * A local HTTP(S) server for tests (node:http on 127.0.0.1, port 0): serves
 * byte arrays at paths that tests set and change, with redirects, errors,
 * slow or oversized bodies, and a request log; and signed test lists to serve
 * (made with openssl and the vectors' test PKI, as the Python tools sign).
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the server answers at one path. */
export type Route =
  | { kind: 'bytes'; body: Uint8Array; status?: number; contentLength?: number | 'omit'; chunkDelayMs?: number; chunkSize?: number }
  | { kind: 'redirect'; to: string; status?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'endless'; chunkSize?: number };

/** A running test server. */
export interface TestServer {
  /** `http://127.0.0.1:<port>` (or https). */
  readonly origin: string;
  /** `origin + path`. */
  url(path: string): string;
  /** Sets what `path` answers. */
  set(path: string, route: Route): void;
  /** Shorthand: `path` answers `body` with 200. */
  serve(path: string, body: Uint8Array | string): void;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Options: TLS key and certificate make it an https server. */
export interface TestServerOptions {
  tls?: { key: string; cert: string };
}

/** Starts a server on 127.0.0.1 and an ephemeral port. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const open = new Set<ServerResponse>();

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push(path);
    const route = routes.get(path);
    open.add(res);
    res.on('close', () => open.delete(res));
    if (!route) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    switch (route.kind) {
      case 'status':
        res.statusCode = route.status;
        res.end(`status ${route.status}`);
        return;
      case 'redirect':
        res.statusCode = route.status ?? 302;
        res.setHeader('location', route.to);
        res.end();
        return;
      case 'hang':
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write('x');
        return; // never ends
      case 'endless': {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        const chunk = Buffer.alloc(route.chunkSize ?? 65536, 0x61);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {
            /* fill the buffer */
          }
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      case 'bytes': {
        const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
        if (route.contentLength !== 'omit') headers['content-length'] = String(route.contentLength ?? route.body.byteLength);
        res.writeHead(route.status ?? 200, headers);
        if (!route.chunkDelayMs) {
          res.end(route.body);
          return;
        }
        const size = route.chunkSize ?? 1024;
        let off = 0;
        const next = () => {
          if (res.destroyed) return;
          if (off >= route.body.byteLength) {
            res.end();
            return;
          }
          res.write(route.body.subarray(off, off + size));
          off += size;
          setTimeout(next, route.chunkDelayMs);
        };
        next();
        return;
      }
    }
  };

  const server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    url: (p) => `${origin}${p}`,
    set: (p, route) => void routes.set(p, route),
    serve: (p, body) => void routes.set(p, { kind: 'bytes', body: typeof body === 'string' ? new TextEncoder().encode(body) : body }),
    requests,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy();
        server.closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------- publishing signed lists for the server


/** The project root. */
export const ROOT = new URL('../..', import.meta.url).pathname;

/** An endorser of the test PKI (vectors/pki). */
export type TestSigner = 'alice' | 'bob';

const ENDORSERS: Record<TestSigner, unknown> = {
  alice: JSON.parse(readFileSync(join(ROOT, 'vectors/lists/alice.json'), 'utf8'))['hv:imagelist']['hv:endorser'],
  bob: JSON.parse(readFileSync(join(ROOT, 'vectors/lists/bob.json'), 'utf8'))['hv:imagelist']['hv:endorser'],
};

/** Image metadata for `bytes`, served from `uri`. */
export function imageEntry(uuid: string, bytes: Uint8Array, uri: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'hv:image': {
      'dc:identifier': uuid,
      'dc:title': `image ${uuid.slice(-4)}`,
      'dc:description': '',
      'hv:hypervisor': 'kvm',
      'hv:size': bytes.byteLength,
      'hv:uri': uri,
      'hv:version': '1.0.0',
      'sl:arch': 'x86_64',
      'sl:checksum:sha512': createHash('sha512').update(bytes).digest('hex'),
      'sl:os': 'Linux',
      'sl:osversion': 'TinyLinux 1.0',
      ...extra,
    },
  };
}

/** An image list document (`{"hv:imagelist": …}`) endorsed by `signer`. */
export function listDocument(opts: {
  id: string;
  version: string;
  images: Record<string, unknown>[];
  created?: string;
  expires?: string;
  signer?: TestSigner;
}): Record<string, unknown> {
  return {
    'hv:imagelist': {
      'dc:date:created': opts.created ?? '2026-01-01T00:00:00Z',
      'dc:date:expires': opts.expires ?? '2040-01-01T00:00:00Z',
      'dc:description': 'vmilist subscriber test list',
      'dc:identifier': opts.id,
      'dc:source': 'vmilist-test.org',
      'dc:title': 'Subscriber test list',
      'hv:endorser': ENDORSERS[opts.signer ?? 'alice'],
      'hv:images': opts.images,
      'hv:version': opts.version,
    },
  };
}

/** Signs a list document with openssl as the Python tools do (multipart/signed, SHA-512). */
export function signWithOpenssl(doc: unknown, signer: TestSigner = 'alice'): Uint8Array {
  const d = mkdtempSync(join(tmpdir(), 'vmilist-sign-'));
  writeFileSync(join(d, 'list.json'), `${JSON.stringify(doc, null, 2)}\n`);
  execFileSync('openssl', ['smime', '-sign', '-in', 'list.json', '-signer', join(ROOT, `vectors/pki/${signer}.pem`), '-inkey', join(ROOT, `vectors/pki/${signer}.key.pem`), '-md', 'sha512', '-out', 'list.smime'], { cwd: d, stdio: 'pipe' });
  return new Uint8Array(readFileSync(join(d, 'list.smime')));
}
