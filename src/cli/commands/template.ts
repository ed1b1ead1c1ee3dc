import { createListTemplate, nullFields } from '../../model/builders.js';
import { serializeJson } from '../../model/serialize.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { writeOutput } from '../io.js';

const USAGE = 'vmilist template [-o list.json] [--lifetime DAYS] [--json]';

export const command: Command = {
  name: 'template',
  summary: 'write an image-list template to fill in (HVMIL_*/HVMILE_* defaults)',
  help: `Usage: ${USAGE}

Writes an empty image list (the vmilisttool --json template): a fresh list
UUID, created now, expiring after --lifetime days (default 28), version "1",
and every other field null for you to fill. Defaults are taken from the
environment variables of the original tool:
  HVMIL_DC_DATE_CREATED HVMIL_DC_DATE_EXPIRES HVMIL_DC_DESCRIPTION
  HVMIL_DC_IDENTIFIER HVMIL_DC_SOURCE HVMIL_DC_TITLE HVMIL_HV_URI HVMIL_HV_VERSION
  HVMILE_DC_CREATOR HVMILE_HV_CA HVMILE_HV_DN HVMILE_HV_EMAIL

Options:
  -o, --output FILE   write to FILE instead of standard output
  --lifetime DAYS     days until dc:date:expires (default 28)
  --json              print {"ok":true,"output":…,"nullFields":[…]} instead of the list`,
  async run(args, ctx) {
    const { values } = parseCommandArgs(args, { output: { type: 'string', short: 'o' }, lifetime: { type: 'string' } }, { min: 0, max: 0, usage: USAGE });
    const lifetimeDays = values.lifetime === undefined ? 28 : Number(values.lifetime);
    if (!Number.isFinite(lifetimeDays) || lifetimeDays <= 0) throw new (await import('../../errors.js')).VmiListError('ERR_INPUT', `--lifetime must be a positive number of days, not ${values.lifetime}`);
    const doc = createListTemplate({ env: ctx.env, now: ctx.now(), lifetimeDays });
    const text = serializeJson(doc);
    const missing = nullFields(doc);
    if (values.output) await writeOutput(ctx, values.output, text);
    if (values.json) printJson(ctx, { ok: true, output: values.output ?? null, nullFields: missing, ...(values.output ? {} : { document: doc }) });
    else {
      if (!values.output) ctx.stdout(text);
      if (missing.length) ctx.stderr(`vmilist template: fill in ${missing.length} null field(s): ${missing.join(', ')}\n`);
    }
    return 0;
  },
};
