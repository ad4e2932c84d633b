// The MCPTT IDs a partner system assigns migrating users (TS 23.280 clause 10.16.5), as the
// composition hands them to the partner's servers: explicit ones from the ecosystem file
// (`migrateTo[].mcpttId`), the default rule for the others, and the partner GMS's group members.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ecosystemSchema, assignedMcpttIdsIn } from '@mcx/ecosystem';
import { startMcSystems } from './compose.ts';
import { LAB_USERS, labEcosystem } from './lab-ecosystem.ts';
import { gmsSeedOf } from './seeds.ts';
import type { CmsWiring, IdmsWiring, McsWiring, ServerDeps } from './servers.ts';

const users = LAB_USERS!.map((u) => (u.username === 'carol' ? { ...u, migrateTo: u.migrateTo!.map((m) => ({ ...m, mcpttId: 'sip:visitor-carol@mcx-b.example.net' })) } : u));
const eco = labEcosystem({ users });
const dir = mkdtempSync(join(tmpdir(), 'mc-system-ids-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('partner-assigned MCPTT IDs (TS 23.280 10.16.5)', () => {
  it('lists the explicit assignments of the file for the partner system only', () => {
    expect(assignedMcpttIdsIn(eco, 'mcx-b')).toEqual([{ homeSystemId: 'mcx-a', mcpttId: 'sip:carol@mcx-a.example.net', assignedMcpttId: 'sip:visitor-carol@mcx-b.example.net' }]);
    expect(assignedMcpttIdsIn(eco, 'mcx-a')).toEqual([]);
  });

  it('refuses a migrateTo mcpttId that is no SIP URI, naming the field', () => {
    const input = { ...eco, users: eco.users.map((u) => (u.username === 'carol' ? { ...u, migrateTo: [{ ...u.migrateTo[0]!, mcpttId: 'carol' }] } : u)) };
    const r = ecosystemSchema.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toContain('users.2.migrateTo.0.mcpttId');
  });

  it("makes members homed elsewhere who may migrate here members under the ID this system assigns them", () => {
    const rescue = gmsSeedOf(eco, eco.systems.find((s) => s.id === 'mcx-b')!).groups.find((g) => g.groupId === 'rescue-b')!;
    expect(rescue.members).toEqual(['sip:dave@mcx-b.example.net', 'sip:alice.mcx-a@mcx-b.example.net', 'sip:visitor-carol@mcx-b.example.net']);
  });

  it('wires the partner IdMS and CMS with the assignments, and every MCS with the MCSs of the related systems', async () => {
    const wirings: Record<string, unknown> = {};
    const stub = (kind: string) => async (w: { systemId: string }, _deps: ServerDeps) => {
      wirings[`${w.systemId}/${kind}`] = w;
      const base = `https://127.0.0.1:1`;
      return { url: base, issuer: base, httpUrl: base, xcapRoot: `${base}/x`, psi: 'sip:x@y', sipUri: 'sip:x@127.0.0.1:1', sipTcpUri: 'sip:x@127.0.0.1:1;transport=tcp', seed: async () => undefined, shareMigrations: async () => undefined, close: async () => undefined };
    };
    const systems = await startMcSystems({ ecosystem: eco, servers: { idms: stub('idms'), cms: stub('cms'), mcs: stub('mcs') }, dataDir: dir, ephemeralPorts: true, seed: false });
    const explicit = assignedMcpttIdsIn(eco, 'mcx-b');
    expect((wirings['mcx-b/idms'] as IdmsWiring).migratedIds).toEqual({ domain: 'mcx-b.example.net', assigned: explicit });
    expect((wirings['mcx-b/cms'] as CmsWiring).migratedIds).toEqual({ assigned: explicit });
    const peersOfB = (wirings['mcx-b/mcs'] as McsWiring).peers;
    expect(peersOfB).toEqual([{ systemId: 'mcx-a', psi: 'sip:mcptt-server@mcx-a.example.net', sipUri: expect.stringMatching(/^sip:mcptt@127\.0\.0\.1:\d+;transport=udp$/) }]);
    await systems.close();
  });
});
