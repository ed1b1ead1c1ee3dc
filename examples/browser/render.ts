/**
 * Shows a verdict. Everything from the list is untrusted text until verified
 * and still text after: it goes in with textContent, never as HTML. The
 * banner always names the file (and its SHA-256) it is about.
 */
import type { Elements } from './dom.js';
import { humanSize } from './format.js';
import type { ImagesTable } from './images-table.js';
import type { InputFile, PageVerdict } from './protocol.js';

function text(el: HTMLElement, value: string | undefined): void {
  el.textContent = value ?? '';
}

function fileLine(f: InputFile | undefined): string {
  return f ? `${f.name} · ${humanSize(f.size)} · SHA-256 ${f.sha256}` : '';
}

/** Removes any verdict: called on every change of input, so no verdict outlives what it was about. */
export function clearVerdict(els: Elements, table: ImagesTable): void {
  els.result.hidden = true;
  els.verdict.dataset['state'] = 'idle';
  text(els.verdictWord, '');
  text(els.verdictFile, '');
  for (const el of [els.errorCode, els.errorSentence, els.errorInput, els.errorDetail]) text(el, '');
  els.notes.replaceChildren();
  els.details.hidden = true;
  els.verifyProgress.hidden = true;
  els.cancelVerify.hidden = true;
  table.show([]);
}

/** Puts the page in the "working" state while a verification runs. */
export function renderWorking(els: Elements, table: ImagesTable, name: string): void {
  clearVerdict(els, table);
  els.result.hidden = false;
  els.verdict.dataset['state'] = 'working';
  text(els.verdictWord, 'Verifying…');
  text(els.verdictFile, name);
  els.verifyProgress.hidden = false;
  els.cancelVerify.hidden = false;
}

function days(fromIso: string, toIso: string): string {
  const d = Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 86_400_000);
  if (!Number.isFinite(d)) return '';
  const n = Math.abs(d).toLocaleString('en');
  return d >= 0 ? ` (in ${n} day${Math.abs(d) === 1 ? '' : 's'})` : ` (${n} day${Math.abs(d) === 1 ? '' : 's'} ago)`;
}

/** Shows a finished verification. */
export function renderVerdict(els: Elements, table: ImagesTable, v: PageVerdict): void {
  clearVerdict(els, table);
  els.result.hidden = false;
  els.verdict.dataset['state'] = v.ok ? 'verified' : 'failed';
  text(els.verdictWord, v.ok ? '✔ verified' : '✘ not verified');
  text(els.verdictFile, fileLine(v.file));
  text(els.errorCode, v.ok ? '' : v.code);
  text(els.errorSentence, v.ok ? '' : v.sentence);
  text(els.errorInput, v.ok ? '' : v.input);
  text(els.errorDetail, v.ok ? '' : v.message);
  for (const note of v.notes ?? []) {
    const li = document.createElement('li');
    li.textContent = note;
    els.notes.append(li);
  }
  const view = v.view;
  if (!v.ok || !view) return;
  els.details.hidden = false;
  text(els.signerDn, view.signer.dn);
  text(els.signerIssuer, view.signer.issuer);
  text(els.signerSerial, view.signer.serial);
  text(els.signerNotBefore, `${view.signer.notBefore}${days(v.at, view.signer.notBefore)}`);
  text(els.signerNotAfter, `${view.signer.notAfter}${days(v.at, view.signer.notAfter)}`);
  text(els.signerDigest, view.digest);
  text(els.verifiedAt, v.at);
  text(els.listTitle, view.title);
  text(els.listVersion, view.version);
  text(els.listCreated, view.created);
  text(els.listExpires, view.expires);
  text(els.listId, view.id);
  for (const w of view.warnings) {
    const li = document.createElement('li');
    li.textContent = w;
    els.warnings.append(li);
  }
  table.show(view.images);
}
