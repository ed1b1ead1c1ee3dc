/**
 * The browser example's bugs of issue #13, each reproduced in Debian's
 * Chromium (playwright-core, served with the shipped CSP): a stale verdict
 * after a change of input, a leftover detached-content file, a 10,000-image
 * list (longest main-thread task measured), a 1 GB hash (progress events
 * counted, longest task measured), unreadable input, and a 390 px phone.
 * Screenshots go to test-output/page-bugs/*.png (browser-page.node.test.ts
 * empties test-output/screenshots/ when it starts); the measured numbers
 * to test-output/e2e-measurements.json (and the console).
 *
 * Bounds on task lengths are generous (the goal is < 100 ms; a shared CI
 * machine gets 250 ms): they catch the old behaviour (2–8 s freezes), not
 * noise. The numbers themselves are reported.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, STRICT_CSP, type RunningServer } from '../../examples/browser/serve.mjs';
import { signImageList } from '../../src/index.js';
import { caseNamed, loadManifest, ROOT, trustOf, VECTORS, type ManifestCase } from './manifest.js';
import { colourCounts, decodePng, hasPngSignature } from './png.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SITE = resolve(ROOT, 'test-output/e2e-site-bugs');
const WORK = resolve(ROOT, 'test-output/e2e-bugs-work');
const SHOTS = resolve(ROOT, 'test-output/page-bugs');
const MEASUREMENTS = resolve(ROOT, 'test-output/e2e-measurements.json');
/** Longest main-thread task allowed while verifying 10k images or hashing 1 GB (goal 100 ms; slack for a loaded CI). */
const LONG_TASK_BOUND_MS = 250;
const MiB = 1 << 20;
const HASH_MIB = 1024;
const BIG_IMAGES = 10_000;
const manifest = loadManifest();
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`page-bugs tests skipped: no Chromium at ${CHROMIUM}`);

const measured: Record<string, number> = {};

let browser: Browser;
let context: BrowserContext;
let server: RunningServer;

const vec = (p: string): string => resolve(VECTORS, p);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Fills the trust pickers and the instant for a manifest case. */
async function fillTrust(page: Page, c: ManifestCase): Promise<void> {
  const t = trustOf(manifest, c);
  await page.setInputFiles('#ca-files', [...t.anchors, ...t.namespaces.map((n) => n.file)].map(vec));
  await page.setInputFiles('#intermediate-files', t.intermediates.map(vec));
  await page.setInputFiles('#crl-files', t.crls.map(vec));
  await page.fill('#at', c.at ?? manifest.at);
}

async function verifyAndWait(page: Page): Promise<string> {
  await page.click('#verify-button');
  await page.waitForSelector('#verdict[data-state="verified"], #verdict[data-state="failed"]', { timeout: 60_000 });
  return (await page.getAttribute('#verdict', 'data-state')) ?? '';
}

async function openPage(viewport = { width: 1100, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(server.url);
  await page.waitForSelector('html[data-ready="true"]');
  return { page, errors };
}

/** Long tasks (> 50 ms) on the main thread and the longest gap between animation frames, from now on. */
async function startWatching(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __watch: { longest: number; tasks: number; gap: number; stop: boolean } };
    w.__watch = { longest: 0, tasks: 0, gap: 0, stop: false };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        w.__watch.tasks++;
        w.__watch.longest = Math.max(w.__watch.longest, e.duration);
      }
    }).observe({ type: 'longtask' });
    let last = performance.now();
    const frame = (t: number): void => {
      w.__watch.gap = Math.max(w.__watch.gap, t - last);
      last = t;
      if (!w.__watch.stop) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

async function stopWatching(page: Page): Promise<{ longest: number; tasks: number; gap: number }> {
  // one more frame so a long task that just ended is observed
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
  return page.evaluate(() => {
    const w = window as unknown as { __watch: { longest: number; tasks: number; gap: number; stop: boolean } };
    w.__watch.stop = true;
    return { longest: w.__watch.longest, tasks: w.__watch.tasks, gap: w.__watch.gap };
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

const signedLists = new Map<number, Promise<string>>();
/** A list of `n` images signed by the alice vector's key, as a file (made once per size). */
function bigSignedList(n: number): Promise<string> {
  let made = signedLists.get(n);
  if (!made) {
    made = makeSignedList(n);
    signedLists.set(n, made);
  }
  return made;
}

async function makeSignedList(n: number): Promise<string> {
  const doc = JSON.parse(readFileSync(vec('lists/alice.json'), 'utf8')) as {
    'hv:imagelist': { 'hv:images': { 'hv:image': Record<string, unknown> }[] } & Record<string, unknown>;
  };
  const template = doc['hv:imagelist']['hv:images'][0]?.['hv:image'];
  if (!template) throw new Error('alice.json has no image');
  const arches = ['x86_64', 'aarch64', 'ppc64le'];
  doc['hv:imagelist']['hv:images'] = Array.from({ length: n }, (_, i) => ({
    'hv:image': {
      ...template,
      'dc:identifier': `7c9d0e1f-2a3b-4c5d-9e6f-${String(i).padStart(12, '0')}`,
      'dc:title': `Image ${i}`,
      'dc:description': `generated image number ${i}`,
      'sl:arch': arches[i % 3],
      'ad:vo': i % 2 ? 'vo.example.org' : 'fedcloud.egi.eu',
      'hv:uri': `https://images.vmilist-test.org/image-${i}.img`,
    },
  }));
  const signed = await signImageList(doc as never, {
    certificate: readFileSync(vec('pki/alice.pem'), 'utf8'),
    privateKey: readFileSync(vec('pki/alice.key.pem'), 'utf8'),
    chain: [readFileSync(vec('pki/intermediate.pem'), 'utf8')],
    signingTime: new Date(manifest.at),
  });
  const path = resolve(WORK, `list-${n}.smime`);
  writeFileSync(path, signed);
  return path;
}

describe.skipIf(!haveChromium)('browser example page: the bugs of issue #13 (Chromium, shipped CSP)', () => {
  const alice = caseNamed(manifest, 'alice-rsa-sha512-detached');
  const tampered = caseNamed(manifest, 'tampered-content');

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-browser-example.mjs', '--out-dir', SITE], { cwd: ROOT, stdio: 'pipe' });
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ root: SITE, mounts: { '/vectors/': VECTORS }, csp: STRICT_CSP });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
    });
    context = await browser.newContext({ deviceScaleFactor: 1 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    mkdirSync(resolve(ROOT, 'test-output'), { recursive: true });
    writeFileSync(MEASUREMENTS, `${JSON.stringify(measured, null, 2)}\n`);
    console.log(`page-bugs measurements: ${JSON.stringify(measured)}`);
  });

  it('stale verdict: any change of input clears the verdict; the verdict names the file and its SHA-256', async () => {
    const { page, errors } = await openPage();
    await fillTrust(page, alice);
    await page.setInputFiles('#list-file', vec(alice.file));
    expect(await verifyAndWait(page)).toBe('verified');
    const aliceBytes = readFileSync(vec(alice.file));
    expect(await page.textContent('#verdict-file')).toContain(`${alice.file.split('/').pop()}`);
    expect(await page.textContent('#verdict-file')).toContain(sha256(aliceBytes));

    // picking another file: the green verdict must go at once, before any new verification
    await page.setInputFiles('#list-file', vec(tampered.file));
    expect(await page.getAttribute('#verdict', 'data-state')).toBe('idle');
    expect(await page.isHidden('#result')).toBe(true);
    expect(await page.$$('#images tbody tr')).toHaveLength(0);
    await shot(page, 'stale-cleared');
    expect(await verifyAndWait(page)).toBe('failed');
    expect(await page.textContent('#verdict')).toContain(tampered.file.split('/').pop());
    expect(await page.textContent('#verdict-file')).toContain(sha256(readFileSync(vec(tampered.file))));

    // every other input clears it too
    await page.setInputFiles('#list-file', vec(alice.file));
    const changes: [string, () => Promise<unknown>][] = [
      ['instant', () => page.fill('#at', '2026-06-02T00:00:00Z')],
      ['CRL policy', () => page.selectOption('#crl-policy', 'if-present')],
      ['SHA-1 box', () => page.check('#allow-sha1')],
      ['URL field', () => page.fill('#list-url', `vectors/${alice.file}`)],
      ['detached content', () => page.setInputFiles('#content-file', vec('lists/alice.json'))],
      // another set of files (the same set again fires no change event)
      ['CA files', () => page.setInputFiles('#ca-files', [...trustOf(manifest, alice).anchors, ...trustOf(manifest, alice).crls].map(vec))],
    ];
    for (const [what, change] of changes) {
      expect(await verifyAndWait(page), what).toBe('verified');
      await change();
      expect(await page.getAttribute('#verdict', 'data-state'), `after changing the ${what}`).toBe('idle');
    }

    // a verdict still on its way when the input changes is never shown
    const big = await bigSignedList(BIG_IMAGES); // big enough that a verification is still running when the input changes
    await page.fill('#list-url', '');
    await page.setInputFiles('#list-file', big);
    await page.click('#verify-button');
    await page.setInputFiles('#list-file', vec(tampered.file));
    await page.waitForTimeout(1500);
    expect(await page.getAttribute('#verdict', 'data-state')).toBe('idle');

    // Cancel while verifying: the worker is stopped, no verdict appears, the page says so
    await page.setInputFiles('#list-file', big);
    await page.click('#verify-button');
    // checked and clicked in one task of the page, so a verification that ends quickly
    // cannot finish (and hide the button) between the check and the click
    const cancelledWhileRunning = await page.evaluate(() => {
      const running = !(document.querySelector('#verify-progress') as HTMLProgressElement).hidden;
      const cancel = document.querySelector('#cancel-verify') as HTMLButtonElement;
      const clickable = !cancel.hidden && !cancel.disabled;
      cancel.click();
      return running && clickable;
    });
    expect(cancelledWhileRunning).toBe(true);
    expect(await page.textContent('#list-chosen')).toBe('Verification cancelled.');
    await page.waitForTimeout(1500);
    expect(await page.getAttribute('#verdict', 'data-state')).toBe('idle');
    expect(await page.isEnabled('#verify-button')).toBe(true);
    // and the next verification works (a fresh worker)
    expect(await verifyAndWait(page)).toBe('verified');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('leftover detached file: ignored (and said so) for S/MIME, used for raw CMS', async () => {
    const { page, errors } = await openPage();
    await fillTrust(page, alice);
    await page.setInputFiles('#content-file', vec('lists/alice.json')); // in the collapsed box
    expect(await page.isVisible('#content-file')).toBe(false);
    await page.setInputFiles('#list-file', vec(alice.file));
    expect(await verifyAndWait(page)).toBe('verified');
    expect(await page.textContent('#notes')).toMatch(/alice\.json" was not used/);
    await shot(page, 'detached-ignored');

    const raw = caseNamed(manifest, 'alice-raw-der');
    if (!raw.content) throw new Error('alice-raw-der has no content file');
    await fillTrust(page, raw);
    await page.setInputFiles('#list-file', vec(raw.file));
    await page.setInputFiles('#content-file', vec(raw.content));
    expect(await verifyAndWait(page)).toBe('verified');
    expect(await page.textContent('#notes')).toBe('');
    const wrong = caseNamed(manifest, 'alice-raw-der-tampered-content');
    await page.setInputFiles('#content-file', vec(wrong.content ?? ''));
    expect(await verifyAndWait(page)).toBe('failed');
    expect(await page.textContent('#error-code')).toBe(wrong.expect.ok ? '' : wrong.expect.code);
    expect(errors).toEqual([]);
    await page.close();
  });

  it(`${BIG_IMAGES.toLocaleString('en')}-image list: verified off the main thread, paged, filterable; longest main-thread task measured`, { timeout: 180_000 }, async () => {
    const big = await bigSignedList(BIG_IMAGES);
    const { page, errors } = await openPage();
    await fillTrust(page, alice);
    await page.setInputFiles('#list-file', big);
    await startWatching(page);
    const t0 = Date.now();
    expect(await verifyAndWait(page)).toBe('verified');
    measured['verify10kMillis'] = Date.now() - t0;
    // the table and its filter are on screen: measure the first page render too
    await page.waitForSelector('#images tbody tr');
    const w = await stopWatching(page);
    measured['verify10kLongestTaskMs'] = Math.round(w.longest);
    measured['verify10kLongTasks'] = w.tasks;
    measured['verify10kLongestFrameGapMs'] = Math.round(w.gap);
    expect(w.longest, `longest main-thread task ${w.longest} ms`).toBeLessThan(LONG_TASK_BOUND_MS);

    expect(await page.$$('#images tbody tr')).toHaveLength(50);
    expect(await page.textContent('#images-status')).toBe('Images 1–50 of 10,000');
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    expect(height).toBeLessThan(6000);
    measured['verify10kPageHeightPx'] = height;
    // URI and description are shown
    expect(await page.textContent('#images tbody tr:first-child td.uri')).toBe('https://images.vmilist-test.org/image-0.imggenerated image number 0');
    await shot(page, '10k-list');

    // filter by UUID, by arch + VO, by title; pages move
    await page.fill('#images-filter', '7c9d0e1f-2a3b-4c5d-9e6f-000000004321');
    await page.waitForFunction(() => document.querySelector('#images-status')?.textContent?.startsWith('Images 1–1 of 1 matching'));
    expect(await page.$$eval('#images tbody tr', (trs) => trs.map((tr) => tr.querySelector('td')?.textContent))).toEqual(['Image 4321']);
    await page.fill('#images-filter', 'aarch64 vo.example.org');
    // i % 3 == 1 and i odd: i ≡ 1 (mod 6)
    await page.waitForFunction(() => document.querySelector('#images-status')?.textContent?.includes('of 1,667 matching'));
    await page.click('#images-next');
    expect(await page.textContent('#images-status')).toBe('Images 51–100 of 1,667 matching (of 10,000)');
    await page.fill('#images-filter', 'no such image');
    await page.waitForFunction(() => document.querySelector('#images-status')?.textContent?.startsWith('No image matches'));
    expect(await page.$$('#images tbody tr')).toHaveLength(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it(`${HASH_MIB} MiB image: hashed in the worker with a moving progress bar, MB/s, cancel; longest main-thread task measured`, { timeout: 300_000 }, async () => {
    // the same 1 MiB block, repeated: the data is made in the page (nothing on disk) and in Node for the expected digest
    const block = new Uint8Array(MiB).map((_, i) => (i * 31 + 7) & 255);
    const h = createHash('sha512');
    for (let i = 0; i < HASH_MIB; i++) h.update(block);
    const want = h.digest('hex');
    const { page, errors } = await openPage();
    // the File is made before measuring (making 1 MiB of data is itself a task of the test, not the page's)
    const makeFile = (mib: number): Promise<void> =>
      page.evaluate((n) => {
        const b = new Uint8Array(1 << 20).map((_, i) => (i * 31 + 7) & 255);
        // parts that are one 1 MiB Blob: Chromium stores 1 MiB, not 1 GiB (a 1 GiB Blob of bytes fails to read: "network error")
        const one = new Blob([b]);
        (window as unknown as { __file: File }).__file = new File(Array.from({ length: n }, () => one), `generated-${n}MiB.img`);
      }, mib);
    const pick = (): Promise<void> =>
      page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add((window as unknown as { __file: File }).__file);
        const input = document.querySelector<HTMLInputElement>('#image-file');
        if (!input) throw new Error('no #image-file');
        input.files = dt.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
      });
    // count the progress bar's updates
    await page.evaluate(() => {
      const w = window as unknown as { __progress: number[] };
      w.__progress = [];
      const bar = document.querySelector<HTMLProgressElement>('#hash-progress');
      if (!bar) throw new Error('no #hash-progress');
      new MutationObserver(() => w.__progress.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    await makeFile(HASH_MIB);
    await startWatching(page);
    const t0 = Date.now();
    await pick();
    await page.waitForFunction((d) => document.querySelector('#hash-status')?.textContent?.includes(d), want, { timeout: 240_000 });
    const millis = Date.now() - t0;
    const w = await stopWatching(page);
    const progress = await page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
    measured['hash1GiBMillis'] = millis;
    measured['hash1GiBProgressEvents'] = progress.length;
    measured['hash1GiBLongestTaskMs'] = Math.round(w.longest);
    measured['hash1GiBLongTasks'] = w.tasks;
    measured['hash1GiBLongestFrameGapMs'] = Math.round(w.gap);
    const rateText = (await page.textContent('#hash-rate')) ?? '';
    measured['hash1GiBPageMBps'] = Number(/(\d+) MB\/s/.exec(rateText)?.[1] ?? 0);
    expect(await page.getAttribute('#hash-backend', 'data-backend')).toBe('wasm');
    expect(rateText).toMatch(/^100 % · \d+ MB\/s$/);
    // a bar that moves: many updates, never backwards, ending full
    expect(progress.length).toBeGreaterThanOrEqual(20);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(HASH_MIB * MiB);
    expect(w.longest, `longest main-thread task ${w.longest} ms`).toBeLessThan(LONG_TASK_BOUND_MS);
    await shot(page, '1GiB-hashed');

    // cancel: a second (smaller) hash stopped half-way says so and leaves no digest
    await makeFile(512);
    await pick();
    await page.waitForFunction(() => Number(document.querySelector<HTMLProgressElement>('#hash-progress')?.value) > 0);
    await page.click('#cancel-hash');
    await page.waitForFunction(() => document.querySelector('#hash-status')?.textContent?.includes('cancelled'));
    expect(await page.textContent('#hash-status')).toBe('Hashing generated-512MiB.img cancelled.');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('unreadable input is described in words, never shown as bytes', async () => {
    const { page, errors } = await openPage();
    await fillTrust(page, alice);
    const garbage = resolve(WORK, 'garbage.smime');
    writeFileSync(garbage, Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 255));
    await page.setInputFiles('#list-file', garbage);
    expect(await verifyAndWait(page)).toBe('failed');
    expect(await page.textContent('#error-input')).toMatch(/binary data \(300 B\), not a text S\/MIME message/);
    const shown = (await page.textContent('#result')) ?? '';
    // nothing but printable ASCII and the page's own symbols
    expect(shown.replace(/[\u0020-\u007e\n✘–…·‹›]/g, '')).toBe('');
    const png = resolve(WORK, 'picture.smime');
    writeFileSync(png, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13]));
    await page.setInputFiles('#list-file', png);
    expect(await verifyAndWait(page)).toBe('failed');
    expect(await page.textContent('#error-input')).toMatch(/PNG image/);
    await shot(page, 'unreadable');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('phone width (390 px): no sideways scrolling, images as cards, screenshot', async () => {
    const { page, errors } = await openPage({ width: 390, height: 844 });
    await fillTrust(page, alice);
    await page.setInputFiles('#list-file', vec(alice.file));
    expect(await verifyAndWait(page)).toBe('verified');
    const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, table: document.querySelector('#images')?.getBoundingClientRect().right ?? 0 }));
    measured['phoneScrollWidthPx'] = widths.doc;
    expect(widths.doc).toBeLessThanOrEqual(390);
    expect(widths.table).toBeLessThanOrEqual(390);
    // no element sticks out on the right
    const overflowing = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((el) => el.getBoundingClientRect().right > 390.5)
        .map((el) => `${el.tagName.toLowerCase()}#${el.id}`),
    );
    expect(overflowing).toEqual([]);
    expect(await page.isHidden('#images thead')).toBe(true);
    await shot(page, 'phone-390');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the screenshots are PNGs showing the states: no verdict band after a change of input, green for the 10k list, a phone-wide page', () => {
    const load = (name: string): ReturnType<typeof decodePng> => {
      const bytes = readFileSync(resolve(SHOTS, `${name}.png`));
      expect(hasPngSignature(bytes), name).toBe(true);
      return decodePng(bytes);
    };
    expect(colourCounts(load('stale-cleared'))).toEqual({ green: 0, red: 0 });
    expect(colourCounts(load('10k-list')).green).toBeGreaterThan(20_000);
    expect(colourCounts(load('unreadable')).red).toBeGreaterThan(20_000);
    expect(load('phone-390').width).toBe(390);
    for (const name of ['detached-ignored', '1GiB-hashed']) expect(load(name).width).toBe(1100);
  });
});
