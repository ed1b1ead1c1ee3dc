import { DEFAULT_MAX_LIST_BYTES } from '../../model/json.js';
import { toEpochMs, formatListDate } from '../../model/dates.js';
import { imagesOf } from '../../model/types.js';
import { verifySignedList } from '../../smime/verify.js';
import type { CertProfile, CrlPolicy } from '../../smime/types.js';
import { digestInPlaceCrypto } from '../../node/digest-crypto.js';
import { parseCommandArgs } from '../args.js';
import { printWarnings, usageError, type Command } from '../context.js';
import { JsonText, writeJsonLine } from '../json-stream.js';
import { oneLine, signedListText } from '../list-text.js';
import { readInput } from '../io.js';
import { DEFAULT_CA_DIR, isUrl } from '../../node/site/sources.js';
import { loadTrust, principalsOf } from '../trust.js';

const USAGE = 'vmilist verify <file|url> [--ca-dir DIR] [--crl-dir DIR] [--at TIME] [--endorser-dn DN]... [--endorser-ca DN] [options] [--json]';


export const command: Command = {
  name: 'verify',
  summary: 'verify a signed image list (signature, CA chain, CRLs, endorser, dates)',
  help: `Usage: ${USAGE}

Checks a signed image list the way a subscriber must before trusting it:
the S/MIME signature, the signer's certificate chain up to a CA in the CA
directory, that every CA in the chain has a current CRL that does not revoke
it, the IGTF namespace (.namespaces / .signing_policy) of the issuing CA,
that the signer is the endorser named in the list (hv:dn / hv:ca), and that
the list is neither expired nor created in the future.
Nothing is trusted unless all of that holds; the list is printed only then.

The input is a file or an https:// URL (at most 64 MiB).

Trust:
  --ca-dir DIR          IGTF CA directory (<hash>.0, <hash>.r0, *.pem, *.namespaces,
                        *.signing_policy); default $X509_CERT_DIR, else
                        ${DEFAULT_CA_DIR}. Every CA in it is trusted.
  --crl-dir DIR         a further directory of CRLs (e.g. where fetch-crl writes)
  --crl-policy P        require (default): every CA in the chain needs a valid CRL;
                        if-present: check CRLs only where there is one;
                        off: do not check revocation (not recommended)
  --crl-grace SECONDS   accept a CRL up to this long after its nextUpdate (default 0)
  --endorser-dn DN      accept only this signer (OpenSSL /C=../CN=.. or RFC 4514
                        form); repeat for several
  --endorser-ca DN      with --endorser-dn: the signer's certificate must be
                        issued by this CA
  --cert-profile P      grid (default): personal or host certificates;
                        smime: the certificate must allow e-mail protection
Checks:
  --at TIME             verify as of TIME (ISO 8601, e.g. 2026-01-31T12:00:00Z)
                        instead of now: certificates, CRLs and list dates
  --allow-sha1          accept SHA-1 signatures (lists signed before ~2016)
  --strict              refuse dialect forms of the list (sizes as strings, …)
  --allow-http          allow an http:// URL (the signature still protects the
                        content, but not from being replaced by an older list)
Output:
  --json                on success {"ok":true,"list":…,"signer":{…},
                        "digestAlgorithm":…,"warnings":[…]}; on failure
                        {"ok":false,"error":{"code":…,"message":…}}

Exit codes: 0 verified, 1 verification failed (the list must not be used),
2 usage or I/O error (nothing was verified).`,
  async run(args, ctx) {
    const { values, positionals } = parseCommandArgs(
      args,
      {
        'ca-dir': { type: 'string' },
        'crl-dir': { type: 'string' },
        at: { type: 'string' },
        'endorser-dn': { type: 'string', multiple: true },
        'endorser-ca': { type: 'string' },
        'allow-sha1': { type: 'boolean' },
        'crl-policy': { type: 'string' },
        'crl-grace': { type: 'string' },
        'cert-profile': { type: 'string' },
        strict: { type: 'boolean' },
        'allow-http': { type: 'boolean' },
      },
      { min: 1, max: 1, usage: USAGE },
    );
    const source = positionals[0] as string;
    const at = values.at === undefined ? ctx.now().getTime() : toEpochMs(values.at, '--at');
    const crlPolicy = oneOf<CrlPolicy>('--crl-policy', values['crl-policy'], ['require', 'if-present', 'off']);
    const certProfile = oneOf<CertProfile>('--cert-profile', values['cert-profile'], ['grid', 'smime']);
    const crlGraceSeconds = values['crl-grace'] === undefined ? undefined : seconds('--crl-grace', values['crl-grace']);
    const endorsers = principalsOf(values['endorser-dn'], values['endorser-ca']);

    // a file is read before the trust store (its errors come first); a URL is
    // fetched after it, so https may be verified with the IGTF CAs as well
    const local = isUrl(source) ? undefined : await readInput(ctx, source, DEFAULT_MAX_LIST_BYTES);
    const store = await loadTrust(ctx, values, 'verify');
    // node:https and friends load only for a URL
    const bytes = local ?? (await (await import('../../node/fetch.js')).fetchList(source, { allowHttp: values['allow-http'] === true, ca: store.trustAnchors })).bytes;

    const verified = await verifySignedList(bytes, {
      trustAnchors: store.trustAnchors,
      intermediates: store.intermediates,
      crls: store.crls,
      namespaces: store.namespaces,
      at,
      ...(endorsers ? { endorsers } : {}),
      ...(values['allow-sha1'] ? { allowSha1: true } : {}),
      ...(crlPolicy ? { crlPolicy } : {}),
      ...(crlGraceSeconds !== undefined ? { crlGraceSeconds } : {}),
      ...(certProfile ? { certProfile } : {}),
      ...(values.strict ? { strict: true } : {}),
      crypto: digestInPlaceCrypto(),
    });

    const { dn, issuer, serial, notBefore, notAfter } = verified.signer;
    if (values.json) {
      // streamed, with backpressure: the list as it was signed where that text is the
      // verified list and safe to print, else serialised as it is written
      const text = signedListText(verified);
      await writeJsonLine(ctx.writeStdout ?? ctx.stdout, {
        ok: true,
        list: text ? new JsonText(() => oneLine(text)) : verified.list,
        signer: { dn, issuer, serial, notBefore, notAfter },
        digestAlgorithm: verified.digestAlgorithm,
        warnings: verified.warnings,
      }, ctx.writeStdoutBytes);
      return 0;
    }
    const list = verified.list;
    const lines = [
      `${source}: verified at ${formatListDate(at)}`,
      `  signer:   ${dn}`,
      `  issuer:   ${issuer} (serial ${serial}, valid ${notBefore} to ${notAfter})`,
      `  digest:   ${verified.digestAlgorithm}`,
      `  list:     ${list['dc:title'] ?? '(no title)'} — ${list['dc:identifier']}`,
      `  version:  ${list['hv:version']}, created ${list['dc:date:created']}, expires ${list['dc:date:expires']}`,
      `  images:   ${imagesOf(list).length}`,
    ];
    ctx.stdout(`${lines.join('\n')}\n`);
    printWarnings(ctx, '  warning: ', verified.warnings);
    return 0;
  },
};

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw usageError(`${flag} must be one of ${allowed.join(', ')}, not '${value}'`);
  return value as T;
}

function seconds(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw usageError(`${flag} must be a whole number of seconds, not '${value}'`);
  return n;
}
