// indexOfBytes (the MIME boundary search) against the plain definition: the
// first i ≥ from where every byte of the needle matches, on random bytes
// over a small alphabet (so partial matches and overlaps are common).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { bytesAt, indexOfBytes } from '../../src/encoding/search.js';

function naive(hay: Uint8Array, needle: Uint8Array, from: number): number {
  for (let i = Math.max(from, 0); i + needle.length <= hay.length; i++) {
    let k = 0;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

const bytes = (max: number) => fc.uint8Array({ min: 0x41, max: 0x44, maxLength: max });

describe('indexOfBytes', () => {
  test('finds what a byte-by-byte search finds', () => {
    fc.assert(
      fc.property(bytes(200), bytes(6), fc.integer({ min: -3, max: 210 }), (hay, needle, from) => {
        if (needle.length === 0) return;
        expect(indexOfBytes(hay, needle, from)).toBe(naive(hay, needle, from));
      }),
      { numRuns: 3000, seed: 7 },
    );
  });

  test('finds a boundary planted in a large body, and not one that is not there', () => {
    const body = new Uint8Array(1 << 20).fill(0x2d); // '-' everywhere: a worst case for partial matches
    const needle = new TextEncoder().encode('\n------ABCDEF0123456789');
    expect(indexOfBytes(body, needle, 0)).toBe(-1);
    body.set(needle, 654321);
    expect(indexOfBytes(body, needle, 0)).toBe(654321);
    expect(indexOfBytes(body, needle, 654322)).toBe(-1);
    expect(bytesAt(body, needle, 654321)).toBe(true);
    expect(bytesAt(body, needle, 654320)).toBe(false);
    expect(bytesAt(body, needle, body.length - 3)).toBe(false);
  });
});
