/**
 * Emits, at run time, a tiny WebAssembly module holding the SHA-512
 * compression function (SHA-384 shares it). Building the bytes here instead
 * of shipping a precompiled blob keeps the browser bundle small (the module
 * is under 2 KB) and leaves nothing opaque in the package.
 *
 * Module interface: exported memory `m` (2 pages) and `c(ptr, blocks)`, which
 * compresses `blocks` ≥ 1 consecutive 128-byte blocks at `ptr` into the state.
 * Memory layout (byte offsets):
 *   0      state H[0..7], little-endian u64 (the caller writes the IV)
 *   64     round constants K[0..79] (the caller writes them)
 *   1024   message schedule W[0..79]
 *   65536  input area, {@link WASM_INPUT_BYTES} bytes
 */

/** Byte offset of the state words. */
export const WASM_STATE = 0;
/** Byte offset of the round constants. */
export const WASM_K = 64;
/** Byte offset of the input area. */
export const WASM_INPUT = 65536;
/** Size of the input area: whole blocks only. */
export const WASM_INPUT_BYTES = 65536;

const W = 1024;

// opcodes (WebAssembly core spec §5.4)
const LOOP = 0x03;
const VOID = 0x40;
const END = 0x0b;
const BR_IF = 0x0d;
const GET = 0x20;
const SET = 0x21;
const TEE = 0x22;
const I64_LOAD = 0x29;
const I64_STORE = 0x37;
const I32_CONST = 0x41;
const I64_CONST = 0x42;
const I32_NE = 0x47;
const I32_LT_U = 0x49;
const I32_ADD = 0x6a;
const I32_SUB = 0x6b;
const I64_ADD = 0x7c;
const I64_AND = 0x83;
const I64_OR = 0x84;
const I64_XOR = 0x85;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I64_ROTR = 0x8a;

// locals: params ptr, blocks; then i32 i; then i64 a..h, t
const PTR = 0;
const BLOCKS = 1;
const I = 2;
const A = 3;
const T = 11;

/** Unsigned LEB128. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 64-bit value. */
function sleb(value: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asIntN(64, value);
  for (;;) {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const i64 = (v: bigint | number): number[] => [I64_CONST, ...sleb(BigInt(v))];
const i32 = (v: number): number[] => [I32_CONST, ...sleb(BigInt(v))];
const load = (offset: number): number[] => [I64_LOAD, 3, ...uleb(offset)];
const store = (offset: number): number[] => [I64_STORE, 3, ...uleb(offset)];
const get = (l: number): number[] => [GET, l];
const rotr = (l: number, n: number): number[] => [...get(l), ...i64(n), I64_ROTR];
/** rotr(x,p) ^ rotr(x,q) ^ (rotr or shr)(x,r) of local x. */
const sigma = (x: number, p: number, q: number, r: number, shift: boolean): number[] => [
  ...rotr(x, p),
  ...rotr(x, q),
  I64_XOR,
  ...get(x),
  ...i64(r),
  shift ? I64_SHR_U : I64_ROTR,
  I64_XOR,
];

/** Byte-swaps local T in place (wasm has no bswap; three mask-and-shift steps). */
function bswapT(): number[] {
  const m8 = 0x00ff00ff00ff00ffn;
  const m16 = 0x0000ffff0000ffffn;
  const step = (mask: bigint, n: number): number[] => [
    ...get(T), ...i64(n), I64_SHR_U, ...i64(mask), I64_AND,
    ...get(T), ...i64(mask), I64_AND, ...i64(n), I64_SHL,
    I64_OR, SET, T,
  ];
  return [...step(m8, 8), ...step(m16, 16), ...rotr(T, 32), SET, T];
}

/**
 * Round j of an 8-round unrolled group. Names rotate instead of values
 * moving: logical variable x (0 = a … 7 = h) lives in local A + ((x − j) mod 8),
 * so after 8 rounds every variable is back in its own local.
 */
function round(j: number): number[] {
  const v = (x: number): number => A + ((x - j + 8) % 8);
  const [a, b, c, d, e, f, g, h] = [0, 1, 2, 3, 4, 5, 6, 7].map(v) as [number, number, number, number, number, number, number, number];
  return [
    // t = h + Σ1(e) + Ch(e,f,g) + K[t] + W[t]
    ...get(h),
    ...sigma(e, 14, 18, 41, false), I64_ADD,
    ...get(g), ...get(e), ...get(f), ...get(g), I64_XOR, I64_AND, I64_XOR, I64_ADD,
    ...get(I), ...load(WASM_K + 8 * j), I64_ADD,
    ...get(I), ...load(W + 8 * j), I64_ADD,
    SET, T,
    // d += t
    ...get(d), ...get(T), I64_ADD, SET, d,
    // h = t + Σ0(a) + Maj(a,b,c)
    ...get(T),
    ...sigma(a, 28, 34, 39, false), I64_ADD,
    ...get(a), ...get(b), I64_AND, ...get(c), ...get(a), ...get(b), I64_OR, I64_AND, I64_OR, I64_ADD,
    SET, h,
  ];
}

/** `i += step; br_if (i < limit)` closing a loop. */
const next = (step: number, limit: number): number[] => [...get(I), ...i32(step), I32_ADD, TEE, I, ...i32(limit), I32_LT_U, BR_IF, 0, END];

function body(): number[] {
  const vars = [0, 1, 2, 3, 4, 5, 6, 7];
  return [
    LOOP, VOID, // per block
    // W[0..15] = big-endian words of the block
    ...i32(0), SET, I,
    LOOP, VOID,
    ...get(PTR), ...get(I), I32_ADD, ...load(0), SET, T,
    ...bswapT(),
    ...get(I), ...get(T), ...store(W),
    ...next(8, 128),
    // W[16..79] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]; i = 8t
    LOOP, VOID,
    ...get(I),
    ...get(I), ...load(W - 16), SET, T, ...sigma(T, 19, 61, 6, true),
    ...get(I), ...load(W - 56), I64_ADD,
    ...get(I), ...load(W - 120), SET, T, ...sigma(T, 1, 8, 7, true), I64_ADD,
    ...get(I), ...load(W - 128), I64_ADD,
    ...store(W),
    ...next(8, 640),
    // a..h = H
    ...vars.flatMap((x) => [...i32(0), ...load(WASM_STATE + 8 * x), SET, A + x]),
    ...i32(0), SET, I,
    LOOP, VOID,
    ...vars.flatMap(round),
    ...next(64, 640),
    // H += a..h
    ...vars.flatMap((x) => [...i32(0), ...i32(0), ...load(WASM_STATE + 8 * x), ...get(A + x), I64_ADD, ...store(WASM_STATE + 8 * x)]),
    // next block
    ...get(PTR), ...i32(128), I32_ADD, SET, PTR,
    ...get(BLOCKS), ...i32(1), I32_SUB, TEE, BLOCKS, ...i32(0), I32_NE, BR_IF, 0,
    END,
    END, // function
  ];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

const name = (s: string): number[] => [s.length, ...Array.from(s, (ch) => ch.charCodeAt(0))];

/** The bytes of the SHA-512 compression module. */
export function sha512WasmBytes(): Uint8Array<ArrayBuffer> {
  // local declarations: 1 × i32 (i), 9 × i64 (a..h, t)
  const fn = [2, 1, 0x7f, 9, 0x7e, ...body()];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [1, 0x60, 2, 0x7f, 0x7f, 0]), // type: (i32, i32) -> ()
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0, 2]), // memory: min 2 pages
    ...section(7, [2, ...name('m'), 2, 0, ...name('c'), 0, 0]), // exports
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]);
}
