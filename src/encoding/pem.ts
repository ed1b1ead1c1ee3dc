/**
 * PEM: every `-----BEGIN X-----` block of a text, with its label, header
 * lines and DER bytes. One parser for the whole package, in two modes:
 * `strict` (the core's inputs: a block that is not valid base64 is an error)
 * and `lenient` (a CA directory: a broken block is returned with its
 * problem, so the other blocks of the file are still used and the broken
 * one is reported by name).
 */
import { VmiListError } from '../errors.js';
import { base64Decode } from './base64.js';
import { latin1 } from './text.js';

/** One PEM block: its label and DER bytes. */
export interface PemBlock {
  /** The label after BEGIN, e.g. `CERTIFICATE`. */
  readonly label: string;
  /** The decoded bytes. */
  readonly der: Uint8Array;
  /** Header lines inside the block (e.g. `Proc-Type: 4,ENCRYPTED`). */
  readonly headers: readonly string[];
  /** Lenient mode only: why the block could not be decoded (`der` is then empty). */
  readonly problem?: string;
}

/** `strict`: a block that is not base64 throws; `lenient`: it is returned with its `problem`. */
export type PemMode = 'strict' | 'lenient';

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/**
 * Every PEM block in `text`, in order (text around the blocks is ignored).
 *
 * @throws VmiListError `ERR_INPUT` in strict mode when a block is not valid base64
 */
export function pemBlocks(text: string, mode: PemMode = 'strict'): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(PEM_RE)) {
    const label = m[1] as string;
    const body = m[2] as string;
    const headers: string[] = [];
    let b64 = body;
    const blank = /\r?\n\r?\n/.exec(body);
    if (blank && body.slice(0, blank.index).includes(':')) {
      headers.push(...body.slice(0, blank.index).split(/\r?\n/).filter((l) => l.trim() !== ''));
      b64 = body.slice(blank.index + blank[0].length);
    }
    try {
      out.push({ label, der: base64Decode(b64, `PEM ${label}`), headers });
    } catch (cause) {
      const problem = `PEM block ${label} is not valid base64 (${(cause as Error).message})`;
      if (mode === 'strict') throw new VmiListError('ERR_INPUT', problem, { cause });
      out.push({ label, der: new Uint8Array(0), headers, problem });
    }
  }
  return out;
}

/**
 * True when the bytes are PEM text. `strict`: they start (after whitespace)
 * with `-----BEGIN`; `lenient`: a `-----BEGIN ` line appears anywhere, as in
 * CA files that carry `openssl x509 -text` output before the block.
 */
export function looksLikePem(bytes: Uint8Array, mode: PemMode = 'strict'): boolean {
  if (mode === 'lenient') return latin1(bytes).includes('-----BEGIN ');
  let i = 0;
  while (i < bytes.length && (bytes[i] === 32 || bytes[i] === 9 || bytes[i] === 10 || bytes[i] === 13)) i++;
  return latin1(bytes.subarray(i, i + 10)) === '-----BEGIN';
}
