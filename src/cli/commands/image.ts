import { createImageMetadata, nullFields } from '../../model/builders.js';
import { serializeJson } from '../../model/serialize.js';
import { hashFile } from '../../node/hash-file.js';
import { parseCommandArgs } from '../args.js';
import { printJson, type Command } from '../context.js';
import { writeOutput } from '../io.js';
import { progressReporter } from '../progress.js';
import { resolve } from 'node:path';

const USAGE = 'vmilist image <file> [--generate meta.json] [--json]';

export const command: Command = {
  name: 'image',
  summary: 'measure an image file (size, SHA-512) and write its metadata (HVMILI_* defaults)',
  help: `Usage: ${USAGE}

Hashes FILE (SHA-512, with a progress bar on a terminal) and writes image
metadata {"hv:image": …}: a fresh image UUID, hv:size, sl:checksum:sha512,
and the other fields from the environment or null for you to fill:
  HVMILI_DC_DESCRIPTION HVMILI_DC_IDENTIFIER HVMILI_DC_TITLE HVMILI_HV_HYPERVISOR
  HVMILI_HV_SIZE HVMILI_HV_URI HVMILI_HV_VERSION HVMILI_SL_ARCH
  HVMILI_SL_CHECKSUM_SHA512 HVMILI_SL_COMMENTS HVMILI_SL_OS HVMILI_SL_OSVERSION
(the measured size and checksum always win over HVMILI_HV_SIZE/…_SHA512).

Options:
  -g, --generate FILE  write the metadata to FILE (default: standard output)
  --json               print {"ok":true,…} with the metadata and null fields`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(args, { generate: { type: 'string', short: 'g' } }, { min: 1, max: 1, usage: USAGE });
    const file = positionals[0] as string;
    const progress = progressReporter(ctx, `hashing ${file}`);
    const facts = await hashFile(resolve(ctx.cwd, file), { onProgress: progress.update });
    progress.done();
    const doc = createImageMetadata({ size: facts.size, sha512: facts.sha512 }, { env: ctx.env });
    const text = serializeJson(doc);
    const missing = nullFields(doc);
    if (values.generate) await writeOutput(ctx, values.generate, text);
    if (values.json) printJson(ctx, { ok: true, output: values.generate ?? null, image: doc, nullFields: missing });
    else {
      if (!values.generate) ctx.stdout(text);
      if (missing.length) ctx.stderr(`vmilist image: fill in ${missing.length} null field(s): ${missing.join(', ')}\n`);
    }
    return 0;
  },
};
