/** The WebAssembly backend: SHA-512 and SHA-384 on the module of sha512-wasm-module.ts. */
import { VmiListError } from '../errors.js';
import { sha512Constants } from './sha512-constants.js';
import { sha512WasmBytes, WASM_INPUT, WASM_INPUT_BYTES, WASM_K, WASM_STATE } from './sha512-wasm-module.js';
import { toHex } from '../encoding/hex.js';
import type { HashAlgorithm, Hasher } from './types.js';

/** Algorithms the wasm backend implements. */
export const WASM_ALGORITHMS: readonly HashAlgorithm[] = ['sha512', 'sha384'];

interface Exports {
  m: WebAssembly.Memory;
  c: (ptr: number, blocks: number) => void;
}

/** The one compile attempt, and the WebAssembly namespace it was made with. */
let attempt: { readonly api: typeof WebAssembly; readonly module: Promise<WebAssembly.Module> } | undefined;

/**
 * Compiles the module once per realm, and tries only once: where a
 * Content-Security-Policy without 'wasm-unsafe-eval' forbids it, each try
 * would fire a CSP violation report, so the refusal is remembered and every
 * later hasher falls back at once. A different `WebAssembly` namespace (a
 * test stubbing it, a polyfill installed later) gets its own attempt.
 */
function compile(): Promise<WebAssembly.Module> {
  const api = WebAssembly;
  if (attempt?.api !== api) {
    const module = (async () => api.compile(sha512WasmBytes()))();
    module.catch(() => undefined); // remembered, reported to each caller, never unhandled
    attempt = { api, module };
  }
  return attempt.module;
}

class WasmSha512 implements Hasher {
  readonly algorithm: 'sha512' | 'sha384';
  #bytes = 0;
  #buffered = 0;
  #done = false;
  readonly #compress: (ptr: number, blocks: number) => void;
  readonly #mem: Uint8Array;
  readonly #view: DataView;

  constructor(algorithm: 'sha512' | 'sha384', exports: Exports) {
    this.algorithm = algorithm;
    this.#compress = exports.c;
    this.#mem = new Uint8Array(exports.m.buffer);
    this.#view = new DataView(exports.m.buffer);
    const c = sha512Constants();
    c.k.forEach((k, t) => this.#view.setBigUint64(WASM_K + 8 * t, k, true));
    (algorithm === 'sha512' ? c.iv512 : c.iv384).forEach((h, i) => this.#view.setBigUint64(WASM_STATE + 8 * i, h, true));
  }

  get bytesHashed(): number {
    return this.#bytes;
  }

  update(chunk: Uint8Array): this {
    if (this.#done) throw new VmiListError('ERR_INPUT', `${this.algorithm} hasher: update() after digest()`);
    const mem = this.#mem;
    const len = chunk.length;
    let pos = 0;
    this.#bytes += len;
    // complete a partial block left by the previous update
    if (this.#buffered > 0) {
      pos = Math.min(128 - this.#buffered, len);
      mem.set(chunk.subarray(0, pos), WASM_INPUT + this.#buffered);
      this.#buffered += pos;
      if (this.#buffered < 128) return this;
      this.#compress(WASM_INPUT, 1);
      this.#buffered = 0;
    }
    while (len - pos >= 128) {
      const n = Math.min(len - pos, WASM_INPUT_BYTES) & ~127;
      mem.set(chunk.subarray(pos, pos + n), WASM_INPUT);
      this.#compress(WASM_INPUT, n / 128);
      pos += n;
    }
    if (pos < len) mem.set(chunk.subarray(pos), WASM_INPUT);
    this.#buffered = len - pos;
    return this;
  }

  digest(): string {
    if (this.#done) throw new VmiListError('ERR_INPUT', `${this.algorithm} hasher: digest() called twice`);
    this.#done = true;
    // padding: 0x80, zeros, 128-bit big-endian bit length (FIPS 180-4 §5.1.2)
    const end = this.#buffered < 112 ? 128 : 256;
    this.#mem.fill(0, WASM_INPUT + this.#buffered, WASM_INPUT + end);
    this.#mem[WASM_INPUT + this.#buffered] = 0x80;
    const bits = BigInt(this.#bytes) * 8n;
    this.#view.setBigUint64(WASM_INPUT + end - 8, bits, false);
    this.#compress(WASM_INPUT, end / 128);
    const out = new Uint8Array(this.algorithm === 'sha512' ? 64 : 48);
    const view = new DataView(out.buffer);
    for (let i = 0; i < out.length / 8; i++) view.setBigUint64(8 * i, this.#view.getBigUint64(WASM_STATE + 8 * i, true), false);
    return toHex(out);
  }
}

/**
 * A WebAssembly SHA-512 or SHA-384 hasher (one small module instance, 128 KiB
 * of memory, per hasher). Rejects where WebAssembly cannot be compiled.
 */
export async function createWasmHasher(algorithm: HashAlgorithm): Promise<Hasher> {
  if (algorithm !== 'sha512' && algorithm !== 'sha384') {
    throw new VmiListError('ERR_INPUT', `the wasm hash backend implements ${WASM_ALGORITHMS.join(' and ')}, not ${algorithm}; use backend 'js' or 'auto'`);
  }
  const instance = await WebAssembly.instantiate(await compile());
  return new WasmSha512(algorithm, instance.exports as unknown as Exports);
}
