/**
 * `--json` output written as it is produced: the same text as
 * `JSON.stringify(value)`, but long arrays (the images of a list) go out in
 * batches, each written when the stream has room, so a 100,000-image list is
 * never one 60 MB string plus its 60 MB Buffer copy.
 */

/** Writes text; resolves when the stream can take more. */
export type Write = (text: string) => Promise<void> | void;
/** Writes bytes as they are (no sanitising); resolves once they are written (their buffer may then be reused). */
export type WriteBytes = (bytes: Uint8Array) => Promise<void> | void;

/**
 * JSON text to print in place of a value: one JSON value, already checked,
 * safe for a terminal and made one line by its producer (see list-text.ts).
 */
export class JsonText {
  constructor(
    /** The text's chunks, each ASCII with no control character; each used before the next is asked for. */
    readonly chunks: () => Iterable<Uint8Array>,
  ) {}
}

const BATCH = 128; // array items per piece: each JSON.stringify result stays under V8's large-object size
const PIECE = 1 << 16; // characters gathered before a write

function* pieces(value: unknown): Generator<string | JsonText> {
  if (value instanceof JsonText) {
    yield value;
    return;
  }
  if (Array.isArray(value)) {
    if (value.length <= BATCH) {
      yield JSON.stringify(value);
      return;
    }
    yield '[';
    for (let i = 0; i < value.length; i += BATCH) {
      const part = JSON.stringify(value.slice(i, i + BATCH));
      yield i === 0 ? part.slice(1, -1) : `,${part.slice(1, -1)}`;
    }
    yield ']';
    return;
  }
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    yield '{';
    let first = true;
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue; // as JSON.stringify does
      yield `${first ? '' : ','}${JSON.stringify(k)}:`;
      first = false;
      yield* pieces(v);
    }
    yield '}';
    return;
  }
  yield JSON.stringify(value) ?? 'null';
}

/**
 * Writes `value` as one line of JSON (as `JSON.stringify(value)` + newline),
 * piece by piece; a {@link JsonText} inside goes out as its text, through
 * `writeBytes` when given.
 */
export async function writeJsonLine(write: Write, value: unknown, writeBytes?: WriteBytes): Promise<void> {
  let buffered = '';
  for (const piece of pieces(value)) {
    if (piece instanceof JsonText) {
      if (buffered !== '') await write(buffered);
      buffered = '';
      for (const chunk of piece.chunks()) {
        if (writeBytes) await writeBytes(chunk);
        else await write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('latin1'));
      }
      continue;
    }
    buffered += piece;
    if (buffered.length >= PIECE) {
      await write(buffered);
      buffered = '';
    }
  }
  await write(`${buffered}\n`);
}
