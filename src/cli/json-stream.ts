/**
 * `--json` output written as it is produced: the same text as
 * `JSON.stringify(value)`, but long arrays (the images of a list) go out in
 * batches, each written when the stream has room, so a 100,000-image list is
 * never one 60 MB string plus its 60 MB Buffer copy.
 */

/** Writes text; resolves when the stream can take more. */
export type Write = (text: string) => Promise<void> | void;

const BATCH = 128; // array items per piece: each JSON.stringify result stays under V8's large-object size
const PIECE = 1 << 16; // characters gathered before a write

function* pieces(value: unknown): Generator<string> {
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

/** Writes `value` as one line of JSON (as `JSON.stringify(value)` + newline), piece by piece. */
export async function writeJsonLine(write: Write, value: unknown): Promise<void> {
  let buffered = '';
  for (const piece of pieces(value)) {
    buffered += piece;
    if (buffered.length >= PIECE) {
      await write(buffered);
      buffered = '';
    }
  }
  await write(`${buffered}\n`);
}
