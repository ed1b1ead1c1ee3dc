import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { VmiListError } from '../../errors.js';
import { DEFAULT_MAX_LIST_BYTES, decodeUtf8, parseStrictJson } from '../../model/json.js';
import { validateImageList } from '../../model/parse.js';
import { serializeJson } from '../../model/serialize.js';
import { imagesOf } from '../../model/types.js';
import { prepareListForSigning, signImageList } from '../../smime/sign.js';
import type { SignDigest } from '../../smime/types.js';
import { parseCommandArgs } from '../args.js';
import { printJson, printWarnings, usageError, type CliContext, type Command } from '../context.js';
import { readInput, writeOutput } from '../io.js';

const USAGE = 'vmilist sign <list.json> --cert CERT.pem --key KEY.pem -o SIGNED [--chain CHAIN.pem] [--digest sha256|sha512] [--opaque] [--bump] [--lifetime DAYS] [--write-list FILE] [--json]';

export const command: Command = {
  name: 'sign',
  summary: 'sign an image list with your grid certificate (S/MIME)',
  help: `Usage: ${USAGE}

Signs an image list as S/MIME, the form subscribers (vmcatcher, cloudkeeper,
vmilist verify) expect. Before signing, the list's hv:endorser is filled in
from the certificate (hv:dn, hv:ca), and signing is refused when the list
names another endorser or the certificate may not sign (keyUsage). The list
is checked against the schema, then the signed message is written to -o
atomically (never half-written).

  --cert FILE          your certificate (PEM); further certificates in the same
                       file are embedded as the chain
  --key FILE           its private key (PEM: PKCS#8, RSA or EC). An encrypted
                       key needs --passphrase-file (or decrypt it first:
                       openssl pkey -in key.pem -out key-plain.pem)
  --passphrase-file F  read the key's passphrase from the first line of F
  --chain FILE         intermediate CA certificates to embed (PEM)
  --digest ALG         sha512 (default), sha384 or sha256
  --opaque             write application/pkcs7-mime (content inside the
                       signature) instead of multipart/signed (readable text)
  -o, --output FILE    where to write the signed list (required)
  --bump               raise hv:version and set dc:date:created to now (and
                       dc:date:expires to now + --lifetime days); the updated
                       list is written back to <list.json> (or --write-list)
                       so the next signing starts from it
  --lifetime DAYS      with --bump: days until dc:date:expires (default 28)
  --write-list FILE    write the list as signed (endorser filled, bumped) to
                       FILE instead of back to <list.json>
  --json               print {"ok":true,"output":…,"list":…,"version":…,…}

Warnings (e.g. the list outlives the certificate) go to standard error.`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        cert: { type: 'string' },
        key: { type: 'string' },
        'passphrase-file': { type: 'string' },
        chain: { type: 'string' },
        digest: { type: 'string' },
        opaque: { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        bump: { type: 'boolean' },
        lifetime: { type: 'string' },
        'write-list': { type: 'string' },
      },
      { min: 1, max: 1, usage: USAGE },
    );
    const listPath = positionals[0] as string;
    if (!values.cert) throw usageError(`--cert is required; usage: ${USAGE}`);
    if (!values.key) throw usageError(`--key is required; usage: ${USAGE}`);
    if (!values.output) throw usageError(`-o/--output is required; usage: ${USAGE}`);
    const digest = parseDigest(values.digest);
    const lifetimeDays = values.lifetime === undefined ? undefined : parseLifetime(values.lifetime);
    if (lifetimeDays !== undefined && !values.bump) throw usageError('--lifetime only applies with --bump');

    const now = ctx.now();
    const doc = parseStrictJson(decodeUtf8(await readInput(ctx, listPath, DEFAULT_MAX_LIST_BYTES, 'ERR_JSON_MALFORMED'), listPath), { source: listPath });
    const { certificate, embedded } = splitCertificates(await readText(ctx, values.cert), values.cert);
    const chain = [...embedded, ...(values.chain ? splitCertificates(await readText(ctx, values.chain), values.chain).all : [])];
    const passphrase = values['passphrase-file'] ? firstLine(await readText(ctx, values['passphrase-file'])) : undefined;
    const privateKey = loadPrivateKey(await readText(ctx, values.key), values.key, passphrase);
    checkKeyMatches(certificate, privateKey, values.cert, values.key);

    const prepared = prepareListForSigning(doc, certificate, {
      now,
      ...(values.bump ? { bump: true } : {}),
      ...(lifetimeDays !== undefined ? { lifetimeDays } : {}),
    });
    // The canonical form is what gets signed: dialect forms are normalised (and reported).
    const { document, list, warnings: dialect } = validateImageList(prepared.document, { source: listPath });
    const warnings = [...prepared.warnings, ...dialect].map(describeWarning);
    printWarnings(ctx, 'vmilist sign: warning: ', warnings.map((message) => ({ message })));

    const signed = await signImageList(document, {
      certificate,
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      chain,
      digest,
      detached: values.opaque !== true,
      signingTime: now,
    });
    await writeOutput(ctx, values.output, signed);
    const listOutput = values['write-list'] ?? (values.bump ? listPath : undefined);
    if (listOutput !== undefined) await writeOutput(ctx, listOutput, serializeJson(document));

    if (values.json) {
      printJson(ctx, {
        ok: true,
        output: values.output,
        listOutput: listOutput ?? null,
        identifier: list['dc:identifier'],
        version: list['hv:version'],
        created: list['dc:date:created'],
        expires: list['dc:date:expires'],
        images: imagesOf(list).length,
        digestAlgorithm: digest,
        detached: values.opaque !== true,
        warnings,
      });
    } else {
      ctx.stderr(
        `vmilist sign: wrote ${values.output} (${values.opaque ? 'opaque' : 'detached'}, ${digest}): list ${list['dc:identifier']} version ${list['hv:version']}, ${imagesOf(list).length} image(s), expires ${list['dc:date:expires']}${listOutput !== undefined ? `; list written to ${listOutput}` : ''}\n`,
      );
    }
    return 0;
  },
};

function parseDigest(value: string | undefined): SignDigest {
  if (value === undefined) return 'sha512';
  const v = value.toLowerCase().replace('-', '');
  if (v === 'sha256' || v === 'sha384' || v === 'sha512') return v;
  throw usageError(`--digest must be sha256, sha384 or sha512, not '${value}'`);
}

function parseLifetime(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw usageError(`--lifetime must be a positive number of days, not '${value}'`);
  return n;
}

async function readText(ctx: CliContext, path: string): Promise<string> {
  return new TextDecoder().decode(await readInput(ctx, path));
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The first certificate of a PEM file (the signer) and the others (chain). */
function splitCertificates(text: string, path: string): { certificate: string; embedded: string[]; all: string[] } {
  const all = [...text.matchAll(CERT_BLOCK)].map((m) => `${m[0]}\n`);
  const [certificate, ...embedded] = all;
  if (certificate === undefined) throw usageError(`${path}: no PEM certificate (-----BEGIN CERTIFICATE-----) found`);
  return { certificate, embedded, all };
}

/** Reads a PEM private key with node:crypto, which knows PKCS#8, RSA, EC and encrypted forms. */
function loadPrivateKey(text: string, path: string, passphrase: string | undefined): KeyObject {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text) || /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(text);
  if (!/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(text)) {
    throw usageError(`${path}: no PEM private key (-----BEGIN PRIVATE KEY-----) found`);
  }
  if (encrypted && passphrase === undefined) {
    throw usageError(
      `${path}: the private key is encrypted; give --passphrase-file FILE, or decrypt it first: openssl pkey -in ${path} -out key-plain.pem (keep that file private)`,
    );
  }
  try {
    return createPrivateKey(encrypted ? { key: text, format: 'pem', passphrase: passphrase ?? '' } : { key: text, format: 'pem' });
  } catch (cause) {
    const why = encrypted ? 'wrong passphrase or unsupported encryption' : (cause as Error).message;
    throw new VmiListError('ERR_INPUT', `${path}: cannot read the private key: ${why}`, { cause });
  }
}

function checkKeyMatches(certificatePem: string, key: KeyObject, certPath: string, keyPath: string): void {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch (cause) {
    throw new VmiListError('ERR_INPUT', `${certPath}: not a readable certificate: ${(cause as Error).message}`, { cause });
  }
  if (!cert.checkPrivateKey(key)) {
    throw new VmiListError('ERR_INPUT', `${keyPath} is not the private key of ${certPath} (${cert.subject.replace(/\n/g, ', ')})`);
  }
}

function describeWarning(w: unknown): string {
  if (typeof w === 'string') return w;
  const o = w as { path?: string; message?: string };
  return o.path ? `${o.path}: ${o.message ?? ''}` : String(o.message ?? w);
}
