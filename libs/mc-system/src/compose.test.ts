import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareMcSystems, startMcSystems } from './compose.ts';
import { LAB_SYSTEMS, labEcosystem } from './lab-ecosystem.ts';
import type { CmsWiring, GmsWiring, IdmsWiring, McsWiring, ServerDeps } from './servers.ts';
import { adminTokenFile } from './admin-credentials.ts';

/** Fake servers that record how they were wired and what they were seeded with (no sockets needed). */
function recorder() {
  const events: string[] = [];
  const wirings: Record<string, unknown> = {};
  const seeds: Record<string, unknown> = {};
  const handle = <E extends object>(kind: string, w: { systemId: string }, extra: E) => ({
    ...extra,
    async close() {
      events.push(`close ${w.systemId}/${kind}`);
    },
  });
  const servers = {
    idms: async (w: IdmsWiring, deps: ServerDeps) => {
      expect(deps.db).toBeDefined();
      events.push(`start ${w.systemId}/idms`);
      wirings[`${w.systemId}/idms`] = w;
      return handle('idms', w, {
        url: `${w.tls ? 'https' : 'http'}://${w.host}:${w.port}`,
        issuer: `${w.tls ? 'https' : 'http'}://${w.host}:${w.port}`,
        async seed(input: unknown) {
          seeds[`${w.systemId}/idms`] = input;
        },
      });
    },
    cms: async (w: CmsWiring) => {
      events.push(`start ${w.systemId}/cms`);
      wirings[`${w.systemId}/cms`] = w;
      return handle('cms', w, {
        httpUrl: `${w.tls ? 'https' : 'http'}://${w.host}:${w.httpPort}`,
        xcapRoot: `${w.tls ? 'https' : 'http'}://${w.host}:${w.httpPort}/xcap-root`,
        psi: `sip:cms@${w.domain}`,
        sipUri: `sip:cms@${w.host}:${w.sipPort}`,
        sipTcpUri: `sip:cms@${w.host}:${w.sipPort};transport=tcp`,
        async seed(input: unknown) {
          seeds[`${w.systemId}/cms`] = input;
        },
        async shareMigrations() {
          events.push(`share ${w.systemId}`);
        },
      });
    },
  };
  return { events, wirings, seeds, servers };
}

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mc-system-test-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('startMcSystems', () => {
  it('starts the asked-for servers per system in order, seeds, then shares once every system listens', async () => {
    const r = recorder();
    const systems = await startMcSystems({ ecosystem: labEcosystem(), servers: r.servers, dataDir: tmp(), ephemeralPorts: true });
    expect(r.events).toEqual(['start mcx-a/idms', 'start mcx-a/cms', 'start mcx-b/idms', 'start mcx-b/cms', 'share mcx-a', 'share mcx-b']);
    await systems.close();
    expect(r.events.slice(6)).toEqual(['close mcx-b/cms', 'close mcx-b/idms', 'close mcx-a/cms', 'close mcx-a/idms']);
  });

  it('wires the production token contract: CMS and GMS audiences are their base URLs, the MCS audience its PSI', async () => {
    const r = recorder();
    const gmsWirings: GmsWiring[] = [];
    const mcsWirings: McsWiring[] = [];
    const systems = await startMcSystems({
      ecosystem: labEcosystem({ systems: ['mcx-a'] }),
      servers: {
        ...r.servers,
        gms: async (w: GmsWiring) => {
          gmsWirings.push(w);
          return { xcapRoot: '', psi: '', sipUri: '', sipTcpUri: '', seed: async () => undefined, close: async () => undefined };
        },
        mcs: async (w: McsWiring) => {
          mcsWirings.push(w);
          return { psi: '', sipUri: '', sipTcpUri: '', close: async () => undefined };
        },
      },
      dataDir: tmp(),
      ephemeralPorts: true,
    });
    const a = systems.system('mcx-a');
    const cms = r.wirings['mcx-a/cms'] as CmsWiring;
    const idms = r.wirings['mcx-a/idms'] as IdmsWiring;
    expect(cms.audience).toBe(`https://127.0.0.1:${a.config.ports.cms}`);
    expect(gmsWirings[0]!.audience).toBe(`https://127.0.0.1:${a.config.ports.gms}`);
    expect(mcsWirings[0]!.audience).toBe('sip:mcptt-server@mcx-a.example.net');
    expect(idms.audiences).toEqual({ cms: cms.audience, gms: gmsWirings[0]!.audience, mcs: mcsWirings[0]!.audience });
    expect(cms.idmsIssuer).toBe(`https://127.0.0.1:${a.config.ports.idms}`);
    expect(mcsWirings[0]!.cms.url).toBe(`https://127.0.0.1:${a.config.ports.cms}`);
    await systems.close();
  });

  it('serves every system over TLS with the lab CA kept in the data directory: each server gets its host certificate, partners and documents get https URLs', async () => {
    const r = recorder();
    const dataDir = tmp();
    const systems = await startMcSystems({ ecosystem: labEcosystem(), servers: r.servers, dataDir, ephemeralPorts: true });
    expect(systems.labCa.caPath).toBe(join(dataDir, 'tls', 'ca.pem'));
    expect(statSync(join(dataDir, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(readFileSync(systems.labCa.caPath));
    for (const id of ['mcx-a', 'mcx-b']) {
      for (const kind of ['idms', 'cms']) {
        const w = r.wirings[`${id}/${kind}`] as IdmsWiring | CmsWiring;
        const cert = new X509Certificate(w.tls!.cert);
        expect(cert.checkIssued(ca)).toBe(true);
        expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
      }
    }
    const cmsA = r.wirings['mcx-a/cms'] as CmsWiring;
    expect(cmsA.partners.map((p) => p.cmsUrl)).toEqual([`https://127.0.0.1:${systems.system('mcx-b').config.ports.cms}`]);
    expect(systems.system('mcx-a').endpoints.cms.xcapRoot).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/xcap-root$/);
    // The documents seeded at the CMS (UE initial configuration: IdMS, CMS, GMS URIs) carry https URIs only.
    const seeded = JSON.stringify(r.seeds['mcx-a/cms']);
    expect(seeded).toContain(`https://127.0.0.1:${systems.system('mcx-a').config.ports.idms}`);
    expect(seeded).not.toMatch(/http:\/\/127\.0\.0\.1:/);
    await systems.close();
    // The next start in the same data directory keeps the CA.
    const again = await startMcSystems({ ecosystem: labEcosystem(), servers: recorder().servers, dataDir, ephemeralPorts: true });
    expect(again.labCa.caPem).toBe(systems.labCa.caPem);
    await again.close();
  });

  it('serves plain HTTP to a system whose file says tls: false (the other keeps TLS)', async () => {
    const r = recorder();
    const plainB = { ...LAB_SYSTEMS!.find((s) => s.id === 'mcx-b')!, tls: false };
    const systems = await startMcSystems({ ecosystem: labEcosystem({ systems: ['mcx-a', plainB] }), servers: r.servers, dataDir: tmp(), ephemeralPorts: true });
    const b = systems.system('mcx-b');
    expect((r.wirings['mcx-b/idms'] as IdmsWiring).tls).toBeUndefined();
    expect((r.wirings['mcx-b/cms'] as CmsWiring).tls).toBeUndefined();
    expect(b.endpoints.idms.issuer).toBe(`http://127.0.0.1:${b.config.ports.idms}`);
    expect(b.audiences.cms).toBe(`http://127.0.0.1:${b.config.ports.cms}`);
    expect((r.wirings['mcx-a/idms'] as IdmsWiring).partners[0]!.issuer).toBe(`http://127.0.0.1:${b.config.ports.idms}`);
    expect(systems.system('mcx-a').endpoints.idms.issuer).toMatch(/^https:/);
    await systems.close();
  });

  it('wires trust both ways: each IdMS introspects at the other with the secret the other expects', async () => {
    const r = recorder();
    const systems = await startMcSystems({ ecosystem: labEcosystem(), servers: r.servers, dataDir: tmp(), ephemeralPorts: true });
    const a = r.wirings['mcx-a/idms'] as IdmsWiring;
    const b = r.wirings['mcx-b/idms'] as IdmsWiring;
    const aAtB = a.partners.find((p) => p.systemId === 'mcx-b')!;
    const clientAtB = b.clients.find((c) => c.client_id === aAtB.introspection.clientId)!;
    expect(clientAtB.client_secret).toBe(aAtB.introspection.clientSecret);
    const bAtA = b.partners.find((p) => p.systemId === 'mcx-a')!;
    expect(a.clients.find((c) => c.client_id === bAtA.introspection.clientId)!.client_secret).toBe(bAtA.introspection.clientSecret);
    expect(aAtB.issuer).toBe(systems.system('mcx-b').idms.issuer);
    await systems.close();
  });

  it('gives each system its own generated admin credential, kept per data directory with mode 0600 and reused', async () => {
    const dataDir = tmp();
    const r = recorder();
    const first = await startMcSystems({ ecosystem: labEcosystem(), servers: r.servers, dataDir, ephemeralPorts: true });
    const tokenA = first.system('mcx-a').admin.token;
    const tokenB = first.system('mcx-b').admin.token;
    await first.close();
    expect(tokenA).not.toBe(tokenB);
    expect(readFileSync(adminTokenFile(dataDir, 'mcx-a'), 'utf8').trim()).toBe(tokenA);
    expect(statSync(adminTokenFile(dataDir, 'mcx-a')).mode & 0o777).toBe(0o600);
    // CSC-17 sharing from A presents B's credential at B.
    expect((r.wirings['mcx-a/cms'] as CmsWiring).partners).toEqual([expect.objectContaining({ systemId: 'mcx-b', adminToken: tokenB })]);
    const again = await startMcSystems({ ecosystem: labEcosystem(), servers: recorder().servers, dataDir, ephemeralPorts: true });
    expect(again.system('mcx-a').admin.token).toBe(tokenA);
    await again.close();
  });

  it("hashes each system's passwords with its passwordHashCost unless a scryptCost is given", async () => {
    const eco = labEcosystem({ systems: [{ ...LAB_SYSTEMS[0]!, passwordHashCost: 2048 }, LAB_SYSTEMS[1]!] });
    const r = recorder();
    const systems = await startMcSystems({ ecosystem: eco, servers: r.servers, dataDir: tmp(), ephemeralPorts: true });
    const costs = (id: string) => (r.seeds[`${id}/idms`] as { accounts: { scryptCost?: number }[] }).accounts.map((a) => a.scryptCost);
    expect(costs('mcx-a')).toEqual([2048, 2048, 2048]);
    expect(costs('mcx-b')).toEqual([2 ** 15]);
    expect([(r.wirings['mcx-a/idms'] as IdmsWiring).scryptCost, (r.wirings['mcx-b/idms'] as IdmsWiring).scryptCost]).toEqual([2048, 2 ** 15]);
    await systems.close();
    expect(() => labEcosystem({ systems: [{ ...LAB_SYSTEMS[0]!, passwordHashCost: 3000 }] })).toThrow(/power of 2/);
  });

  it('seeds accounts, profiles with partner entries and migration shares from the ecosystem', async () => {
    const r = recorder();
    const systems = await startMcSystems({ ecosystem: labEcosystem(), servers: r.servers, dataDir: tmp(), ephemeralPorts: true, scryptCost: 1024 });
    const accounts = (r.seeds['mcx-a/idms'] as { accounts: { username: string; scryptCost?: number }[] }).accounts;
    expect(accounts.map((a) => a.username)).toEqual(['alice', 'bob', 'carol']);
    expect(accounts.every((a) => a.scryptCost === 1024)).toBe(true);
    const cmsSeed = r.seeds['mcx-a/cms'] as { users: { mcpttId: string; partners: { systemId: string }[]; migrateTo: { systemId: string }[] }[] };
    const alice = cmsSeed.users.find((u) => u.mcpttId === 'sip:alice@mcx-a.example.net')!;
    expect(alice.partners.map((p) => p.systemId)).toEqual(['mcx-b']);
    expect(alice.migrateTo.map((m) => m.systemId)).toEqual(['mcx-b']);
    expect(cmsSeed.users.find((u) => u.mcpttId === 'sip:bob@mcx-a.example.net')!.migrateTo).toEqual([]);
    await systems.close();
  });

  it('closes what already started when a server fails to start, and removes its own data directory', async () => {
    const r = recorder();
    await expect(
      startMcSystems({
        ecosystem: labEcosystem(),
        servers: {
          ...r.servers,
          cms: async (w: CmsWiring) => {
            if (w.systemId === 'mcx-b') throw new Error('port in use');
            return r.servers.cms(w);
          },
        },
        ephemeralPorts: true,
      }),
    ).rejects.toThrow('port in use');
    expect(r.events.filter((e) => e.startsWith('close'))).toEqual(['close mcx-b/idms', 'close mcx-a/cms', 'close mcx-a/idms']);
  });

  it('opens one embedded database per server instance in the data directory, none for the MCS (soft state)', async () => {
    const dataDir = tmp();
    const mcsDeps: object[] = [];
    const systems = await startMcSystems({
      ecosystem: labEcosystem({ systems: ['mcx-a'] }),
      servers: {
        ...recorder().servers,
        mcs: async (_w: McsWiring, deps: object) => {
          mcsDeps.push(deps);
          return { psi: '', sipUri: '', sipTcpUri: '', close: async () => undefined };
        },
      },
      dataDir,
      ephemeralPorts: true,
    });
    expect(systems.databases).toHaveLength(2);
    expect(existsSync(join(dataDir, 'mcx-a-idms.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'mcx-a-cms.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'mcx-a-mcs.db'))).toBe(false);
    expect(mcsDeps).toEqual([{}]);
    await systems.close();
  });
});

describe('one system per process (prepareMcSystems, only, share)', () => {
  it('starts each system alone on the prepared ports and credentials, wired to the other as in one composition, sharing when asked', async () => {
    const dataDir = tmp();
    const prepared = await prepareMcSystems({ ecosystem: labEcosystem(), dataDir, ephemeralPorts: true });
    const [a, b] = prepared.ecosystem.systems;
    expect(prepared.ecosystem.systems.every((s) => Object.values(s.ports).every((p) => p > 0) && (s.adminToken ?? '').length >= 8)).toBe(true);
    // The server certificate exists before any system process starts (no two processes create it at once).
    expect(existsSync(join(dataDir, 'tls', 'server-127.0.0.1.pem'))).toBe(true);
    const ra = recorder();
    const rb = recorder();
    const onlyA = await startMcSystems({ ecosystem: prepared.ecosystem, servers: ra.servers, dataDir, only: ['mcx-a'], share: false });
    const onlyB = await startMcSystems({ ecosystem: prepared.ecosystem, servers: rb.servers, dataDir, only: ['mcx-b'], share: false });
    expect([onlyA.systems.map((s) => s.config.id), onlyB.systems.map((s) => s.config.id)]).toEqual([['mcx-a'], ['mcx-b']]);
    expect([ra.events, rb.events]).toEqual([['start mcx-a/idms', 'start mcx-a/cms'], ['start mcx-b/idms', 'start mcx-b/cms']]);
    // A's CMS shares with B's CMS on the prepared port, presenting B's credential.
    expect((ra.wirings['mcx-a/cms'] as CmsWiring).partners).toEqual([
      { systemId: 'mcx-b', cmsUrl: `https://127.0.0.1:${b!.ports.cms}`, adminToken: b!.adminToken },
    ]);
    expect((ra.wirings['mcx-a/idms'] as IdmsWiring).port).toBe(a!.ports.idms);
    await onlyA.system('mcx-a').cms.shareMigrations();
    expect(ra.events).toContain('share mcx-a');
    await onlyA.close();
    await onlyB.close();
  });

  it('does not seed again an account the IdMS database already holds (no password hash on a restart)', async () => {
    const dataDir = tmp();
    const first = await startMcSystems({ ecosystem: labEcosystem({ systems: ['mcx-a'] }), servers: recorder().servers, dataDir, ephemeralPorts: true });
    await first.system('mcx-a').databases.idms!.prisma.account.create({ data: { username: 'bob', passwordHash: 'kept', entitlements: '[]' } });
    await first.close();
    const r = recorder();
    const again = await startMcSystems({ ecosystem: labEcosystem({ systems: ['mcx-a'] }), servers: r.servers, dataDir, ephemeralPorts: true });
    expect((r.seeds['mcx-a/idms'] as { accounts: { username: string }[] }).accounts.map((a) => a.username)).toEqual(['alice', 'carol']);
    await again.close();
  });
});

describe('startMcSystems on ports it chose', () => {
  it('starts again on other ports when a chosen port is taken before its server binds it', async () => {
    const r = recorder();
    let failures = 0;
    const cmsPorts: number[] = [];
    const systems = await startMcSystems({
      ecosystem: labEcosystem({ systems: ['mcx-a'] }),
      servers: {
        ...r.servers,
        cms: async (w: CmsWiring) => {
          cmsPorts.push(w.httpPort);
          if (failures++ === 0) throw Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${w.httpPort}`), { code: 'EADDRINUSE' });
          return r.servers.cms(w);
        },
      },
      dataDir: tmp(),
      ephemeralPorts: true,
    });
    expect(failures).toBe(2);
    expect(cmsPorts[0]).not.toBe(cmsPorts[1]);
    expect(systems.system('mcx-a').cms.httpUrl).toBe(`https://127.0.0.1:${cmsPorts[1]}`);
    // The first attempt's IdMS was closed before the second started.
    expect(r.events.filter((e) => e === 'close mcx-a/idms')).toHaveLength(1);
    await systems.close();
  });

  it('does not retry other start failures', async () => {
    const r = recorder();
    let calls = 0;
    await expect(
      startMcSystems({
        ecosystem: labEcosystem({ systems: ['mcx-a'] }),
        servers: { ...r.servers, cms: async () => { calls++; throw new Error('bad configuration'); } },
        dataDir: tmp(),
        ephemeralPorts: true,
      }),
    ).rejects.toThrow('bad configuration');
    expect(calls).toBe(1);
  });

  it('chooses ports below the kernel ephemeral range, free on TCP and UDP', async () => {
    const systems = await startMcSystems({ ecosystem: labEcosystem(), servers: recorder().servers, dataDir: tmp(), ephemeralPorts: true });
    const ports = systems.systems.flatMap((s) => Object.values(s.config.ports));
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(10_000);
    for (const p of ports) expect(p).toBeLessThan(32_768);
    await systems.close();
  });
});
