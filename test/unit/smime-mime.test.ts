// Step 1, the MIME envelope: parseSmime on every message shape of the
// vectors and on hand-made broken envelopes; parseContentType.
import { describe, expect, it } from 'vitest';
import { parseSmime } from '../../src/index.js';
import { parseContentType } from '../../src/smime/mime.js';
import { VmiListError } from '../../src/errors.js';
import { readBytes, readText } from '../support/files.js';
import { errorCode } from '../support/errors.js';

const signed = (f: string) => readBytes(`vectors/signed/${f}`);
const enc = new TextEncoder();
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const lf = (b: Uint8Array | undefined) => text(b).replace(/\r\n/g, '\n');
const aliceList = await readText('vectors/lists/alice.json');

const code = errorCode;

describe('parseSmime on the vectors', () => {
  it('openssl smime detached: x-pkcs7-signature, content part as received (CRLF), micalg', async () => {
    const p = parseSmime(await signed('alice-sha512.smime'));
    expect(p.kind).toBe('detached');
    expect(p.micalg).toBe('sha-512');
    expect(p.headers['content-type']).toMatch(/protocol="application\/x-pkcs7-signature"/);
    expect(text(p.content)).toContain('\r\n');
    expect(lf(p.content)).toBe(aliceList);
    expect(p.cms[0]).toBe(0x30);
  });

  it('openssl cms detached: pkcs7-signature protocol', async () => {
    const p = parseSmime(await signed('alice-cms-sha384.smime'));
    expect(p.kind).toBe('detached');
    expect(p.headers['content-type']).toMatch(/protocol="application\/pkcs7-signature"/);
    expect(lf(p.content)).toBe(aliceList);
  });

  it.each(['alice-opaque.smime', 'alice-cms-opaque.smime'])('%s: opaque, no separate content', async (f) => {
    const p = parseSmime(await signed(f));
    expect(p.kind).toBe('opaque');
    expect(p.content).toBeUndefined();
    expect(p.cms[0]).toBe(0x30);
  });

  it('raw DER and PEM CMS are taken as they are, with no headers', async () => {
    const der = await signed('alice-raw.der');
    const p = parseSmime(der);
    expect(p.kind).toBe('opaque');
    expect(p.cms).toEqual(der);
    expect(p.headers).toEqual({});
    const pem = parseSmime(await signed('alice-raw.pem'));
    expect([pem.kind, pem.cms[0]]).toEqual(['opaque', 0x30]);
  });

  it('LF, CRLF and mixed copies of one message give the same signed text and the same CMS', async () => {
    const base = parseSmime(await signed('alice-sha512.smime'));
    for (const f of ['alice-sha512-lf.smime', 'alice-sha512-crlf.smime', 'alice-sha512-mixed.smime']) {
      const p = parseSmime(await signed(f));
      expect(lf(p.content), f).toBe(lf(base.content));
      expect(p.cms, f).toEqual(base.cms);
    }
    // the LF copy keeps its LF bytes: content is never re-serialised
    expect(text(parseSmime(await signed('alice-sha512-lf.smime')).content)).not.toContain('\r');
  });

  it.each([
    ['truncated.smime', 'cut inside the signature part'],
    ['garbage.bin', 'random bytes'],
    ['empty.smime', 'zero bytes'],
    ['two-content-types.smime', 'two Content-Type headers'],
  ])('%s (%s): ERR_MIME_MALFORMED', async (f) => {
    const b = await signed(f);
    expect(code(() => parseSmime(b))).toBe('ERR_MIME_MALFORMED');
  });
});

describe('parseSmime on hand-made envelopes', () => {
  const sig = 'MIIBAgEB'; // base64 of a few DER-ish bytes; parseSmime does not parse the CMS
  const multipart = (o: { ct?: string; parts?: string[]; boundary?: string; sigHeaders?: string; close?: boolean; eol?: string } = {}): string => {
    const eol = o.eol ?? '\r\n';
    const b = o.boundary ?? 'BOUND';
    const ct = o.ct ?? `multipart/signed; protocol="application/pkcs7-signature"; micalg="sha-256"; boundary="${b}"`;
    const parts = o.parts ?? [`{"a":1}${eol}`, `${o.sigHeaders ?? `Content-Type: application/pkcs7-signature${eol}Content-Transfer-Encoding: base64${eol}`}${eol}${sig}${eol}`];
    return `MIME-Version: 1.0${eol}Content-Type: ${ct}${eol}${eol}preamble${eol}${parts.map((p) => `--${b}${eol}${p}`).join('')}${o.close === false ? '' : `--${b}--${eol}`}`;
  };

  it('a minimal well-formed message parses; the content excludes the line break before the boundary', () => {
    const p = parseSmime(multipart());
    expect(p.kind).toBe('detached');
    expect(text(p.content)).toBe('{"a":1}\r\n'.slice(0, -2));
    expect(p.cms).toEqual(Uint8Array.from([0x30, 0x82, 0x01, 0x02, 0x01, 0x01]));
  });

  it('works with LF line ends, folded headers and a boundary inside the content that is not at a line start', () => {
    const folded = multipart({ eol: '\n', ct: 'multipart/signed;\n protocol="application/x-pkcs7-signature";\n\tboundary="BOUND"', parts: ['x --BOUND y\n', `Content-Type: application/x-pkcs7-signature\nContent-Transfer-Encoding: base64\n\n${sig}\n`] });
    expect(text(parseSmime(folded).content)).toBe('x --BOUND y');
  });

  it('accepts an opaque application/pkcs7-mime message with a base64 body', () => {
    const p = parseSmime(`MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: base64\r\n\r\n${sig}\r\n`);
    expect(p.kind).toBe('opaque');
  });

  it.each([
    ['no Content-Type', 'MIME-Version: 1.0\r\n\r\nbody'],
    ['headers never end', 'Content-Type: multipart/signed; boundary=x'],
    ['a text type', 'Content-Type: text/plain\r\n\r\nhello'],
    ['multipart/mixed', multipart({ ct: 'multipart/mixed; boundary="BOUND"' })],
    ['no protocol', multipart({ ct: 'multipart/signed; boundary="BOUND"' })],
    ['a PGP protocol', multipart({ ct: 'multipart/signed; protocol="application/pgp-signature"; boundary="BOUND"' })],
    ['no boundary parameter', multipart({ ct: 'multipart/signed; protocol="application/pkcs7-signature"' })],
    ['the boundary never appears', multipart({ ct: 'multipart/signed; protocol="application/pkcs7-signature"; boundary="OTHER"' })],
    ['only one part', multipart({ parts: ['{"a":1}\r\n'] })],
    ['three parts', multipart({ parts: ['{"a":1}\r\n', `Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n\r\n${sig}\r\n`, 'more\r\n'] })],
    ['no closing boundary', multipart({ close: false })],
    ['signature part not base64', multipart({ sigHeaders: 'Content-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: quoted-printable\r\n' })],
    ['signature part of another type', multipart({ sigHeaders: 'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n' })],
    ['a header twice', multipart({ sigHeaders: 'Content-Type: application/pkcs7-signature\r\nContent-Type: application/pkcs7-signature\r\nContent-Transfer-Encoding: base64\r\n' })],
    ['invalid base64 in the signature', multipart().replace(sig, 'MII*AgEB')],
    ['an empty signature', multipart().replace(sig, '')],
    ['opaque but enveloped-data', `Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\nContent-Transfer-Encoding: base64\r\n\r\n${sig}\r\n`],
    ['opaque without base64', `Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n\r\n${sig}\r\n`],
    ['a header line without a colon', `Content-Type: application/pkcs7-mime\r\nnot a header\r\n\r\n${sig}`],
    ['PEM with two CMS blocks', `-----BEGIN CMS-----\n${sig}\n-----END CMS-----\n-----BEGIN CMS-----\n${sig}\n-----END CMS-----\n`],
  ])('%s: ERR_MIME_MALFORMED', (_, msg) => {
    expect(code(() => parseSmime(msg))).toBe('ERR_MIME_MALFORMED');
    expect(code(() => parseSmime(enc.encode(msg)))).toBe('ERR_MIME_MALFORMED');
  });
});

describe('parseContentType', () => {
  it('lower-cases type and parameter names, unquotes and unescapes values', () => {
    expect(parseContentType('Multipart/Signed; Protocol="application/x-pkcs7-signature"; micalg=SHA-256; boundary="a\\"b"')).toEqual({
      type: 'multipart/signed',
      params: { protocol: 'application/x-pkcs7-signature', micalg: 'SHA-256', boundary: 'a"b' },
    });
  });

  it.each(['not a type', 'multipart/signed; boundary', 'multipart/signed; a=1; A=2', 'multipart/signed; a="unterminated'])('refuses %s', (v) => {
    expect(code(() => parseContentType(v))).toBe('ERR_MIME_MALFORMED');
  });
});
