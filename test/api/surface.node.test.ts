// The public API of `vmilist` and `vmilist/node` (names and kinds, read with
// the TypeScript compiler) against the committed snapshot test/api/surface.json.
// A name added, removed or changed in kind fails this test unless the
// CHANGELOG's [Unreleased] section names it in backticks; then
// `npm run api:snapshot` records the new surface. Every exported name must
// carry TSDoc. The checker is tested on made-up surfaces and a tiny project.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSurface, readSurface, surfaceChanges, unannounced, unreleasedSection, type ApiSurface } from '../support/api-surface.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const snapshot = JSON.parse(readFileSync(join(ROOT, 'test/api/surface.json'), 'utf8')) as ApiSurface;
const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
const { surface, undocumented } = readSurface(ROOT);
const VALUE_KINDS = new Set(['function', 'class', 'const', 'enum']);

describe('the public API', () => {
  it('matches the snapshot, or every change is announced in CHANGELOG [Unreleased]', () => {
    const missing = unannounced(surfaceChanges(snapshot, surface), changelog).map((c) => `${c.entry}: ${c.change} ${c.name} (${c.detail})`);
    expect(missing, 'name each in CHANGELOG.md under [Unreleased] (in backticks), then run npm run api:snapshot').toEqual([]);
  });

  it('has TSDoc on every exported name', () => {
    expect(undocumented).toEqual({ vmilist: [], 'vmilist/node': [] });
  });

  it('keeps the builders’ internals out of the core', () => {
    for (const internal of ['nullFields', 'LIST_ENV', 'ENDORSER_ENV', 'IMAGE_ENV']) expect(surface['vmilist']).not.toHaveProperty(internal);
  });

  it.each([
    ['vmilist', '../../src/index.js'],
    ['vmilist/node', '../../src/node/index.js'],
  ])('%s: the runtime exports are exactly the value names, of the right typeof', async (entry, path) => {
    const mod = (await import(path)) as Record<string, unknown>;
    const names = surface[entry] ?? {};
    const values = Object.keys(names).filter((n) => VALUE_KINDS.has(names[n] as string)).sort();
    expect(Object.keys(mod).sort()).toEqual(values);
    for (const n of values) {
      if (names[n] === 'function' || names[n] === 'class') expect(typeof mod[n], n).toBe('function');
      else expect(['undefined', 'function'], n).not.toContain(typeof mod[n]);
    }
  });
});

describe('the surface checker itself', () => {
  const before: ApiSurface = { vmilist: { parseImageList: 'function', Image: 'interface', old: 'const' } };
  const after: ApiSurface = { vmilist: { parseImageList: 'function', Image: 'type', added: 'function' } };
  const log = (unreleased: string, released = ''): string => `# Changelog\n\n## [Unreleased]\n\n### Changed\n${unreleased}\n\n## [0.1.0] - 2026-01-01\n${released}\n`;

  it('sees additions, removals and kind changes', () => {
    expect(surfaceChanges(before, after).map((c) => `${c.change}:${c.name}`)).toEqual(['kind:Image', 'added:added', 'removed:old']);
    expect(surfaceChanges(before, before)).toEqual([]);
  });

  it('fails on a change the CHANGELOG does not name in [Unreleased]', () => {
    const changes = surfaceChanges(before, after);
    expect(unannounced(changes, log('- nothing about the API')).map((c) => c.name)).toEqual(['Image', 'added', 'old']);
    // named only in an older release, or as a bare word: still unannounced
    expect(unannounced(changes, log('- the added image is old', '- `added`, `old`, `Image`')).map((c) => c.name)).toEqual(['Image', 'added', 'old']);
    expect(unannounced(changes, log('- `added()` is new; `old` is gone; `Image` is a type alias now'))).toEqual([]);
    expect(unannounced(changes, log('- `Image`, `added` and `old`.')).length).toBe(0);
    expect(unannounced(changes, log('- `Images` and `addedX`')).map((c) => c.name)).toEqual(['Image', 'added', 'old']);
  });

  it('reads only the [Unreleased] section', () => {
    expect(unreleasedSection(log('- a', '- b'))).toContain('- a');
    expect(unreleasedSection(log('- a', '- b'))).not.toContain('- b');
    expect(unreleasedSection('# Changelog\n\n## [1.0.0]\n- x\n')).toBe('');
  });

  it('reads kinds and missing TSDoc from sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmilist-api-'));
    try {
      mkdirSync(join(dir, 'src/node'), { recursive: true });
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022' }, include: ['src'] }));
      writeFileSync(join(dir, 'src/index.ts'), "/** Documented. */\nexport function f(): void {}\nexport const c = 1;\n/** A type. */\nexport type T = string;\nexport interface I { a: number }\n/** K. */\nexport class K {}\n");
      writeFileSync(join(dir, 'src/node/index.ts'), "export { f, K } from '../index.js';\nexport type { T } from '../index.js';\n");
      const read = readSurface(dir);
      expect(read.surface).toEqual({ vmilist: { I: 'interface', K: 'class', T: 'type', c: 'const', f: 'function' }, 'vmilist/node': { K: 'class', T: 'type', f: 'function' } });
      expect(read.undocumented).toEqual({ vmilist: ['I', 'c'], 'vmilist/node': [] });
      expect(formatSurface(read.surface)).toBe(formatSurface(JSON.parse(formatSurface(read.surface)) as ApiSurface));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
