/**
 * Says in words what a file that is not a readable signed list looks like,
 * so the page never shows raw bytes (mojibake) to a person: "a PNG image",
 * "binary data", "an unsigned JSON image list".
 */
import { humanSize } from './format.js';

const MAGIC: readonly [readonly number[], string][] = [
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF document'],
  [[0x50, 0x4b, 0x03, 0x04], 'a ZIP archive'],
  [[0x1f, 0x8b], 'a gzip-compressed file'],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'an xz-compressed file'],
  [[0x42, 0x5a, 0x68], 'a bzip2-compressed file'],
  [[0x28, 0xb5, 0x2f, 0xfd], 'a zstd-compressed file'],
  [[0x51, 0x46, 0x49, 0xfb], 'a qcow2 disk image (an image, not a list: check it below)'],
  [[0x7f, 0x45, 0x4c, 0x46], 'an ELF executable'],
  [[0xff, 0xfe], 'UTF-16 text (lists are UTF-8 or ASCII)'],
  [[0xfe, 0xff], 'UTF-16 text (lists are UTF-8 or ASCII)'],
];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function utf8(bytes: Uint8Array): string | null {
  try {
    // stream: a character cut at the 64 KiB edge is held back, not an error
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 64 * 1024), { stream: true });
  } catch {
    return null;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]/;

/**
 * What the input is, in words, when it is plainly not an S/MIME message or
 * raw CMS; undefined for text that may be one (the verifier says why not).
 */
export function describeInput(bytes: Uint8Array): string | undefined {
  const size = humanSize(bytes.length);
  if (bytes.length === 0) return 'The file is empty.';
  for (const [magic, what] of MAGIC) if (startsWith(bytes, magic)) return `The file is ${what} (${size}), not a signed image list.`;
  if (bytes[0] === 0x30) return undefined; // DER: raw CMS, the verifier judges it
  const text = utf8(bytes);
  if (text === null || CONTROL.test(text.slice(0, 4096))) return `The file is binary data (${size}), not a text S/MIME message or a signature.`;
  const head = text.trimStart();
  if (head.startsWith('{')) return `The file is JSON (${size}): an unsigned image list? The page verifies signed lists (S/MIME, .smime).`;
  if (/^<(!doctype|html|\?xml)/i.test(head)) return `The file is an HTML or XML document (${size}), not a signed image list: a download or login page saved by mistake?`;
  return undefined;
}

/**
 * Makes a library message printable: control characters, replacement
 * characters and bytes shown as Latin-1 (runs of non-ASCII inside a quoted
 * excerpt of a binary file) become "…", so a person sees words.
 */
export function printable(message: string, binaryInput: boolean): string {
  let out = message.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffd]+/g, '…');
  // a quoted excerpt of a binary input is bytes, not words
  if (binaryInput) out = out.replace(/"[^"]*"/g, (q) => (/[^\u0020-\u007e]/.test(q) ? '(unreadable bytes)' : q));
  return out;
}

/** Whether a verification failure should be explained as "the file is not a list". */
export function isBinary(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  if (bytes[0] === 0x30) return false;
  const text = utf8(bytes);
  return text === null || CONTROL.test(text.slice(0, 4096));
}
