/**
 * A local HTTP(S) server for tests (node:http on 127.0.0.1, port 0): serves
 * byte arrays at paths that tests set and change, with redirects, errors,
 * slow or oversized bodies, and a request log.
 */
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

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
