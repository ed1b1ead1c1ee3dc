/**
 * `window.vmilistExample`: a small hook so scripts (the project's Playwright
 * tests) can run a vectors-manifest case through exactly the code path of the
 * form — same file classification, same worker, same rendering — and
 * compare the verdict with Node's. Paths are URLs relative to the page.
 */
import type { PageVerdict } from './protocol.js';
import { addTrustFile, emptyTrust, type TrustRole } from './trust.js';
import type { ExtraOptions } from './verify.js';
import type { PageWorker } from './worker-client.js';

/** One case, as in vectors/manifest.json but with URLs. */
export interface AutomationCase {
  readonly file: string;
  readonly content?: string | null;
  readonly anchors?: readonly string[];
  readonly intermediates?: readonly string[];
  readonly crls?: readonly string[];
  readonly namespaces?: readonly { readonly file: string }[];
  readonly at?: string | null;
  readonly options?: ExtraOptions;
}

/** The verdict without the list view (small, structured-clone safe). */
export interface AutomationVerdict {
  readonly ok: boolean;
  readonly at: string;
  readonly code?: string;
  readonly message?: string;
  readonly signer?: string;
  readonly issuer?: string;
  readonly images?: number;
}

/** What the hook offers. */
export interface VmilistExampleHook {
  runCase(c: AutomationCase): Promise<AutomationVerdict>;
}

declare global {
  interface Window {
    vmilistExample?: VmilistExampleHook;
  }
}

async function fetchBytes(url: string): Promise<{ name: string; bytes: Uint8Array }> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return { name: url.split('/').pop() ?? url, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Installs the hook on `window`. */
export function installAutomationHook(worker: PageWorker, show: (v: PageVerdict) => void): void {
  window.vmilistExample = {
    async runCase(c) {
      const trust = emptyTrust();
      const groups: [TrustRole, readonly string[]][] = [
        ['anchor', c.anchors ?? []],
        ['intermediate', c.intermediates ?? []],
        ['crl', c.crls ?? []],
        ['anchor', (c.namespaces ?? []).map((n) => n.file)],
      ];
      for (const [role, urls] of groups) {
        for (const url of urls) {
          const f = await fetchBytes(url);
          addTrustFile(trust, f.name, f.bytes, role);
        }
      }
      const message = await fetchBytes(c.file);
      const content = c.content ? await fetchBytes(c.content) : undefined;
      const v = await worker.verify({ name: message.name, message: message.bytes, content, trust, at: c.at ?? '', options: c.options });
      show(v);
      return { ok: v.ok, at: v.at, code: v.code, message: v.message, signer: v.signer, issuer: v.issuer, images: v.images };
    },
  };
}
