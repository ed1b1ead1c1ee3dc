import { VmiListError, type Issue } from '../../errors.js';
import { nullFields } from '../../model/builders.js';
import { DEFAULT_MAX_LIST_BYTES, decodeUtf8, parseStrictJsonWithEnd } from '../../model/json.js';
import { validateImageList } from '../../model/parse.js';
import { imagesOf } from '../../model/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { readInput } from '../io.js';

const USAGE = 'vmilist validate <list.json|signed-list> [--strict] [--json]';

export const command: Command = {
  name: 'validate',
  summary: 'check an image list against the schema (does not check signatures)',
  help: `Usage: ${USAGE}

Parses the list strictly (duplicate keys, nesting, size) and checks it
against the image-list schema, reporting every problem with its field path
(or line and column for JSON syntax), and every field still null.
Given a signed message, it checks the JSON inside it WITHOUT verifying the
signature: use vmilist verify for that.

Options:
  --strict   refuse dialect forms (sizes as strings, missing hv:images, …)
  --json     print {"ok":true,"warnings":[…],…} or {"ok":false,"error":{…}}`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { strict: { type: 'boolean' } }, { min: 1, max: 1, usage: USAGE });
    const path = positionals[0] as string;
    const text = decodeUtf8(await readInput(ctx, path, DEFAULT_MAX_LIST_BYTES, 'ERR_JSON_MALFORMED'), path);
    const { value } = parseStrictJsonWithEnd(blankBeforeJson(text, path), { source: path, allowTrailing: true });
    const stillNull = nullFields(value);
    let parsed;
    try {
      parsed = validateImageList(value, { strict: values.strict === true, source: path });
    } catch (e) {
      if (e instanceof VmiListError && e.code === 'ERR_SCHEMA_INVALID' && stillNull.length > 0) throw withNullFields(e, stillNull, path);
      throw e;
    }
    const list = parsed.list;
    if (values.json) printJson(ctx, { ok: true, warnings: parsed.warnings, identifier: list['dc:identifier'], version: list['hv:version'], images: imagesOf(list).length });
    else {
      ctx.stdout(`${path}: valid image list ${list['dc:identifier']} version ${list['hv:version']} with ${imagesOf(list).length} image(s)${list['dc:title'] ? ` — ${list['dc:title']}` : ''}\n`);
      for (const w of parsed.warnings) ctx.stderr(`  warning: ${w.path}: ${w.message}\n`);
    }
    return 0;
  },
};

// A signed message carries the JSON between MIME headers and the signature:
// blank out what comes before the first '{' (keeping line breaks, so line
// numbers in errors still match the file) and ignore what follows the value.
function blankBeforeJson(text: string, path: string): string {
  const at = text.search(/^\s*\{/m);
  if (at < 0) throw new VmiListError('ERR_JSON_MALFORMED', `${path}: no JSON object found`);
  return text.slice(0, at).replace(/[^\n]/g, ' ') + text.slice(at);
}

function withNullFields(e: VmiListError, stillNull: string[], path: string): VmiListError {
  const issues: Issue[] = [
    ...stillNull.map((p) => ({ path: p, message: 'is still null: fill it in' })),
    ...e.issues.filter((i) => !stillNull.includes(i.path)),
  ];
  return new VmiListError('ERR_SCHEMA_INVALID', `${path}: ${stillNull.length} field(s) still null (first ${stillNull[0]}); ${e.message.replace(`${path}: `, '')}`, { issues });
}
