// Schema validation is linear in the number of invalid images, and reports a
// capped number of issues plus the total: the work is counted (array
// elements copied or scanned), not timed, so the test is robust on a busy machine.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VmiListError } from '../../src/errors.js';
import { validateImageList } from '../../src/model/parse.js';
import { DEFAULT_MAX_ISSUES, schemaIssues, schemaReport } from '../../src/schema/validate.js';

const root = new URL('../..', import.meta.url).pathname;
const base = JSON.parse(readFileSync(join(root, 'vectors/lists/alice.json'), 'utf8'));
const goodImage = base['hv:imagelist']['hv:images'][0];

/** A list with `n` images, each with two schema errors (a bad UUID, a negative size). */
function badList(n: number): unknown {
  const images = Array.from({ length: n }, () => ({ 'hv:image': { ...goodImage['hv:image'], 'dc:identifier': 'not-a-uuid', 'hv:size': -1 } }));
  return { 'hv:imagelist': { ...base['hv:imagelist'], 'hv:images': images } };
}

const METHODS = ['push', 'concat', 'some', 'every', 'filter', 'map', 'find', 'findIndex', 'includes', 'indexOf', 'slice', 'forEach', 'reduce'] as const;
const originals = new Map<string, unknown>();
let work = 0;

/** Counts the array elements every Array method call may touch (its length, plus concat's arguments; one per pushed element). */
function countArrayWork<T>(fn: () => T): { result: T; work: number } {
  work = 0;
  const proto = Array.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const m of METHODS) {
    const orig = proto[m]!;
    originals.set(m, orig);
    proto[m] = function (this: unknown[], ...args: unknown[]) {
      work += m === 'push' ? args.length : this.length;
      if (m === 'concat') for (const a of args) if (Array.isArray(a)) work += a.length;
      return orig.apply(this, args);
    };
  }
  try {
    return { result: fn(), work };
  } finally {
    restore();
  }
}

function restore(): void {
  const proto = Array.prototype as unknown as Record<string, unknown>;
  for (const [m, orig] of originals) proto[m] = orig;
  originals.clear();
}
afterEach(restore);

describe('schema validation of many invalid images', () => {
  it('does linear work: 10k invalid images cost at most 12x of 1k', () => {
    const small = badList(1000);
    const large = badList(10_000);
    const a = countArrayWork(() => schemaReport(small));
    const b = countArrayWork(() => schemaReport(large));
    expect(a.result.total).toBe(2000);
    expect(b.result.total).toBe(20_000);
    expect(a.work).toBeGreaterThan(0);
    expect(b.work / a.work, `array work ${a.work} for 1k, ${b.work} for 10k`).toBeLessThanOrEqual(12);
  });

  it('reports the first issues and the total, not all of them', () => {
    const issues = schemaIssues(badList(5000));
    expect(issues.length).toBe(DEFAULT_MAX_ISSUES + 1);
    expect(issues[0]).toEqual({ path: '/hv:imagelist/hv:images/0/hv:image/dc:identifier', message: expect.stringMatching(/UUID/) });
    expect(issues.at(-1)!.message).toMatch(new RegExp(`${10_000 - DEFAULT_MAX_ISSUES} more issues not listed \\(10000 in all\\)`));
    const err = (() => {
      try {
        validateImageList(badList(5000));
      } catch (e) {
        return e as VmiListError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('ERR_SCHEMA_INVALID');
    expect(err!.message).toMatch(/\(and 9999 more\)/);
    expect(err!.issues.length).toBeLessThanOrEqual(DEFAULT_MAX_ISSUES + 1);
  });
});
