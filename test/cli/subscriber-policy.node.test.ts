// `vmilist update --policy FILE`: the site policy as data, stored in the state.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vmilist } from '../support/cli.js';
import { ROOT } from '../support/server.js';

const X86 = '7c9d0e1f-2a3b-4c5d-9e6f-000000001001';
const ARM = '7c9d0e1f-2a3b-4c5d-9e6f-000000001002';
const AT = ['--at', '2026-06-01T00:00:00Z'];

describe('vmilist update --policy', () => {
  it('applies a site policy from a file and keeps it in the state; a bad policy changes nothing', async () => {
    const work = mkdtempSync(join(tmpdir(), 'vmilist-policy-'));
    const st = join(work, 'state.json');
    const common = ['--state', st, '--ca-dir', join(ROOT, 'vectors/trust'), ...AT];
    const sub = await vmilist(['subscribe', join(ROOT, 'vectors/signed/alice-sha512.smime'), '--auto-approve', ...common]);
    expect(sub.code, sub.stderr).toBe(0);
    const status = async (): Promise<Record<string, string>> => {
      const r = await vmilist(['images', '--state', st, '--json']);
      return Object.fromEntries(JSON.parse(r.stdout).images.map((i: { uuid: string; status: string }) => [i.uuid, i.status]));
    };
    expect(await status()).toEqual({ [X86]: 'current', [ARM]: 'current' });

    // a site that does not run aarch64
    const policy = join(work, 'policy.json');
    writeFileSync(policy, JSON.stringify({ deniedKinds: [{ arch: 'aarch64' }] }));
    const r = await vmilist(['update', '--policy', policy, ...common, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(await status()).toEqual({ [X86]: 'current', [ARM]: 'denied' });
    expect(JSON.parse(readFileSync(st, 'utf8')).state.policy).toEqual({ deniedKinds: [{ arch: 'aarch64' }] });

    // later runs without --policy keep it
    await vmilist(['update', ...common]);
    expect(await status()).toEqual({ [X86]: 'current', [ARM]: 'denied' });

    // a malformed policy is a usage error and the state file stays byte-identical
    const before = readFileSync(st);
    writeFileSync(policy, '{"deniedImages": "not-a-list"}');
    const bad = await vmilist(['update', '--policy', policy, ...common]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ERR_INPUT/);
    expect(readFileSync(st).equals(before)).toBe(true);
  });
});
