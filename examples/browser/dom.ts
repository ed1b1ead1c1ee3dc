/** The page's elements, looked up once and type-checked. */

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`page is missing #${id} (${type.name})`);
  return el;
}

/** Every element the scripts touch. */
export function lookupElements() {
  return {
    form: byId('verify-form', HTMLFormElement),
    dropZone: byId('drop-zone', HTMLElement),
    listFile: byId('list-file', HTMLInputElement),
    listChosen: byId('list-chosen', HTMLElement),
    listUrl: byId('list-url', HTMLInputElement),
    contentFile: byId('content-file', HTMLInputElement),
    caFiles: byId('ca-files', HTMLInputElement),
    intermediateFiles: byId('intermediate-files', HTMLInputElement),
    crlFiles: byId('crl-files', HTMLInputElement),
    trustSummary: byId('trust-summary', HTMLElement),
    at: byId('at', HTMLInputElement),
    crlPolicy: byId('crl-policy', HTMLSelectElement),
    allowSha1: byId('allow-sha1', HTMLInputElement),
    verifyButton: byId('verify-button', HTMLButtonElement),
    result: byId('result', HTMLElement),
    verdict: byId('verdict', HTMLElement),
    verdictWord: byId('verdict-word', HTMLElement),
    verdictFile: byId('verdict-file', HTMLElement),
    verifyProgress: byId('verify-progress', HTMLProgressElement),
    cancelVerify: byId('cancel-verify', HTMLButtonElement),
    errorCode: byId('error-code', HTMLElement),
    errorSentence: byId('error-sentence', HTMLElement),
    errorInput: byId('error-input', HTMLElement),
    errorDetail: byId('error-detail', HTMLElement),
    notes: byId('notes', HTMLUListElement),
    details: byId('details', HTMLElement),
    signerDn: byId('signer-dn', HTMLElement),
    signerIssuer: byId('signer-issuer', HTMLElement),
    signerSerial: byId('signer-serial', HTMLElement),
    signerNotBefore: byId('signer-not-before', HTMLElement),
    signerNotAfter: byId('signer-not-after', HTMLElement),
    signerDigest: byId('signer-digest', HTMLElement),
    verifiedAt: byId('verified-at', HTMLElement),
    listTitle: byId('list-title', HTMLElement),
    listVersion: byId('list-version', HTMLElement),
    listCreated: byId('list-created', HTMLElement),
    listExpires: byId('list-expires', HTMLElement),
    listId: byId('list-id', HTMLElement),
    warnings: byId('warnings', HTMLUListElement),
    imagesFilter: byId('images-filter', HTMLInputElement),
    imagesStatus: byId('images-status', HTMLElement),
    imagesPrev: byId('images-prev', HTMLButtonElement),
    imagesNext: byId('images-next', HTMLButtonElement),
    imagesBody: byId('images', HTMLTableElement).tBodies[0] ?? document.createElement('tbody'),
    imageFile: byId('image-file', HTMLInputElement),
    hashProgress: byId('hash-progress', HTMLProgressElement),
    hashRate: byId('hash-rate', HTMLElement),
    cancelHash: byId('cancel-hash', HTMLButtonElement),
    hashStatus: byId('hash-status', HTMLElement),
    hashBackend: byId('hash-backend', HTMLElement),
    hashResult: byId('hash-result', HTMLElement),
  };
}

/** The looked-up elements. */
export type Elements = ReturnType<typeof lookupElements>;
