/**
 * The browser example: verify a signed VM image list and check an image
 * file, entirely client-side, under a strict Content-Security-Policy.
 * In an application, import from 'vmilist' instead of the source tree.
 */
import { VmiListError, type VerifiedImageList } from '../../src/index.js';
import { installAutomationHook } from './automation.js';
import { lookupElements, type Elements } from './dom.js';
import { errorSentence, humanSize } from './format.js';
import { hashFile, matchImage, type ImageHash } from './hash-image.js';
import { renderVerdict, renderWorking } from './render.js';
import { addTrustFile, describeTrust, emptyTrust, type TrustFiles, type TrustRole } from './trust.js';
import { verifyRequest, type PageVerdict } from './verify.js';

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

/** Fetches a list from this site only: the page has no business fetching elsewhere (and the CSP says so). */
async function fetchSameOrigin(text: string): Promise<Uint8Array> {
  let url: URL;
  try {
    url = new URL(text, location.href);
  } catch {
    throw new VmiListError('ERR_INPUT', `"${text}" is not a URL`);
  }
  if (url.origin !== location.origin) {
    throw new VmiListError('ERR_INPUT', `${url.href} is not on this site (${location.origin}); download the list and pick the file instead`);
  }
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new VmiListError('ERR_IO', `GET ${url.pathname} answered HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function start(): void {
  const els = lookupElements();
  let dropped: File | null = null;
  let verified: VerifiedImageList | null = null;
  let lastHash: ImageHash | null = null;

  const chosenList = (): File | null => dropped ?? els.listFile.files?.[0] ?? null;
  const showChosen = (): void => {
    const f = chosenList();
    els.listChosen.textContent = f ? `${f.name} (${humanSize(f.size)})` : '';
  };

  // --- list sources: a picked or dropped file wins over the URL field
  els.listFile.addEventListener('change', () => {
    dropped = null;
    if (els.listFile.files?.length) els.listUrl.value = '';
    showChosen();
  });
  els.listUrl.addEventListener('input', () => {
    if (els.listUrl.value.trim() === '') return;
    dropped = null;
    els.listFile.value = '';
    showChosen();
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
  });

  // --- trust summary, so people see what their files turned into
  const updateTrust = async (): Promise<void> => {
    els.trustSummary.textContent = describeTrust(await gatherTrust(els));
  };
  for (const input of [els.caFiles, els.intermediateFiles, els.crlFiles]) input.addEventListener('change', () => void updateTrust());

  const showMatch = (): void => {
    if (!lastHash) return;
    if (!verified) {
      els.hashResult.dataset['match'] = '';
      els.hashResult.textContent = 'Verify a list to compare this image with its entries.';
      return;
    }
    const m = matchImage(verified, lastHash);
    for (const row of Array.from(els.imagesBody.rows)) {
      row.classList.toggle('match', m.kind === 'match' && row.dataset['sha512'] === lastHash.sha512);
    }
    els.hashResult.dataset['match'] = m.kind === 'match' ? 'yes' : 'no';
    els.hashResult.textContent =
      m.kind === 'match'
        ? `✔ matches "${m.image['dc:title'] ?? m.image['dc:identifier']}" (${m.image['dc:identifier']}): SHA-512 and size agree.`
        : m.kind === 'size-differs'
          ? `✘ the SHA-512 matches "${m.image['dc:title'] ?? m.image['dc:identifier']}" but the size differs (${lastHash.size} bytes, list says ${m.image['hv:size']}).`
          : '✘ no entry of the verified list has this SHA-512 and size.';
  };

  const onVerdict = (v: PageVerdict): void => {
    verified = v.verified ?? null;
    showMatch();
  };

  // --- verification
  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      els.verifyButton.disabled = true;
      renderWorking(els);
      let v: PageVerdict;
      try {
        const file = chosenList();
        const url = els.listUrl.value.trim();
        if (!file && url === '') throw new VmiListError('ERR_INPUT', 'no signed list: pick or drop a file, or enter a URL on this site');
        const message = file ? await bytesOf(file) : await fetchSameOrigin(url);
        const contentFile = els.contentFile.files?.[0];
        const policy = CRL_POLICIES.find((p) => p === els.crlPolicy.value) ?? 'require';
        v = await verifyRequest({
          message,
          content: contentFile ? await bytesOf(contentFile) : undefined,
          trust: await gatherTrust(els),
          at: els.at.value,
          options: { crlPolicy: policy, allowSha1: els.allowSha1.checked },
        });
      } catch (err) {
        const code = err instanceof VmiListError ? err.code : 'ERR_IO';
        const message = err instanceof Error ? err.message : String(err);
        v = { ok: false, at: '', code, message, sentence: errorSentence(code) };
      }
      renderVerdict(els, v);
      onVerdict(v);
      els.verifyButton.disabled = false;
    })();
  });

  // --- image hashing
  els.imageFile.addEventListener('change', () => {
    const file = els.imageFile.files?.[0];
    if (!file) return;
    lastHash = null;
    els.hashResult.dataset['match'] = '';
    els.hashResult.textContent = '';
    els.hashBackend.textContent = '';
    els.hashProgress.max = Math.max(file.size, 1);
    els.hashProgress.value = 0;
    els.hashStatus.textContent = `Hashing ${file.name}…`;
    void hashFile(file, (done) => {
      els.hashProgress.value = done;
    }).then(
      (h) => {
        lastHash = h;
        els.hashProgress.value = els.hashProgress.max;
        els.hashStatus.textContent = `${file.name}: ${humanSize(h.size)}, SHA-512 ${h.sha512}`;
        els.hashBackend.dataset['backend'] = h.backend;
        els.hashBackend.textContent =
          h.backend === 'wasm'
            ? `Hashed with the WebAssembly backend in ${h.millis.toFixed(0)} ms.`
            : `Hashed with the JavaScript backend in ${h.millis.toFixed(0)} ms (WebAssembly was refused here, as this page's Content-Security-Policy intends).`;
        showMatch();
      },
      (err: unknown) => {
        els.hashStatus.textContent = `Could not hash ${file.name}: ${err instanceof Error ? err.message : String(err)}`;
      },
    );
  });

  installAutomationHook(els, onVerdict);
  document.documentElement.dataset['ready'] = 'true';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
