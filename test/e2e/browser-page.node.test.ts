/**
 * The browser example (examples/browser/) in Debian's Chromium, driven by
 * playwright-core, served on localhost with the strict CSP of issue #8:
 * states of the form (verified, tampered, revoked, expired), image hashing
 * through the JS fallback, a screenshot per state, and every case of
 * vectors/manifest.json through the page with the same verdict as Node.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomationCase, AutomationVerdict } from '../../examples/browser/automation.js';
import { NO_WASM_CSP, startServer, STRICT_CSP, type RunningServer } from '../../examples/browser/serve.mjs';
import { imagesOf, isVmiListError, verifySignedList, type VerifiedImageList } from '../../src/index.js';
import { caseNamed, loadManifest, nodeOptions, ROOT, trustOf, VECTORS, type ManifestCase } from './manifest.js';
import { colourCounts, decodePng, differingShare, hasPngSignature } from './png.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SITE = resolve(ROOT, 'test-output/e2e-site');
const SHOTS = resolve(ROOT, 'test-output/screenshots');
const VIEWPORT = { width: 1100, height: 900 };
const manifest = loadManifest();
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser-page tests skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

/** What a verdict is compared on, in Node and in the page. */
interface Verdict {
  readonly ok: boolean;
  readonly code?: string;
  readonly signer?: string;
  readonly images?: number;
}

function summarise(v: AutomationVerdict | Verdict): Verdict {
  return v.ok ? { ok: true, signer: v.signer, images: v.images } : { ok: false, code: v.code };
}

function expected(c: ManifestCase): Verdict {
  return c.expect.ok ? { ok: true, signer: c.expect.signer, images: c.expect.images } : { ok: false, code: c.expect.code };
}

async function nodeVerify(c: ManifestCase): Promise<{ verdict: Verdict; verified?: VerifiedImageList }> {
  try {
    const message = new Uint8Array(await readFile(resolve(VECTORS, c.file)));
    const input = c.content ? { cms: message, content: new Uint8Array(await readFile(resolve(VECTORS, c.content))) } : message;
    const verified = await verifySignedList(input, await nodeOptions(manifest, c));
    return { verdict: { ok: true, signer: verified.signer.dn, images: verified.list['hv:images'].length }, verified };
  } catch (e) {
    return { verdict: { ok: false, code: isVmiListError(e) ? e.code : `UNEXPECTED ${String(e)}` } };
  }
}

/** The hook's argument for a case: vector paths become same-origin URLs. */
function automationCase(c: ManifestCase): AutomationCase {
  const t = trustOf(manifest, c);
  const url = (p: string): string => `/vectors/${p}`;
  return {
    file: url(c.file),
    content: c.content ? url(c.content) : null,
    anchors: t.anchors.map(url),
    intermediates: t.intermediates.map(url),
    crls: t.crls.map(url),
    namespaces: t.namespaces.map((n) => ({ file: url(n.file) })),
    at: c.at ?? manifest.at,
    options: c.options,
  };
}

let browser: Browser;
let context: BrowserContext;
let server: RunningServer;
let openServer: RunningServer;
/** Violation reports POSTed to the no-wasm server (report-uri). */
const cspReports: string[] = [];

interface PageLog {
  /** Uncaught exceptions and console errors (other than expected 404s). */
  readonly errors: string[];
}

interface CspViolation {
  readonly directive: string;
  readonly blocked: string;
}

/** Pages share one context: a new context costs ~1.3 s in this Chromium, a new page ~0.3 s. */
async function openPage(base: string = server.url): Promise<{ page: Page; log: PageLog }> {
  const page = await context.newPage();
  const log: PageLog = { errors: [] };
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 404 \(Not Found\)/.test(m.text())) log.errors.push(`console: ${m.text()}`);
  });
  const res = await page.goto(base);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, log };
}

/** CSP violations the page saw, recorded by the context's init script. */
async function cspViolations(page: Page): Promise<CspViolation[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: CspViolation[] }).__cspViolations);
}

async function closePage(page: Page): Promise<void> {
  await page.close();
}

/** Fills the form for a manifest case as a person would, submits, waits for the verdict. */
async function verifyViaForm(page: Page, c: ManifestCase): Promise<void> {
  const t = trustOf(manifest, c);
  const abs = (p: string): string => resolve(VECTORS, p);
  await page.setInputFiles('#list-file', abs(c.file));
  await page.setInputFiles('#ca-files', [...t.anchors, ...t.namespaces.map((n) => n.file)].map(abs));
  await page.setInputFiles('#intermediate-files', t.intermediates.map(abs));
  await page.setInputFiles('#crl-files', t.crls.map(abs));
  await page.fill('#at', c.at ?? manifest.at);
  await page.selectOption('#crl-policy', c.options.crlPolicy ?? 'require');
  await page.click('#verify-button');
  await page.waitForSelector('#verdict[data-state="verified"], #verdict[data-state="failed"]');
}

async function shot(page: Page, name: string): Promise<string> {
  const path = resolve(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

function sha512Hex(path: string): string {
  return createHash('sha512').update(readFileSync(path)).digest('hex');
}

describe.skipIf(!haveChromium)('browser example page (Chromium, strict CSP)', () => {
  beforeAll(async () => {
    // the page is built by the project's own script, as a user would build it
    execFileSync(process.execPath, ['scripts/build-browser-example.mjs', '--out-dir', SITE], { cwd: ROOT, stdio: 'pipe' });
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    const mounts = { '/vectors/': VECTORS };
    server = await startServer({ root: SITE, mounts, csp: STRICT_CSP });
    openServer = await startServer({ root: SITE, mounts, csp: NO_WASM_CSP, onCspReport: (body) => cspReports.push(body) });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    // init scripts are injected by the browser, outside the page's CSP: they
    // only record the violations the page causes
    await context.addInitScript(() => {
      const seen: { directive: string; blocked: string }[] = [];
      (window as unknown as { __cspViolations: typeof seen }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) => seen.push({ directive: e.effectiveDirective, blocked: e.blockedURI }));
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await openServer?.close();
  });

  it('is served with the strict CSP and loads without errors or inline code', async () => {
    const res = await fetch(server.url);
    // the shipped policy: WebAssembly may be compiled, JavaScript may not be generated
    expect(res.headers.get('content-security-policy')).toBe("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'");
    expect(STRICT_CSP).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    const html = await res.text();
    // no inline script or style: every <script> has a src, no style attributes or blocks
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/\sstyle=|<style/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const { page, log } = await openPage();
    expect(await page.isVisible('#verify-form')).toBe(true);
    expect(await page.isHidden('#result')).toBe(true);
    await shot(page, '0-initial');
    expect(log.errors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    await closePage(page);
  });

  it('a valid vector shows "verified", the signer, the list and the image table', async () => {
    const c = caseNamed(manifest, 'alice-rsa-sha512-detached');
    expect(c.expect.ok).toBe(true);
    const node = await nodeVerify(c);
    const verified = node.verified;
    if (!verified) throw new Error(`Node did not verify ${c.name}: ${JSON.stringify(node.verdict)}`);
    const { page, log } = await openPage();
    await verifyViaForm(page, c);
    expect(await page.getAttribute('#verdict', 'data-state')).toBe('verified');
    expect(await page.textContent('#verdict')).toMatch(/verified/);
    // the banner names the file and its SHA-256
    const fileName = c.file.split('/').pop() ?? '';
    expect(await page.textContent('#verdict-file')).toContain(fileName);
    expect(await page.textContent('#verdict-file')).toContain(createHash('sha256').update(readFileSync(resolve(VECTORS, c.file))).digest('hex'));
    // the signer's validity, from the certificate
    expect(await page.textContent('#signer-not-before')).toContain(verified.signer.notBefore);
    expect(await page.textContent('#signer-not-after')).toContain(verified.signer.notAfter);
    expect(await page.textContent('#signer-dn')).toBe(verified.signer.dn);
    expect(await page.textContent('#signer-dn')).toBe(c.expect.ok ? c.expect.signer : '');
    expect(await page.textContent('#signer-issuer')).toBe(verified.signer.issuer);
    const list = verified.list;
    expect(await page.textContent('#list-title')).toBe(list['dc:title']);
    expect(await page.textContent('#list-version')).toBe(list['hv:version']);
    expect(await page.textContent('#list-created')).toBe(list['dc:date:created']);
    expect(await page.textContent('#list-expires')).toBe(list['dc:date:expires']);
    expect(await page.textContent('#verified-at')).toBe(manifest.at);
    const rows = await page.$$eval('#images tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    const images = imagesOf(list);
    expect(rows).toHaveLength(c.expect.ok ? c.expect.images : -1);
    rows.forEach((cells, i) => {
      const img = images[i];
      if (!img) throw new Error(`no image ${i}`);
      expect(cells[0]).toBe(img['dc:title']);
      expect(cells[1]).toContain(img['sl:os'] ?? '');
      expect(cells[2]).toBe(img['sl:arch'] ?? '');
      // sizes in binary units with one decimal
      const size = img['hv:size'];
      expect(cells[4]).toBe(size < 1024 ? `${size} B` : size < 1024 ** 2 ? `${(size / 1024).toFixed(1)} KiB` : `${(size / 1024 ** 2).toFixed(1)} MiB`);
      expect(cells[5]).toBe(img['hv:version'] ?? '');
      expect(cells[6]).toBe(`${img['sl:checksum:sha512'].slice(0, 16)}…`);
      expect(cells[7]).toContain(img['hv:uri']);
    });
    expect(await page.textContent('#error-code')).toBe('');
    expect(await cspViolations(page)).toEqual([]);
    await shot(page, '1-verified');
    expect(log.errors).toEqual([]);
    await closePage(page);
  });

  const failing: [string, string][] = [
    ['tampered-content', '2-tampered'],
    ['revoked', '3-revoked'],
    ['cert-expired', '4-cert-expired'],
    ['list-expired', '5-list-expired'],
  ];
  for (const [name, shotName] of failing) {
    it(`${name} shows the manifest's code, a sentence and no list details`, async () => {
      const c = caseNamed(manifest, name);
      if (c.expect.ok) throw new Error(`manifest case ${name} is expected to pass; the test wants a failing one`);
      const { page, log } = await openPage();
      await verifyViaForm(page, c);
      expect(await page.getAttribute('#verdict', 'data-state')).toBe('failed');
      expect(await page.textContent('#verdict')).toMatch(/not verified/);
      expect(await page.textContent('#error-code')).toBe(c.expect.code);
      expect((await page.textContent('#error-sentence'))?.length).toBeGreaterThan(20);
      expect((await page.textContent('#error-detail'))?.length).toBeGreaterThan(0);
      expect(await page.isHidden('#details')).toBe(true);
      expect(await page.$$('#images tbody tr')).toHaveLength(0);
      await shot(page, shotName);
      expect(await cspViolations(page)).toEqual([]);
      expect(log.errors).toEqual([]);
      await closePage(page);
    });
  }

  it('hashes a local image with WebAssembly under the shipped CSP, with progress, and finds its entry', async () => {
    const c = caseNamed(manifest, 'alice-rsa-sha512-detached');
    const node = await nodeVerify(c);
    if (!node.verified) throw new Error('Node did not verify the alice vector');
    // the image files are named by the last segment of hv:uri (vectors/README.md)
    const entries = imagesOf(node.verified.list);
    const first = entries[0];
    if (!first) throw new Error('alice list has no images');
    const imagePath = resolve(VECTORS, 'images', first['hv:uri'].split('/').pop() ?? '');
    expect(sha512Hex(imagePath)).toBe(first['sl:checksum:sha512']);
    const { page, log } = await openPage();
    await verifyViaForm(page, c);
    await page.setInputFiles('#image-file', imagePath);
    await page.waitForSelector('#hash-result[data-match="yes"]');
    expect(await page.textContent('#hash-result')).toContain(first['dc:identifier']);
    expect(await page.textContent('#hash-status')).toContain(sha512Hex(imagePath));
    expect(await page.getAttribute('#hash-backend', 'data-backend')).toBe('wasm');
    expect(await page.textContent('#hash-backend')).toMatch(/WebAssembly/);
    const progress = await page.$eval('#hash-progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
    expect(progress[0]).toBe(statSync(imagePath).size);
    expect(progress[0]).toBe(progress[1]);
    // the matching row is highlighted
    expect(await page.$$eval('#images tbody tr.match td:first-child', (tds) => tds.map((td) => td.textContent))).toEqual([first['dc:title']]);
    await shot(page, '6-hash-match');

    // a file that is in no entry: not a match
    const other = resolve(VECTORS, 'images', 'tiny-bsd-amd64.raw');
    const otherSum = sha512Hex(other);
    expect(entries.some((e) => e['sl:checksum:sha512'] === otherSum)).toBe(false);
    await page.setInputFiles('#image-file', other);
    await page.waitForSelector('#hash-result[data-match="no"]');
    expect(await page.textContent('#hash-status')).toContain(otherSum);
    await shot(page, '7-hash-no-match');

    expect(await cspViolations(page)).toEqual([]);
    expect(log.errors).toEqual([]);
    await closePage(page);
  });

  it('under a policy without wasm-unsafe-eval the page hashes with JavaScript, trying WebAssembly once per page', async () => {
    const { page, log } = await openPage(openServer.url);
    for (const name of ['tiny-linux-aarch64.img', 'tiny-linux-x86_64.img', 'tiny-bsd-amd64.raw']) {
      const imagePath = resolve(VECTORS, 'images', name);
      await page.setInputFiles('#image-file', imagePath);
      await page.waitForFunction((sum) => document.querySelector('#hash-status')?.textContent?.includes(sum), sha512Hex(imagePath));
      expect(await page.getAttribute('#hash-backend', 'data-backend')).toBe('js');
      expect(await page.textContent('#hash-backend')).toMatch(/JavaScript/);
    }
    // no list verified yet: the page says so instead of guessing
    expect(await page.textContent('#hash-result')).toMatch(/Verify a list/);
    // three hashes, one refused compile: one report (reports are sent asynchronously)
    await expect.poll(() => cspReports.length, { timeout: 5000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(cspReports.map((r) => JSON.stringify(JSON.parse(r)['csp-report']?.['blocked-uri']))).toEqual(['"wasm-eval"']);
    expect(log.errors).toEqual([]);
    await closePage(page);
  });

  it('verifies a list fetched from a same-origin URL, refuses another origin, reads an empty instant as now, takes a dropped file', async () => {
    const c = caseNamed(manifest, 'alice-rsa-sha512-detached');
    const t = trustOf(manifest, c);
    const { page, log } = await openPage();
    await page.setInputFiles('#ca-files', t.anchors.map((p) => resolve(VECTORS, p)));
    await page.setInputFiles('#intermediate-files', t.intermediates.map((p) => resolve(VECTORS, p)));
    await page.setInputFiles('#crl-files', t.crls.map((p) => resolve(VECTORS, p)));
    await expect.poll(() => page.textContent('#trust-summary')).toBe(
      `${t.anchors.length} CA certificate${t.anchors.length === 1 ? '' : 's'}, ${t.intermediates.length} intermediate${t.intermediates.length === 1 ? '' : 's'}, ${t.crls.length} CRLs, 0 namespace files`,
    );
    await page.fill('#list-url', `vectors/${c.file}`);
    await page.fill('#at', manifest.at);
    await page.click('#verify-button');
    await page.waitForSelector('#verdict[data-state="verified"]');
    expect(await page.textContent('#signer-dn')).toBe(c.expect.ok ? c.expect.signer : '');

    await page.fill('#list-url', 'https://example.org/list.smime');
    await page.click('#verify-button');
    await page.waitForSelector('#verdict[data-state="failed"]');
    expect(await page.textContent('#error-code')).toBe('ERR_INPUT');
    expect(await page.textContent('#error-detail')).toContain('not on this site');

    await page.fill('#list-url', 'vectors/no-such-file.smime');
    await page.click('#verify-button');
    await page.waitForFunction(() => document.querySelector('#error-detail')?.textContent?.includes('404'));
    expect(await page.textContent('#error-code')).toBe('ERR_IO');

    await page.fill('#at', 'yesterday');
    await page.fill('#list-url', `vectors/${c.file}`);
    await page.click('#verify-button');
    await page.waitForFunction(() => document.querySelector('#error-detail')?.textContent?.includes('yesterday'));
    expect(await page.textContent('#error-code')).toBe('ERR_INPUT');

    // empty instant: the page reads its clock; Node at the same instant must agree
    await page.fill('#at', '');
    const before = Date.now();
    await page.click('#verify-button');
    await page.waitForFunction(() => /^(verified|failed)$/.test(document.querySelector<HTMLElement>('#verdict')?.dataset['state'] ?? '') && !document.querySelector('#error-detail')?.textContent?.includes('yesterday'));
    const after = Date.now();
    const state = await page.getAttribute('#verdict', 'data-state');
    const now = await nodeVerify({ ...c, at: new Date(before).toISOString() });
    expect(state).toBe(now.verdict.ok ? 'verified' : 'failed');
    if (now.verdict.ok) {
      const at = Date.parse((await page.textContent('#verified-at')) ?? '');
      expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(at).toBeLessThanOrEqual(after);
    }

    // a dropped file replaces the URL
    const tampered = caseNamed(manifest, 'tampered-content');
    if (tampered.expect.ok) throw new Error('tampered-content is expected to fail');
    const dataTransfer = await page.evaluateHandle(async (url) => {
      const dt = new DataTransfer();
      const bytes = await (await fetch(url)).arrayBuffer();
      dt.items.add(new File([bytes], url.split('/').pop() ?? 'dropped'));
      return dt;
    }, `/vectors/${tampered.file}`);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
    expect(await page.inputValue('#list-url')).toBe('');
    expect(await page.textContent('#list-chosen')).toContain(tampered.file.split('/').pop());
    await page.fill('#at', manifest.at);
    await page.click('#verify-button');
    await page.waitForFunction((code) => document.querySelector('#error-code')?.textContent === code, tampered.expect.code);
    expect(await page.getAttribute('#verdict', 'data-state')).toBe('failed');
    expect(log.errors).toEqual([]);
    await closePage(page);
  });

  it('every case of vectors/manifest.json gives the same verdict in the page as in Node and as the manifest', { timeout: 180_000 }, async () => {
    expect(manifest.cases.length).toBeGreaterThan(50);
    const { page, log } = await openPage();
    const mismatches: string[] = [];
    let passing = 0;
    for (const c of manifest.cases) {
      const inPage = summarise(await page.evaluate((arg) => {
        const hook = window.vmilistExample;
        if (!hook) throw new Error('window.vmilistExample is missing');
        return hook.runCase(arg);
      }, automationCase(c)));
      const inNode = (await nodeVerify(c)).verdict;
      const want = expected(c);
      if (JSON.stringify(inPage) !== JSON.stringify(inNode)) mismatches.push(`${c.name}: page ${JSON.stringify(inPage)} ≠ node ${JSON.stringify(inNode)}`);
      if (JSON.stringify(inPage) !== JSON.stringify(want)) mismatches.push(`${c.name}: page ${JSON.stringify(inPage)} ≠ manifest ${JSON.stringify(want)}`);
      if (inPage.ok) passing++;
    }
    expect(mismatches).toEqual([]);
    // both kinds of verdict were exercised
    expect(passing).toBe(manifest.cases.filter((c) => c.expect.ok).length);
    expect(passing).toBeGreaterThan(0);
    expect(passing).toBeLessThan(manifest.cases.length);
    expect(await cspViolations(page)).toEqual([]);
    expect(log.errors).toEqual([]);
    await closePage(page);
  });

  it('the screenshots are PNGs that show the states', () => {
    const names = ['0-initial', '1-verified', '2-tampered', '3-revoked', '4-cert-expired', '5-list-expired', '6-hash-match', '7-hash-no-match'];
    const images = new Map<string, ReturnType<typeof decodePng>>();
    for (const name of names) {
      const path = resolve(SHOTS, `${name}.png`);
      expect(existsSync(path), `${path} missing`).toBe(true);
      const bytes = readFileSync(path);
      expect(hasPngSignature(bytes)).toBe(true);
      expect(bytes.length).toBeGreaterThan(10_000);
      const img = decodePng(bytes);
      expect(img.width).toBe(VIEWPORT.width);
      expect(img.height).toBeGreaterThanOrEqual(VIEWPORT.height);
      images.set(name, img);
    }
    const get = (n: string): ReturnType<typeof decodePng> => {
      const img = images.get(n);
      if (!img) throw new Error(n);
      return img;
    };
    // green verdict band when verified, red when not; none on the blank form
    expect(colourCounts(get('0-initial'))).toEqual({ green: 0, red: 0 });
    const ok = colourCounts(get('1-verified'));
    expect(ok.green).toBeGreaterThan(20_000);
    expect(ok.red).toBeLessThan(ok.green / 10);
    for (const n of ['2-tampered', '3-revoked', '4-cert-expired', '5-list-expired']) {
      const c = colourCounts(get(n));
      expect(c.red, n).toBeGreaterThan(20_000);
      expect(c.green, n).toBeLessThan(c.red / 10);
    }
    // each state looks different from the others
    for (let i = 0; i < names.length; i++) {
      for (let j = i + 1; j < names.length; j++) {
        const a = names[i] ?? '';
        const b = names[j] ?? '';
        expect(differingShare(get(a), get(b)), `${a} vs ${b}`).toBeGreaterThan(0.001);
      }
    }
  });
});
