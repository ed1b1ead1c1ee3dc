/**
 * Downloads for the subscriber: signed lists and images, over the built-in
 * `fetch` (or over `node:https` with extra CA certificates, e.g. an IGTF CA
 * directory, added to the system roots), with timeouts, a redirect limit,
 * https only unless `allowHttp`, and `file://` URLs. Images are size-capped
 * at `hv:size` (aborted as soon as it is exceeded), bounded in time (a
 * throughput floor and a total limit), hashed with SHA-512 while they are
 * written to a partial file private to the run (unique name, created
 * exclusively, so no other run can write into it), and renamed into place
 * only when size and checksum match; the partial file is removed on any failure.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, stat, statfs, unlink } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concatBytes } from '../encoding/concat.js';
import { VmiListError } from '../errors.js';
import { DEFAULT_MAX_LIST_BYTES } from '../model/json.js';
import { tempNameFor } from './temp-files.js';
import type { Image } from '../model/types.js';

/** Options shared by {@link fetchList} and {@link fetchImage}. */
export interface FetchOptions {
  /** Allow plain `http://` URLs (and redirects to them). Default false: https and file only. */
  readonly allowHttp?: boolean;
  /** Allow `file://` URLs. Default true. */
  readonly allowFile?: boolean;
  /** Give up when no byte arrives for this long, ms. Default 60 000. */
  readonly idleTimeoutMs?: number;
  /** Give up when the whole transfer takes longer, ms. Default: 10 min for lists, 12 h for images. */
  readonly timeoutMs?: number;
  /**
   * Give up when fewer than this many bytes per second arrive, averaged over
   * `rateWindowMs` (a trickling server keeps the idle timer quiet). 0: no
   * floor. Default: none for lists (they are small and have `timeoutMs`), 1 KiB/s for images.
   */
  readonly minBytesPerSecond?: number;
  /** The window `minBytesPerSecond` is averaged over, ms. Default 120 000. */
  readonly rateWindowMs?: number;
  /** Most redirects followed. Default 5. */
  readonly maxRedirects?: number;
  /**
   * Extra CA certificates (PEM text or DER) trusted for TLS in addition to the
   * system roots, e.g. the CAs of an IGTF directory. When given, https goes
   * through `node:https` (the built-in `fetch` cannot take CAs in Node 20).
   */
  readonly ca?: readonly (string | Uint8Array)[];
  /** Aborts the transfer. */
  readonly signal?: AbortSignal;
  /** Called with bytes received so far and the expected total. */
  readonly onProgress?: (done: number, total?: number) => void;
  /** A `fetch` to use instead of the global one (tests, proxies). */
  readonly fetch?: typeof fetch;
}

/** Options for {@link fetchList}. */
export interface FetchListOptions extends FetchOptions {
  /** Largest accepted list, bytes. Default 64 MiB. */
  readonly maxBytes?: number;
}

/** A fetched list: its bytes and where they finally came from. */
export interface FetchedList {
  readonly bytes: Uint8Array;
  /** The URL after redirects. */
  readonly url: string;
}

/** Options for {@link fetchImage}. */
export interface FetchImageOptions extends FetchOptions {
  /**
   * Where the download goes until it is verified; created exclusively (it
   * must not exist). Default: a name beside `dest` unique to this run
   * (`.<name>.<host>-<pid>.<random>.partial`).
   */
  readonly partialPath?: string;
  /** Check free space against `hv:size` before starting. Default true. */
  readonly checkFreeSpace?: boolean;
  /** Free space to leave on the file system beyond the image, bytes. Default 0. */
  readonly reserveBytes?: number;
}

/** A downloaded, verified image. */
export interface FetchedImage {
  /** The final path (`dest`). */
  readonly path: string;
  readonly size: number;
  /** SHA-512, lower-case hex. */
  readonly sha512: string;
  /** The URL after redirects. */
  readonly url: string;
}

/** What an image download needs to know: its identity, size and checksum. */
export type ImageTarget = Pick<Image, 'dc:identifier' | 'hv:size' | 'sl:checksum:sha512'>;

interface Body {
  readonly status: number;
  readonly url: string;
  readonly location?: string;
  readonly contentLength?: number;
  readonly chunks: AsyncIterable<Uint8Array>;
  cancel(): void;
}

const DEFAULT_IDLE_MS = 60_000;
const DEFAULT_LIST_TIMEOUT_MS = 600_000;

/** Time limits of an image download unless the options say otherwise. */
export const DEFAULT_IMAGE_DEADLINES = {
  /** Total time per image, ms: 12 h. */
  timeoutMs: 12 * 3600_000,
  /** Throughput floor, bytes/s. */
  minBytesPerSecond: 1024,
  /** Window the floor is averaged over, ms. */
  rateWindowMs: 120_000,
} as const;

/** The time limits of one image download (see {@link DEFAULT_IMAGE_DEADLINES}). */
export type ImageDeadlines = Pick<FetchOptions, 'minBytesPerSecond' | 'rateWindowMs' | 'timeoutMs'>;

/** What {@link transferSignal} applies when the options leave a limit out. */
interface TransferDefaults {
  readonly timeoutMs?: number;
  readonly minBytesPerSecond?: number;
  readonly rateWindowMs?: number;
}

function io(message: string, cause?: unknown): VmiListError {
  return new VmiListError('ERR_IO', message, cause === undefined ? {} : { cause });
}

function describeNetError(e: unknown): string {
  if (e instanceof VmiListError) return e.message;
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } } | null;
  if (err?.name === 'TimeoutError') return 'timed out';
  if (err?.name === 'AbortError') return 'aborted';
  const c = err?.cause ?? err;
  if (c?.code) return `${c.code}${c.message && !c.message.includes(c.code) ? ` (${c.message})` : c.message ? ` (${c.message})` : ''}`;
  return err?.message ?? String(e);
}

function checkScheme(url: URL, options: FetchOptions, original: string): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && options.allowHttp) return;
  if (url.protocol === 'file:' && options.allowFile !== false) return;
  const hint = url.protocol === 'http:' ? ' (plain http needs allowHttp / --allow-http)' : '';
  const where = url.href === original ? url.href : `${url.href} (reached from ${original})`;
  throw new VmiListError('ERR_INPUT', `refusing ${where}: only https:// URLs are fetched${hint}`);
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new VmiListError('ERR_INPUT', `not a valid URL: ${raw}`);
  }
}

/** Where a redirect points, resolved against the URL that sent it; a bad Location says what and where. */
function redirectTarget(location: string, from: URL, status: number): URL {
  try {
    return new URL(location, from);
  } catch {
    throw io(`${from.href} answered HTTP ${status} with a redirect to an invalid URL (Location: ${JSON.stringify(location)})`);
  }
}

async function* nodeChunks(res: IncomingMessage): AsyncIterable<Uint8Array> {
  for await (const chunk of res) yield chunk as Uint8Array;
}

/** One request over node:http(s), with extra CAs for https. */
function nodeRequest(url: URL, ca: readonly (string | Uint8Array)[] | undefined, signal: AbortSignal): Promise<Body> {
  return new Promise((resolvePromise, reject) => {
    const opts = {
      method: 'GET',
      signal,
      headers: { 'user-agent': 'vmilist', accept: '*/*' },
      ...(url.protocol === 'https:' ? { ca: [...rootCertificates, ...(ca ?? []).map((c) => (typeof c === 'string' ? c : derToPem(c)))] } : {}),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, opts, (res) => {
      const len = Number(res.headers['content-length']);
      const location = res.headers.location;
      resolvePromise({
        status: res.statusCode ?? 0,
        url: url.href,
        ...(location ? { location } : {}),
        ...(Number.isFinite(len) ? { contentLength: len } : {}),
        chunks: nodeChunks(res),
        cancel: () => res.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

async function* webChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

async function fetchRequest(url: URL, f: typeof fetch, signal: AbortSignal): Promise<Body> {
  const res = await f(url, { redirect: 'manual', signal, headers: { 'user-agent': 'vmilist' } });
  const len = Number(res.headers.get('content-length') ?? Number.NaN);
  const location = res.headers.get('location');
  return {
    status: res.status,
    url: url.href,
    ...(location ? { location } : {}),
    ...(Number.isFinite(len) ? { contentLength: len } : {}),
    chunks: webChunks(res.body),
    cancel: () => void res.body?.cancel().catch(() => undefined),
  };
}

async function fileRequest(url: URL): Promise<Body> {
  const path = fileURLToPath(url);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw io(`${url.href} is not a regular file`);
    size = st.size;
  } catch (cause) {
    if (cause instanceof VmiListError) throw cause;
    const code = (cause as { code?: string }).code;
    throw io(`cannot read ${url.href}: ${code === 'ENOENT' ? 'no such file or directory' : describeNetError(cause)}`, cause);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return {
    status: 200,
    url: url.href,
    contentLength: size,
    chunks: (async function* () {
      for await (const chunk of stream) yield chunk as Uint8Array;
    })(),
    cancel: () => stream.destroy(),
  };
}

/** Follows redirects (each hop checked against the scheme rules) to a 2xx body. */
async function open2xx(raw: string, options: FetchOptions, signal: AbortSignal): Promise<Body> {
  let url = parseUrl(raw);
  const max = options.maxRedirects ?? 5;
  for (let hop = 0; ; hop++) {
    checkScheme(url, options, raw);
    let body: Body;
    try {
      if (url.protocol === 'file:') body = await fileRequest(url);
      else if (options.ca !== undefined && options.fetch === undefined) body = await nodeRequest(url, options.ca, signal);
      else body = await fetchRequest(url, options.fetch ?? fetch, signal);
    } catch (cause) {
      if (cause instanceof VmiListError) throw cause;
      throw io(`cannot fetch ${url.href}: ${describeNetError(signal.aborted ? signal.reason : cause)}`, cause);
    }
    if (body.status >= 300 && body.status < 400 && body.location !== undefined) {
      body.cancel();
      if (hop >= max) throw io(`${raw}: more than ${max} redirects (last to ${body.location})`);
      url = redirectTarget(body.location, url, body.status);
      continue;
    }
    if (body.status < 200 || body.status >= 300) {
      body.cancel();
      throw io(`cannot fetch ${url.href}: HTTP ${body.status}`);
    }
    return body;
  }
}

/**
 * A signal that fires on the caller's abort, on the overall timeout, when
 * the idle timer runs out, and when less than the throughput floor arrived
 * in the last window. `received(n)` reports each chunk.
 */
function transferSignal(options: FetchOptions, defaults: TransferDefaults) {
  const ctl = new AbortController();
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_MS;
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const minRate = options.minBytesPerSecond ?? defaults.minBytesPerSecond ?? 0;
  const windowMs = options.rateWindowMs ?? defaults.rateWindowMs ?? 120_000;
  const fail = (message: string) => ctl.abort(new VmiListError('ERR_IO', message));
  const onAbort = () => ctl.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let idle: NodeJS.Timeout | undefined;
  const total = timeoutMs === undefined ? undefined : setTimeout(() => fail(`no complete answer within ${timeoutMs / 1000} s`), timeoutMs);
  let inWindow = 0;
  const rate =
    minRate > 0
      ? setInterval(() => {
          if (inWindow < (minRate * windowMs) / 1000) fail(`slower than ${minRate} bytes/s: ${inWindow} bytes in the last ${windowMs / 1000} s`);
          inWindow = 0;
        }, windowMs)
      : undefined;
  const poke = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => fail(`no data for ${idleMs / 1000} s`), idleMs);
  };
  poke();
  return {
    signal: ctl.signal,
    received(n: number) {
      inWindow += n;
      poke();
    },
    done() {
      if (idle) clearTimeout(idle);
      if (total) clearTimeout(total);
      if (rate) clearInterval(rate);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Fetches a signed list (https, http with `allowHttp`, or file), refusing
 * more than `maxBytes`.
 *
 * @throws VmiListError `ERR_INPUT` for a refused URL; `ERR_TOO_LARGE` over the cap; `ERR_IO` otherwise.
 */
export async function fetchList(url: string, options: FetchListOptions = {}): Promise<FetchedList> {
  const max = options.maxBytes ?? DEFAULT_MAX_LIST_BYTES;
  const t = transferSignal(options, { timeoutMs: DEFAULT_LIST_TIMEOUT_MS });
  try {
    const body = await open2xx(url, options, t.signal);
    if (body.contentLength !== undefined && body.contentLength > max) {
      body.cancel();
      throw new VmiListError('ERR_TOO_LARGE', `${url} is ${body.contentLength} bytes, more than the ${max}-byte limit for a list`);
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of body.chunks) {
        t.received(chunk.byteLength);
        total += chunk.byteLength;
        if (total > max) {
          body.cancel();
          throw new VmiListError('ERR_TOO_LARGE', `${url} is more than the ${max}-byte limit for a list`);
        }
        parts.push(chunk);
        options.onProgress?.(total, body.contentLength);
      }
    } catch (cause) {
      if (cause instanceof VmiListError) throw cause;
      throw io(`cannot fetch ${url}: ${describeNetError(t.signal.aborted ? t.signal.reason : cause)}`, cause);
    }
    return { bytes: concatBytes(parts), url: body.url };
  } finally {
    t.done();
  }
}

/** Writes all of `chunk` (a write may take fewer bytes than given). */
async function writeAll(fh: Awaited<ReturnType<typeof open>>, chunk: Uint8Array): Promise<void> {
  for (let off = 0; off < chunk.byteLength; ) {
    const { bytesWritten } = await fh.write(chunk, off, chunk.byteLength - off);
    if (bytesWritten <= 0) throw new Error('the file system took no bytes');
    off += bytesWritten;
  }
}

/** Free bytes on the file system holding `dir`, or undefined when the platform cannot tell. */
export async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Downloads an image to `dest`: written to a partial file private to this
 * run while its SHA-512 is computed (so the hash is of exactly the bytes in
 * that file), aborted as soon as more than `hv:size` bytes arrive or a
 * deadline passes, synced and renamed to `dest` only when size and checksum
 * match; the partial file is removed on every failure.
 *
 * @throws VmiListError `ERR_TOO_LARGE` (more bytes than `hv:size`),
 *   `ERR_SIZE_MISMATCH` (fewer bytes), `ERR_HASH_MISMATCH`, `ERR_INPUT`
 *   (refused URL), `ERR_IO` (network, deadline, disk, not enough free space).
 */
export async function fetchImage(url: string, image: ImageTarget, dest: string, options: FetchImageOptions = {}): Promise<FetchedImage> {
  const expectedSize = image['hv:size'];
  const expectedSha = image['sl:checksum:sha512'].toLowerCase();
  const uuid = image['dc:identifier'];
  const partial = options.partialPath ?? tempNameFor(dest, 'partial');
  await mkdir(dirname(partial), { recursive: true }).catch((cause: unknown) => {
    throw io(`cannot create ${dirname(partial)}: ${describeNetError(cause)}`, cause);
  });
  if (options.checkFreeSpace !== false) {
    const free = await freeBytes(dirname(partial));
    const need = expectedSize + (options.reserveBytes ?? 0);
    if (free !== undefined && free < need) {
      throw io(`image ${uuid} needs ${need} bytes but only ${free} are free in ${dirname(partial)}; nothing was downloaded`);
    }
  }
  const t = transferSignal(options, DEFAULT_IMAGE_DEADLINES);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const body = await open2xx(url, options, t.signal);
    if (body.contentLength !== undefined && body.contentLength > expectedSize) {
      body.cancel();
      throw new VmiListError('ERR_TOO_LARGE', `image ${uuid} from ${url}: the server announces ${body.contentLength} bytes, more than hv:size ${expectedSize}`);
    }
    fh = await open(partial, 'wx', 0o644); // private to this run: nobody else writes into it
    const hash = createHash('sha512');
    let size = 0;
    try {
      for await (const chunk of body.chunks) {
        t.received(chunk.byteLength);
        size += chunk.byteLength;
        if (size > expectedSize) {
          body.cancel();
          throw new VmiListError('ERR_TOO_LARGE', `image ${uuid} from ${url} is larger than its hv:size of ${expectedSize} bytes; download aborted`);
        }
        hash.update(chunk);
        await writeAll(fh, chunk); // every hashed byte is in the file
        options.onProgress?.(size, expectedSize);
      }
    } catch (cause) {
      if (cause instanceof VmiListError) throw cause;
      throw io(`cannot download image ${uuid} from ${url}: ${describeNetError(t.signal.aborted ? t.signal.reason : cause)}`, cause);
    }
    if (size !== expectedSize) {
      throw new VmiListError('ERR_SIZE_MISMATCH', `image ${uuid} from ${url} has ${size} bytes, but hv:size says ${expectedSize}`);
    }
    const sha512 = hash.digest('hex');
    if (sha512 !== expectedSha) {
      throw new VmiListError('ERR_HASH_MISMATCH', `image ${uuid} from ${url}: SHA-512 ${sha512.slice(0, 16)}… does not match sl:checksum:sha512 ${expectedSha.slice(0, 16)}…`);
    }
    await fh.sync();
    await fh.close();
    fh = undefined;
    await mkdir(dirname(dest), { recursive: true });
    await rename(partial, dest);
    return { path: dest, size, sha512, url: body.url };
  } catch (cause) {
    await fh?.close().catch(() => undefined);
    await unlink(partial).catch(() => undefined);
    if (cause instanceof VmiListError) throw cause;
    throw io(`cannot download image ${uuid} from ${url}: ${describeNetError(cause)}`, cause);
  } finally {
    t.done();
  }
}
