/**
 * Reads test files in Node and in the browser alike. In Chromium the bytes
 * come through vitest's server command `readFile`, so fixtures are read in
 * place from ../shared/fixtures/real and never copied into the project.
 * Paths are relative to the project root.
 */
const isBrowser = typeof window !== 'undefined' && typeof (globalThis as { process?: unknown }).process === 'undefined';

/** True when running in the browser project. */
export const inBrowser = isBrowser;

/** Reads a file as bytes. Paths are relative to the project root. */
export async function readBytes(path: string): Promise<Uint8Array> {
  if (isBrowser) {
    const { commands } = await import('vitest/browser');
    const b64 = await commands.readFile(path, { encoding: 'base64' } as never);
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const { readFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  return new Uint8Array(await readFile(resolve(projectRoot(), path)));
}

/** Reads a file as UTF-8 text. */
export async function readText(path: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(path));
}

/** Whether a file exists (used to skip fixture tests outside CI). */
export async function exists(path: string): Promise<boolean> {
  try {
    await readBytes(path);
    return true;
  } catch {
    return false;
  }
}

function projectRoot(): string {
  return new URL('../..', import.meta.url).pathname;
}

/** Where the shared real-world fixtures are, relative to the project root. */
export const REAL = '../shared/fixtures/real';
