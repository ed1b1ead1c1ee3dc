/**
 * `vmilist verify --json` prints the list as it was signed rather than
 * serialising the parsed value again: for a 50,000-image list that spares
 * some 100 ms of JSON.stringify, terminal sanitising and the garbage both
 * make. Only when that text means exactly the verified list and is safe for
 * a terminal as it is; otherwise the list is serialised as before.
 */
import { isAscii } from 'node:buffer';
import { isAsRead } from '../model/parse.js';
import { jsonStart } from '../model/json-fast.js';
import type { VerifiedImageList } from '../model/verified.js';

const KEY = Buffer.from('"hv:imagelist"', 'latin1');
const CR = 13;
const LF = 10;
const DEL = 0x7f;

function isWs(c: number | undefined): boolean {
  return c === 32 || c === 9 || c === LF || c === CR;
}

/**
 * The bytes of the `hv:imagelist` value in the signed content, when they are
 * the list: the document was read with no dialect rewritten, `hv:imagelist`
 * is its only key and is written plainly, and the text is ASCII with no
 * control character but tab and line ends (which {@link oneLine} drops, and
 * which strict JSON allows only between tokens). Else undefined.
 */
export function signedListText(verified: VerifiedImageList): Buffer | undefined {
  const { document, content } = verified;
  if (!isAsRead(document) || Object.keys(document).length !== 1) return undefined;
  const b = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  let p = jsonStart(b, 2);
  while (isWs(b[p])) p++;
  if (b[p++] !== 0x7b) return undefined;
  while (isWs(b[p])) p++;
  if (!b.subarray(p, p + KEY.length).equals(KEY)) return undefined;
  p += KEY.length;
  while (isWs(b[p])) p++;
  if (b[p++] !== 0x3a) return undefined;
  while (isWs(b[p])) p++;
  let e = b.length;
  while (e > p && isWs(b[e - 1])) e--;
  if (b[e - 1] !== 0x7d) return undefined;
  e--;
  while (e > p && isWs(b[e - 1])) e--;
  const text = b.subarray(p, e);
  if (text[0] !== 0x7b || text[text.length - 1] !== 0x7d) return undefined;
  if (!isAscii(text) || text.indexOf(DEL) !== -1) return undefined;
  // a carriage return is dropped only before a line feed: any other would reach the terminal
  for (let r = text.indexOf(CR); r !== -1; r = text.indexOf(CR, r + 1)) if (text[r + 1] !== LF) return undefined;
  return text;
}

/**
 * `text` as one line, in chunks of at most `size` bytes: without its line
 * ends (CRLF or LF) and the spaces and tabs around them. Strict JSON has no
 * raw line break inside a string, so every line starts and ends between
 * tokens, where white space means nothing. Every chunk is the same buffer,
 * filled again when the next is asked for: write each before asking.
 */
export function* oneLine(text: Buffer, size = 1 << 16): Generator<Buffer> {
  const out = Buffer.allocUnsafe(size);
  let n = 0;
  for (let pos = 0; pos < text.length; ) {
    while (text[pos] === 32 || text[pos] === 9) pos++;
    const nl = text.indexOf(LF, pos);
    const lineEnd = nl === -1 ? text.length : nl;
    let end = lineEnd > pos && text[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    while (end > pos && (text[end - 1] === 32 || text[end - 1] === 9)) end--;
    for (let s = pos; s < end; ) {
      if (n === size) {
        yield out;
        n = 0;
      }
      const copied = text.copy(out, n, s, Math.min(end, s + size - n));
      n += copied;
      s += copied;
    }
    pos = lineEnd + 1;
  }
  if (n > 0) yield out.subarray(0, n);
}
