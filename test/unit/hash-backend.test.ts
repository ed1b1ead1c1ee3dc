// Backend choice: the JS backend takes over when WebAssembly is missing or
// refused (as under a Content-Security-Policy without 'wasm-unsafe-eval');
// an explicit 'wasm' then fails loudly; a custom factory is used as given.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHasher, hashStream, type Hasher, type HashAlgorithm } from '../../src/index.js';
import { sha512WasmBytes } from '../../src/hash/sha512-wasm-module.js';

const ABC_512 = 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f';
const abc = new TextEncoder().encode('abc');

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('automatic choice', () => {
  it('uses WebAssembly for sha512 where it works', async () => {
    const h = await createHasher('sha512');
    expect(h.constructor.name).toBe('WasmSha512');
    expect(h.update(abc).digest()).toBe(ABC_512);
  });

  it('uses JS for sha256 and sha1 (no wasm module for them)', async () => {
    expect((await createHasher('sha256')).constructor.name).toBe('JsHasher');
    expect((await createHasher('sha1')).constructor.name).toBe('JsHasher');
  });

  it('falls back to JS when WebAssembly is absent', async () => {
    vi.stubGlobal('WebAssembly', undefined);
    const h = await createHasher('sha512');
    expect(h.constructor.name).toBe('JsHasher');
    expect(h.update(abc).digest()).toBe(ABC_512);
    await expect(createHasher('sha512', { backend: 'wasm' })).rejects.toMatchObject({ code: 'ERR_INPUT' });
  });

  it('falls back to JS when compiling WebAssembly is refused (CSP without wasm-unsafe-eval)', async () => {
    const { CompileError } = WebAssembly;
    const message = "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source";
    const refuse = vi.fn(function refuse() {
      return Promise.reject(new CompileError(message));
    });
    // what a browser exposes under such a CSP: the namespace exists, compiling rejects
    vi.stubGlobal('WebAssembly', { CompileError, compile: refuse, instantiate: refuse, validate: () => true });
    const h = await createHasher('sha384');
    expect(refuse).toHaveBeenCalled();
    expect(h.constructor.name).toBe('JsHasher');
    expect((await hashStream([abc])).digest).toBe(ABC_512);
    await expect(createHasher('sha512', { backend: 'wasm' })).rejects.toMatchObject({ code: 'ERR_INPUT', message: expect.stringMatching(/unavailable/) });
  });

  it('tries a refused compile once, not per hasher (one CSP violation report per page, not per hash)', async () => {
    const refuse = vi.fn(function refuse() {
      return Promise.reject(new WebAssembly.CompileError('Refused to compile or instantiate WebAssembly module'));
    });
    vi.stubGlobal('WebAssembly', { CompileError: WebAssembly.CompileError, compile: refuse, instantiate: refuse, validate: () => true });
    for (let i = 0; i < 3; i++) {
      expect((await createHasher('sha512')).constructor.name).toBe('JsHasher');
      expect((await hashStream([abc])).digest).toBe(ABC_512);
    }
    await expect(createHasher('sha384', { backend: 'wasm' })).rejects.toMatchObject({ code: 'ERR_INPUT' });
    expect(refuse).toHaveBeenCalledTimes(1);
  });

  it('uses WebAssembly again once another (allowing) WebAssembly is in place', async () => {
    expect((await createHasher('sha512')).constructor.name).toBe('WasmSha512');
  });
});

it('a HasherFactory backend is used for every algorithm', async () => {
  const made: HashAlgorithm[] = [];
  const factory = async (algorithm: HashAlgorithm): Promise<Hasher> => {
    made.push(algorithm);
    return createHasher(algorithm, { backend: 'js' });
  };
  for (const a of ['sha512', 'sha1'] as const) await createHasher(a, { backend: factory });
  expect(made).toEqual(['sha512', 'sha1']);
  expect((await hashStream([abc], { backend: factory })).digest).toBe(ABC_512);
  expect(made).toEqual(['sha512', 'sha1', 'sha512']);
});

it('the generated SHA-512 module is valid WebAssembly and small', () => {
  const bytes = sha512WasmBytes();
  expect(WebAssembly.validate(bytes)).toBe(true);
  expect(bytes.length).toBeLessThan(2048);
  // exports: memory m and function c
  const module = new WebAssembly.Module(bytes);
  expect(WebAssembly.Module.exports(module)).toEqual([
    { name: 'm', kind: 'memory' },
    { name: 'c', kind: 'function' },
  ]);
});
