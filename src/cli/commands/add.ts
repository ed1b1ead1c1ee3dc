import { VmiListError } from '../../errors.js';
import { addImages, nullFields } from '../../model/builders.js';
import { DEFAULT_MAX_LIST_BYTES, decodeUtf8, parseStrictJson } from '../../model/json.js';
import { serializeJson } from '../../model/serialize.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { readInput, writeOutput } from '../io.js';

const USAGE = 'vmilist add <list.json> <meta.json>... [-o merged.json] [--json]';

export const command: Command = {
  name: 'add',
  summary: 'add image metadata files to an image list',
  help: `Usage: ${USAGE}

Adds each image metadata file (from vmilist image --generate) to the list.
An image whose dc:identifier is already in the list replaces that entry.
The result goes to -o FILE (written atomically) or standard output.

Options:
  -o, --output FILE   write the merged list to FILE (may be list.json itself)
  --json              print {"ok":true,"added":[…],"replaced":[…],"nullFields":[…]}`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { output: { type: 'string', short: 'o' } }, { min: 2, usage: USAGE });
    const [listPath, ...metaPaths] = positionals as [string, ...string[]];
    const list = await readJsonFile(ctx, listPath);
    const metas = [];
    for (const p of metaPaths) metas.push(await readJsonFile(ctx, p));
    const { document, added, replaced } = addImages(list, metas);
    const text = serializeJson(document);
    const missing = nullFields(document);
    if (values.output) await writeOutput(ctx, values.output, text);
    if (values.json) printJson(ctx, { ok: true, output: values.output ?? null, added, replaced, nullFields: missing });
    else {
      if (!values.output) ctx.stdout(text);
      ctx.stderr(`vmilist add: ${added.length} added, ${replaced.length} replaced${missing.length ? `; ${missing.length} field(s) still null: ${missing.join(', ')}` : ''}\n`);
    }
    return 0;
  },
};

async function readJsonFile(ctx: Parameters<Command['run']>[1], path: string) {
  const bytes = await readInput(ctx, path, DEFAULT_MAX_LIST_BYTES, 'ERR_JSON_MALFORMED');
  try {
    return parseStrictJson(decodeUtf8(bytes, path), { source: path });
  } catch (e) {
    if (e instanceof VmiListError) throw e;
    throw new VmiListError('ERR_JSON_MALFORMED', `${path}: ${String(e)}`, { cause: e });
  }
}
