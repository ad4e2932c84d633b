// Instances in the runtime endpoints and the console (issue #17), single replica: both lab systems
// started by the composition on ephemeral ports with the console; the runtime file's `instances`
// (one per role, on the role's own addresses, run by `mcx up`) and no fronts, `mcx endpoints`' text,
// and GET /api/instances probing each instance directly over real HTTP and SIP: all up, then the
// CMS of mcx-a stopped (its port stops answering) is reported down while the others stay up.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labEcosystem } from '@mcx/mc-system';
import type { SystemInstances } from '@mcx/console';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEndpoints } from '../commands/endpoints.ts';
import { startEcosystem, type RunningEcosystem } from './ecosystem.ts';

let running: RunningEcosystem;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-console-instances-'));
  running = await startEcosystem({ ecosystem: labEcosystem(), dataDir: dir, ephemeralPorts: true, scryptCost: 1024, startUes: false });
}, 120_000);

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

type Listed = { id: string; name: string } & SystemInstances;
const instances = async (): Promise<Listed[]> => {
  const res = await fetch(`${running.console!.url}/api/instances`, { headers: { authorization: `Bearer ${running.control.token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Listed[];
};

describe('instances of the CMS, GMS and MCS (one replica)', () => {
  it('lists one instance per role on the role\'s own addresses, run by mcx up, and no fronts', () => {
    for (const s of running.endpoints.systems) {
      const base = (url: string) => url.replace(/\/xcap-root$/, '');
      expect(s.instances).toEqual([
        { role: 'cms', replica: 1, http: base(s.cms.xcapRoot), sip: s.cms.sip, process: 'mcx up', pid: process.pid },
        { role: 'gms', replica: 1, http: base(s.gms.xcapRoot), sip: s.gms.sip, process: 'mcx up', pid: process.pid },
        { role: 'mcs', replica: 1, sip: s.mcs.sip, process: 'mcx up', pid: process.pid },
      ]);
      expect(s.fronts).toEqual([]);
    }
    const text = formatEndpoints(running.endpoints);
    const a = running.endpoints.systems.find((s) => s.id === 'mcx-a')!;
    expect(text).toContain(`  instances\n    CMS 1   ${a.instances![0]!.http}   ${a.cms.sip}   (mcx up, pid ${process.pid})`);
    expect(text).toContain(`    MCS 1   ${a.mcs.sip}   (mcx up, pid ${process.pid})`);
    expect(text).not.toContain('fronts');
  });

  it('probes each instance directly: all up, then a stopped CMS down and the rest up', async () => {
    const before = await instances();
    expect(before.map((s) => s.id).sort()).toEqual(['mcx-a', 'mcx-b']);
    for (const s of before) {
      expect(s.fronts).toEqual([]);
      expect(s.instances.map((i) => [i.role, i.replica, i.up, i.checks.map((c) => `${c.kind} ${c.up}`)])).toEqual([
        ['cms', 1, true, ['http true', 'sip true']],
        ['gms', 1, true, ['http true', 'sip true']],
        ['mcs', 1, true, ['sip true']],
      ]);
    }
    expect(await running.systems.stopServer('mcx-a', 'cms')).toBe(true);
    try {
      const after = await instances();
      const a = after.find((s) => s.id === 'mcx-a')!;
      expect(a.instances.map((i) => [i.role, i.up])).toEqual([
        ['cms', false],
        ['gms', true],
        ['mcs', true],
      ]);
      expect(a.instances[0]!.checks.every((c) => !c.up)).toBe(true);
      expect(after.find((s) => s.id === 'mcx-b')!.instances.every((i) => i.up)).toBe(true);
    } finally {
      await running.systems.startServer('mcx-a', 'cms');
    }
  });
});
