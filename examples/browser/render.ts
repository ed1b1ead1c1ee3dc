/**
 * Shows a verdict. Everything from the list is untrusted text until verified
 * and still text after: it goes in with textContent, never as HTML.
 */
import { imagesOf } from '../../src/index.js';
import type { Elements } from './dom.js';
import { checksumPrefix, humanSize } from './format.js';
import type { PageVerdict } from './verify.js';

function text(el: HTMLElement, value: string | undefined): void {
  el.textContent = value ?? '';
}

/** Puts the page in the "working" state while a verification runs. */
export function renderWorking(els: Elements): void {
  els.result.hidden = false;
  els.verdict.dataset['state'] = 'working';
  text(els.verdict, 'Verifying…');
  for (const el of [els.errorCode, els.errorSentence, els.errorDetail]) text(el, '');
  els.details.hidden = true;
}

/** Shows a finished verification. */
export function renderVerdict(els: Elements, v: PageVerdict): void {
  els.result.hidden = false;
  els.verdict.dataset['state'] = v.ok ? 'verified' : 'failed';
  text(els.verdict, v.ok ? '✔ verified' : '✘ not verified');
  text(els.errorCode, v.ok ? '' : v.code);
  text(els.errorSentence, v.ok ? '' : v.sentence);
  text(els.errorDetail, v.ok ? '' : v.message);
  els.imagesBody.replaceChildren();
  els.warnings.replaceChildren();
  const verified = v.verified;
  if (!v.ok || !verified) {
    els.details.hidden = true;
    return;
  }
  els.details.hidden = false;
  const list = verified.list;
  text(els.signerDn, verified.signer.dn);
  text(els.signerIssuer, verified.signer.issuer);
  text(els.signerDigest, verified.digestAlgorithm);
  text(els.verifiedAt, v.at);
  text(els.listTitle, list['dc:title'] ?? '(untitled)');
  text(els.listVersion, list['hv:version']);
  text(els.listCreated, list['dc:date:created']);
  text(els.listExpires, list['dc:date:expires']);
  text(els.listId, list['dc:identifier']);
  for (const w of verified.warnings) {
    const li = document.createElement('li');
    li.textContent = `${w.path}: ${w.message}`;
    els.warnings.append(li);
  }
  for (const image of imagesOf(list)) {
    const row = document.createElement('tr');
    row.dataset['sha512'] = image['sl:checksum:sha512'].toLowerCase();
    row.dataset['size'] = String(image['hv:size']);
    const os = [image['sl:os'], image['sl:osversion']].filter((s) => s).join(' ');
    const cells: [string, string?][] = [
      [image['dc:title'] ?? image['dc:identifier']],
      [os],
      [image['sl:arch'] ?? ''],
      [humanSize(image['hv:size']), 'num'],
      [image['hv:version'] ?? ''],
      [checksumPrefix(image['sl:checksum:sha512']), 'hash'],
    ];
    for (const [value, cls] of cells) {
      const td = document.createElement('td');
      td.textContent = value;
      if (cls) td.className = cls;
      row.append(td);
    }
    row.cells[3]?.setAttribute('title', `${image['hv:size']} bytes`);
    row.cells[5]?.setAttribute('title', image['sl:checksum:sha512']);
    els.imagesBody.append(row);
  }
}
