/**
 * One verification as the page does it (in its worker), used by the form
 * and by the test hook alike, so what the tests check is what a person sees.
 */
import { imagesOf, isVmiListError, verifySignedList, VmiListError } from '../../src/index.js';
import type { VerifiedImageList, VerifyOptions } from '../../src/index.js';
import { errorSentence } from './format.js';
import { describeInput, isBinary, printable } from './input-kind.js';
import type { ImageRow, InputFile, ListView, PageVerdict, VerifyJob } from './protocol.js';

/** Options beyond trust and instant that the page (or a test case) may set. */
export type ExtraOptions = Omit<VerifyOptions, 'trustAnchors' | 'intermediates' | 'crls' | 'namespaces' | 'at'>;

const INSTANT = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/**
 * Reads the instant field. An empty field means now: the page reads the
 * clock, the library never does. A time without a zone is refused rather
 * than read in the browser's local zone.
 */
export function parseInstant(text: string | undefined, now: () => Date = () => new Date()): Date {
  const t = (text ?? '').trim();
  if (t === '') return now();
  const ms = INSTANT.test(t) ? Date.parse(t.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new VmiListError('ERR_INPUT', `instant "${t}" is not an ISO 8601 date or date-time with a zone, e.g. 2026-06-01T00:00:00Z`);
  }
  return new Date(ms);
}

function isoZ(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Raw CMS (DER, or PEM "PKCS7"/"CMS") as opposed to an S/MIME message. Only
 * raw CMS can take detached content: an S/MIME message carries its own, so
 * a file left in the "Detached content" box must not change its verdict.
 */
export function isRawCms(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x30) return true;
  const head = new TextDecoder().decode(bytes.subarray(0, 256)).trimStart();
  return /^-----BEGIN (PKCS7|CMS)-----/.test(head);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The view of a verified list the page shows (and nothing it does not). */
export function toView(v: VerifiedImageList): ListView {
  const list = v.list;
  const listVo = typeof list['ad:vo'] === 'string' ? list['ad:vo'] : '';
  const images: ImageRow[] = imagesOf(list).map((image) => ({
    id: image['dc:identifier'],
    title: image['dc:title'] ?? image['dc:identifier'],
    os: [image['sl:os'], image['sl:osversion']].filter((s) => s).join(' '),
    arch: image['sl:arch'] ?? '',
    vo: typeof image['ad:vo'] === 'string' ? image['ad:vo'] : listVo,
    size: image['hv:size'],
    version: image['hv:version'] ?? '',
    sha512: image['sl:checksum:sha512'].toLowerCase(),
    uri: image['hv:uri'],
    description: image['dc:description'] ?? '',
  }));
  return {
    title: list['dc:title'] ?? '(untitled)',
    version: list['hv:version'],
    created: list['dc:date:created'],
    expires: list['dc:date:expires'],
    id: list['dc:identifier'],
    signer: { ...v.signer },
    chain: [...v.chain],
    digest: v.digestAlgorithm,
    warnings: v.warnings.map((w) => `${w.path}: ${w.message}`),
    images,
  };
}

/** Verifies and never throws: failures come back as a verdict with a code. */
export async function verifyJob(job: VerifyJob): Promise<PageVerdict> {
  const file: InputFile = { name: job.name, size: job.message.length, sha256: await sha256Hex(job.message) };
  const notes: string[] = [];
  const raw = isRawCms(job.message);
  if (job.content && !raw) {
    notes.push(`The detached content "${job.content.name}" was not used: ${job.name} is an S/MIME message, which carries its own content.`);
  }
  let atZ = '';
  try {
    const at = parseInstant(job.at);
    atZ = isoZ(at);
    if (job.trust.anchors.length === 0) {
      throw new VmiListError('ERR_INPUT', 'no CA certificate was given: pick the CA bundle (or the IGTF CA files) you trust');
    }
    const input = raw && job.content ? { cms: job.message, content: job.content.bytes } : job.message;
    const verified = await verifySignedList(input, {
      ...job.options,
      trustAnchors: job.trust.anchors,
      intermediates: job.trust.intermediates,
      crls: job.trust.crls,
      namespaces: job.trust.namespaces,
      at,
    });
    return { ok: true, at: atZ, file, notes, signer: verified.signer.dn, issuer: verified.signer.issuer, images: verified.list['hv:images'].length, view: toView(verified) };
  } catch (e) {
    return failure(e, atZ, file, notes, job.message);
  }
}

function failure(e: unknown, at: string, file: InputFile, notes: string[], message: Uint8Array): PageVerdict {
  const binary = isBinary(message);
  const input = describeInput(message);
  if (isVmiListError(e)) {
    const unreadable = e.code === 'ERR_MIME_MALFORMED' || e.code === 'ERR_SIGNATURE_INVALID';
    return {
      ok: false,
      at,
      file,
      notes,
      code: e.code,
      message: printable(e.message, binary),
      sentence: errorSentence(e.code),
      ...(unreadable && input ? { input } : {}),
    };
  }
  // not a vmilist error: a bug somewhere; show it rather than hide it
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { ok: false, at, file, notes, code: 'UNEXPECTED', message: printable(text, binary), sentence: errorSentence('UNEXPECTED'), ...(input ? { input } : {}) };
}
