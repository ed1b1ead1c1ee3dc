// The vmilist/node entry names its exports one by one: the site API and the
// adapters are there, the hook outbox and its delivery are not (they are how
// the site keeps native hook events, not something a caller drives).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as node from '../../src/node/index.js';

describe('vmilist/node public surface', () => {
  it('exports the site API and the adapters', () => {
    for (const name of ['openSite', 'Site', 'loadTrustStore', 'hashFile', 'FileStateStore', 'fetchImage', 'ImageCache', 'runHook', 'VmiListError']) {
      expect(typeof (node as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('keeps the outbox internals out', () => {
    for (const name of ['deliverOutbox', 'enqueueEvents', 'hookKey', 'hookApplies', 'runHandlers', 'syncCache', 'toHookEvent', 'siteEventId']) {
      expect(name in node, name).toBe(false);
    }
  });

  it('is written as named exports only (no export *)', () => {
    const source = readFileSync(new URL('../../src/node/index.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/export \*/);
  });
});
