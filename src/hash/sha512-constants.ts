/**
 * SHA-512 round constants and initial values, derived as FIPS 180-4 §4.2.3
 * and §5.3 define them (fractional bits of cube and square roots of primes)
 * instead of being spelled out: 88 hex literals would cost more bundle bytes
 * than the few lines that compute them once.
 */

const MASK64 = (1n << 64n) - 1n;

/** The first `count` primes. */
function primes(count: number): bigint[] {
  const out: bigint[] = [];
  for (let n = 2; out.length < count; n++) {
    if (out.every((p) => n % Number(p) !== 0)) out.push(BigInt(n));
  }
  return out;
}

/** floor(value^(1/degree)) for a non-negative bigint, by Newton's method from above. */
function integerRoot(value: bigint, degree: bigint): bigint {
  let x = 1n << (BigInt(value.toString(2).length) / degree + 1n);
  for (;;) {
    const next = ((degree - 1n) * x + value / x ** (degree - 1n)) / degree;
    if (next >= x) return x;
    x = next;
  }
}

/** Constants for the SHA-512 family, as 64-bit unsigned bigints. */
export interface Sha512Constants {
  /** The 80 round constants K. */
  readonly k: readonly bigint[];
  /** Initial hash value of SHA-512. */
  readonly iv512: readonly bigint[];
  /** Initial hash value of SHA-384. */
  readonly iv384: readonly bigint[];
}

let cached: Sha512Constants | undefined;

/** The SHA-512/384 constants, computed on first use. */
export function sha512Constants(): Sha512Constants {
  if (cached) return cached;
  const p = primes(80);
  // first 64 fractional bits of root(p) = low 64 bits of floor(root(p * 2^(64·degree)))
  const frac = (q: bigint, degree: bigint): bigint => integerRoot(q << (64n * degree), degree) & MASK64;
  cached = {
    k: p.map((q) => frac(q, 3n)),
    iv512: p.slice(0, 8).map((q) => frac(q, 2n)),
    iv384: p.slice(8, 16).map((q) => frac(q, 2n)),
  };
  return cached;
}
