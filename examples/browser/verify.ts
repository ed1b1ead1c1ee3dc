/**
 * One verification as the page does it, used by the form and by the test
 * hook alike, so what the tests check is what a person sees.
 */
import { isVmiListError, verifySignedList, VmiListError } from '../../src/index.js';
import type { VerifiedImageList, VerifyOptions } from '../../src/index.js';
import { errorSentence } from './format.js';
import type { TrustFiles } from './trust.js';

/** Options beyond trust and instant that the page (or a test case) may set. */
export type ExtraOptions = Omit<VerifyOptions, 'trustAnchors' | 'intermediates' | 'crls' | 'namespaces' | 'at'>;

/** Everything one verification needs. */
export interface PageRequest {
  /** The signed list as received, or raw CMS when `content` is given. */
  readonly message: Uint8Array;
  /** Detached content for a raw CMS signature. */
  readonly content?: Uint8Array;
  readonly trust: TrustFiles;
  /** ISO 8601 instant as typed; empty or missing means now. */
  readonly at?: string;
  readonly options?: ExtraOptions;
}

/** The outcome, JSON-safe apart from `verified`. */
export interface PageVerdict {
  readonly ok: boolean;
  /** The instant actually used, `Z` form. */
  readonly at: string;
  readonly code?: string;
  /** The library's own message (what failed, where). */
  readonly message?: string;
  /** A sentence for people, from the code. */
  readonly sentence?: string;
  readonly signer?: string;
  readonly issuer?: string;
  readonly images?: number;
  readonly verified?: VerifiedImageList;
}

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

/** Verifies and never throws: failures come back as a verdict with a code. */
export async function verifyRequest(req: PageRequest): Promise<PageVerdict> {
  let at: Date;
  try {
    at = parseInstant(req.at);
  } catch (e) {
    return failure(e, req.at ?? '');
  }
  const atZ = isoZ(at);
  if (req.trust.anchors.length === 0) {
    return failure(new VmiListError('ERR_INPUT', 'no CA certificate was given: pick the CA bundle (or the IGTF CA files) you trust'), atZ);
  }
  try {
    const input = req.content ? { cms: req.message, content: req.content } : req.message;
    const verified = await verifySignedList(input, {
      ...req.options,
      trustAnchors: req.trust.anchors,
      intermediates: req.trust.intermediates,
      crls: req.trust.crls,
      namespaces: req.trust.namespaces,
      at,
    });
    return {
      ok: true,
      at: atZ,
      signer: verified.signer.dn,
      issuer: verified.signer.issuer,
      images: verified.list['hv:images'].length,
      verified,
    };
  } catch (e) {
    return failure(e, atZ);
  }
}

function failure(e: unknown, at: string): PageVerdict {
  if (isVmiListError(e)) return { ok: false, at, code: e.code, message: e.message, sentence: errorSentence(e.code) };
  // not a vmilist error: a bug somewhere; show it rather than hide it
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { ok: false, at, code: 'UNEXPECTED', message, sentence: errorSentence('UNEXPECTED') };
}
