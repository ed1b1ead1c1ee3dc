import { VmiListError, type Issue } from '../../errors.js';
import { nullFields } from '../../model/builders.js';
import { DEFAULT_MAX_LIST_BYTES, decodeUtf8, parseStrictJsonWithEnd } from '../../model/json.js';
import { validateImageList } from '../../model/parse.js';
import { imagesOf } from '../../model/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { readInput } from '../io.js';
import { parseSmime } from '../../smime/mime.js';
import { parseCms } from '../../smime/cms.js';

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
    const bytes = await readInput(ctx, path, DEFAULT_MAX_LIST_BYTES, 'ERR_JSON_MALFORMED');
    const { value } = parseStrictJsonWithEnd(jsonOf(bytes, path), { source: path, allowTrailing: true });
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

/**
 * The JSON to check. A signed message: the signed content (what `verify`
 * would check, never a MIME preamble), with everything else blanked so line
 * numbers in errors still match the file. Opaque messages: the content
 * inside the CMS. Anything else that is not plain JSON (a pasted message
 * without headers): from the first line starting with '{'.
 */
function jsonOf(bytes: Uint8Array, path: string): string {
  let signed: { content?: Uint8Array; cms: Uint8Array } | undefined;
  try {
    signed = parseSmime(bytes);
  } catch {
    signed = undefined;
  }
  if (signed?.content) {
    const start = signed.content.byteOffset - bytes.byteOffset;
    const blank = (b: Uint8Array): string => decodeUtf8(b, path).replace(/[^\n]/g, ' ');
    return blank(bytes.subarray(0, start)) + decodeUtf8(signed.content, path) + blank(bytes.subarray(start + signed.content.length));
  }
  if (signed) {
    const inner = parseCms(signed.cms).eContent;
    if (inner) return decodeUtf8(inner, path);
  }
  return blankBeforeJson(decodeUtf8(bytes, path), path);
}

// Text with JSON after something else: blank out what comes before the
// first '{' (keeping line breaks) and ignore what follows the value.
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
