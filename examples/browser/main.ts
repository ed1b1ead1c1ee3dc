/**
 * The browser example: verify a signed VM image list and check an image
 * file, entirely client-side, under a strict Content-Security-Policy.
 * Verification and hashing run in a worker (worker.ts), so the page stays
 * responsive; any change of input clears the verdict, so a verdict on
 * screen is always about the file named in it.
 * In an application, import from 'vmilist' instead of the source tree.
 */
import { installAutomationHook } from './automation.js';
import { lookupElements, type Elements } from './dom.js';
import { errorSentence, humanSize } from './format.js';
import { matchImage } from './hash-image.js';
import { ImagesTable } from './images-table.js';
import type { ImageHash, ImageRow, PageVerdict } from './protocol.js';
import { clearVerdict, renderVerdict, renderWorking } from './render.js';
import { addTrustFile, describeTrust, emptyTrust, type TrustFiles, type TrustRole } from './trust.js';
import { Cancelled, PageWorker } from './worker-client.js';

const CRL_POLICIES = ['require', 'if-present', 'off'] as const;

async function bytesOf(file: Blob): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** Reads the three trust pickers into one collection. */
async function gatherTrust(els: Elements): Promise<TrustFiles> {
  const trust = emptyTrust();
  const pickers: [HTMLInputElement, TrustRole][] = [
    [els.caFiles, 'anchor'],
    [els.intermediateFiles, 'intermediate'],
    [els.crlFiles, 'crl'],
  ];
  for (const [input, role] of pickers) {
    for (const file of Array.from(input.files ?? [])) addTrustFile(trust, file.name, await bytesOf(file), role);
  }
  return trust;
}

/** An input problem found before the worker is asked: shown as a verdict like any other. */
class InputProblem extends Error {
  constructor(
    readonly code: 'ERR_INPUT' | 'ERR_IO',
    message: string,
  ) {
    super(message);
  }
}

/** Fetches a list from this site only: the page has no business fetching elsewhere (and the CSP says so). */
async function fetchSameOrigin(text: string): Promise<{ name: string; bytes: Uint8Array }> {
  let url: URL;
  try {
    url = new URL(text, location.href);
  } catch {
    throw new InputProblem('ERR_INPUT', `"${text}" is not a URL`);
  }
  if (url.origin !== location.origin) {
    throw new InputProblem('ERR_INPUT', `${url.href} is not on this site (${location.origin}); download the list and pick the file instead`);
  }
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new InputProblem('ERR_IO', `GET ${url.pathname} answered HTTP ${res.status}`);
  return { name: url.pathname, bytes: new Uint8Array(await res.arrayBuffer()) };
}

function rate(bytes: number, millis: number): string {
  return millis > 0 ? `${(bytes / 1e6 / (millis / 1000)).toFixed(0)} MB/s` : '';
}

function start(): void {
  const els = lookupElements();
  const table = new ImagesTable({ body: els.imagesBody, filter: els.imagesFilter, status: els.imagesStatus, prev: els.imagesPrev, next: els.imagesNext });
  const workerUrl = new URL('worker.js', import.meta.url);
  const verifier = new PageWorker(workerUrl);
  const hasher = new PageWorker(workerUrl);
  let dropped: File | null = null;
  let images: readonly ImageRow[] | null = null;
  let lastHash: ImageHash | null = null;
  // bumped by every change of input: a verdict for an older generation is dropped
  let generation = 0;

  const chosenList = (): File | null => dropped ?? els.listFile.files?.[0] ?? null;
  const showChosen = (): void => {
    const f = chosenList();
    els.listChosen.textContent = f ? `${f.name} (${humanSize(f.size)})` : '';
  };

  const showMatch = (): void => {
    if (!lastHash) {
      table.highlight(undefined);
      return;
    }
    if (!images) {
      els.hashResult.dataset['match'] = '';
      els.hashResult.textContent = 'Verify a list to compare this image with its entries.';
      table.highlight(undefined);
      return;
    }
    const m = matchImage(images, lastHash);
    table.highlight(m.kind === 'match' ? lastHash.sha512 : undefined);
    els.hashResult.dataset['match'] = m.kind === 'match' ? 'yes' : 'no';
    els.hashResult.textContent =
      m.kind === 'match'
        ? `✔ matches "${m.image.title}" (${m.image.id}): SHA-512 and size agree.`
        : m.kind === 'size-differs'
          ? `✘ the SHA-512 matches "${m.image.title}" but the size differs (${lastHash.size} bytes, list says ${m.image.size}).`
          : '✘ no entry of the verified list has this SHA-512 and size.';
  };

  /** Any change of input: the verdict on screen (or on its way) is no longer about what is shown. */
  const invalidate = (): void => {
    generation++;
    verifier.cancelAll();
    images = null;
    els.verifyButton.disabled = false;
    clearVerdict(els, table);
    showMatch();
  };

  const onVerdict = (v: PageVerdict): void => {
    images = v.ok && v.view ? v.view.images : null;
    showMatch();
  };

  // --- list sources: a picked or dropped file wins over the URL field
  els.listFile.addEventListener('change', () => {
    dropped = null;
    if (els.listFile.files?.length) els.listUrl.value = '';
    showChosen();
    invalidate();
  });
  els.listUrl.addEventListener('input', () => {
    if (els.listUrl.value.trim() !== '') {
      dropped = null;
      els.listFile.value = '';
      showChosen();
    }
    invalidate();
  });
  els.dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    els.dropZone.classList.add('over');
  });
  els.dropZone.addEventListener('dragleave', () => els.dropZone.classList.remove('over'));
  els.dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    els.dropZone.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (!f) return;
    dropped = f;
    els.listFile.value = '';
    els.listUrl.value = '';
    showChosen();
    invalidate();
  });

  // --- trust summary, so people see what their files turned into
  const updateTrust = async (): Promise<void> => {
    els.trustSummary.textContent = describeTrust(await gatherTrust(els));
  };
  for (const input of [els.caFiles, els.intermediateFiles, els.crlFiles]) {
    input.addEventListener('change', () => {
      invalidate();
      void updateTrust();
    });
  }
  els.contentFile.addEventListener('change', invalidate);
  els.at.addEventListener('input', invalidate);
  els.crlPolicy.addEventListener('change', invalidate);
  els.allowSha1.addEventListener('change', invalidate);
  els.cancelVerify.addEventListener('click', () => {
    invalidate();
    els.listChosen.textContent = 'Verification cancelled.';
  });

  // --- verification, in the worker
  const verify = async (): Promise<void> => {
    invalidate();
    const mine = generation;
    const file = chosenList();
    const url = els.listUrl.value.trim();
    els.verifyButton.disabled = true;
    renderWorking(els, table, file?.name ?? url);
    let v: PageVerdict;
    try {
      if (!file && url === '') throw new InputProblem('ERR_INPUT', 'no signed list: pick or drop a file, or enter a URL on this site');
      const list = file ? { name: file.name, bytes: await bytesOf(file) } : await fetchSameOrigin(url);
      const contentFile = els.contentFile.files?.[0];
      const policy = CRL_POLICIES.find((p) => p === els.crlPolicy.value) ?? 'require';
      const trust = await gatherTrust(els);
      if (mine !== generation) return;
      v = await verifier.verify({
        name: list.name,
        message: list.bytes,
        content: contentFile ? { name: contentFile.name, bytes: await bytesOf(contentFile) } : undefined,
        trust,
        at: els.at.value,
        options: { crlPolicy: policy, allowSha1: els.allowSha1.checked },
      });
    } catch (err) {
      if (err instanceof Cancelled || mine !== generation) return;
      const code = err instanceof InputProblem ? err.code : 'UNEXPECTED';
      v = { ok: false, at: '', code, message: err instanceof Error ? err.message : String(err), sentence: errorSentence(code) };
    }
    if (mine !== generation) return; // the input changed meanwhile: this verdict is about something no longer shown
    els.verifyButton.disabled = false;
    renderVerdict(els, table, v);
    onVerdict(v);
  };
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void verify();
  });

  // --- image hashing, in the other worker
  let hashing: { cancel: () => void } | null = null;
  els.cancelHash.addEventListener('click', () => hashing?.cancel());
  els.imageFile.addEventListener('change', () => {
    hashing?.cancel();
    hashing = null;
    lastHash = null;
    showMatch();
    els.hashResult.dataset['match'] = '';
    els.hashResult.textContent = '';
    els.hashBackend.textContent = '';
    delete els.hashBackend.dataset['backend'];
    els.hashRate.textContent = '';
    const file = els.imageFile.files?.[0];
    if (!file) {
      els.hashStatus.textContent = '';
      els.hashProgress.value = 0;
      return;
    }
    els.hashProgress.max = Math.max(file.size, 1);
    els.hashProgress.value = 0;
    els.hashStatus.textContent = `Hashing ${file.name} (${humanSize(file.size)})…`;
    els.cancelHash.hidden = false;
    const job = hasher.hash(file, (done, total, millis) => {
      els.hashProgress.value = done;
      els.hashRate.textContent = `${((100 * done) / Math.max(total, 1)).toFixed(0)} % · ${rate(done, millis)}`;
    });
    hashing = job;
    job.done.then(
      (h) => {
        if (hashing !== job) return;
        hashing = null;
        els.cancelHash.hidden = true;
        lastHash = h;
        els.hashProgress.value = els.hashProgress.max;
        els.hashRate.textContent = `100 % · ${rate(h.size, h.millis)}`;
        els.hashStatus.textContent = `${file.name}: ${humanSize(h.size)}, SHA-512 ${h.sha512}`;
        els.hashBackend.dataset['backend'] = h.backend;
        els.hashBackend.textContent =
          h.backend === 'wasm'
            ? `Hashed with the WebAssembly backend in ${h.millis.toFixed(0)} ms (${rate(h.size, h.millis)}).`
            : `Hashed with the JavaScript backend in ${h.millis.toFixed(0)} ms (${rate(h.size, h.millis)}); WebAssembly was refused by this page's Content-Security-Policy.`;
        showMatch();
      },
      (err: unknown) => {
        if (hashing !== job) return;
        hashing = null;
        els.cancelHash.hidden = true;
        els.hashStatus.textContent = err instanceof Cancelled ? `Hashing ${file.name} cancelled.` : `Could not hash ${file.name}: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  });

  installAutomationHook(verifier, (v) => {
    invalidate();
    renderVerdict(els, table, v);
    onVerdict(v);
  });
  document.documentElement.dataset['ready'] = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
