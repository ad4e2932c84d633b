// Test harness: two complete MC systems on loopback (IdMS, CMS, GMS, MCS each; real servers,
// embedded SQLite in a temp dir), seeded like the demo ecosystem, wired for migration
// (IdMS trust + introspection, CSC-17 sharing). The composition root of apps/mcx does the same
// for `mcx up`; it is not imported here to keep @mcx/ue free of a dependency on the CLI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@mcx/db';
import { buildUeInitConfig, type UeInitConfigInput } from '@mcx/documents';
import { startIdms, upsertAccount, type IdmsHandle } from '@mcx/idms';
import { startCms, type CmsHandle, type SeedUser } from '@mcx/cms';
import { startGms, type GmsHandle } from '@mcx/gms';
import { startMcs, type McsHandle } from '@mcx/mcs';
import type { UeHostSystemInput } from '../src/index.ts';

export const UE_CLIENT = { clientId: 'mcx-ue', redirectUri: 'http://127.0.0.1/mcx-ue/callback' };
export const ADMIN = { 'mcx-a': 'admin-token-a', 'mcx-b': 'admin-token-b' } as const;
export const USERS = [
  { username: 'alice', password: 'alice-secret', home: 'mcx-a' },
  { username: 'bob', password: 'bob-secret', home: 'mcx-a' },
  { username: 'carol', password: 'carol-secret', home: 'mcx-a' },
];
export const mcpttIdOf = (username: string, system = 'mcx-a') => `sip:${username}@${system}.example.net`;

type SystemId = 'mcx-a' | 'mcx-b';
export interface RunningSystem {
  id: SystemId;
  plmn: string;
  domain: string;
  idms: IdmsHandle;
  cms: CmsHandle;
  gms: GmsHandle;
  mcs: McsHandle;
}

export interface TwoSystems {
  dir: string;
  a: RunningSystem;
  b: RunningSystem;
  /** The UE host's view of both systems. */
  hostSystems: UeHostSystemInput[];
  close(): Promise<void>;
}

const SECRET = 'introspection-secret-for-tests';

function initConfigInput(s: RunningSystem): Omit<UeInitConfigInput, 'ueId' | 'defaultProfile'> {
  return {
    systemId: s.id,
    domain: s.domain,
    plmns: { hplmn: s.plmn },
    idms: { authEndpoint: `${s.idms.issuer}/auth`, tokenEndpoint: `${s.idms.issuer}/token` },
    cms: { xcapRoot: s.cms.xcapRoot, sipUri: s.cms.psi },
    gms: { xcapRoot: s.gms.xcapRoot, sipUri: s.gms.psi },
    mcsUri: s.mcs.psi,
    protection: { integrity: true, confidentiality: true },
  };
}

export async function startTwoSystems(options: { sipTimers?: { t1?: number; t2?: number; t4?: number } } = {}): Promise<TwoSystems> {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-ue-'));
  const dbs: Database[] = [];
  const closers: (() => Promise<void>)[] = [];
  const open = async (name: string) => {
    const db = await openDatabase({ dataDir: dir, name });
    dbs.push(db);
    return db;
  };
  const audiences = (id: SystemId) => ({ cms: `urn:mcx:${id}:cms`, gms: `urn:mcx:${id}:gms`, mcs: `sip:mcptt-server@${id}.example.net` });
  const ue = { client_id: UE_CLIENT.clientId, redirect_uris: [UE_CLIENT.redirectUri] };

  async function start(id: SystemId, plmn: string): Promise<RunningSystem> {
    const domain = `${id}.example.net`;
    const aud = audiences(id);
    const idms = await startIdms({ systemId: id, audiences: aud, clients: [ue], scryptCost: 1024, adminToken: ADMIN[id] }, { db: await open(`${id}-idms`) });
    closers.push(() => idms.close());
    const cms = await startCms(
      { systemId: id, domain, idmsIssuer: idms.issuer, audience: aud.cms, adminToken: ADMIN[id], idmsAdmin: { url: idms.url, adminToken: ADMIN[id] }, shareRetryMs: 0, ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}) },
      { db: await open(`${id}-cms`) },
    );
    closers.push(() => cms.close());
    const gms = await startGms({ systemId: id, domain, idmsIssuer: idms.issuer, audience: aud.gms, adminToken: ADMIN[id] }, { db: await open(`${id}-gms`) });
    closers.push(() => gms.close());
    const mcs = await startMcs({ systemId: id, domain, idmsIssuer: idms.issuer, cms: { url: cms.httpUrl, adminToken: ADMIN[id] }, ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}) });
    closers.push(() => mcs.close());
    return { id, plmn, domain, idms, cms, gms, mcs };
  }

  try {
    const a = await start('mcx-a', '00101');
    const b = await start('mcx-b', '00102');
    // Trust for migration (token exchange + introspection), both ways.
    for (const [x, y] of [[a, b], [b, a]] as const) {
      await x.idms.reconfigure({
        clients: [ue, { client_id: `idms-${y.id}`, client_secret: SECRET, application_type: 'web' }],
        partners: [{ systemId: y.id, issuer: y.idms.issuer, introspection: { clientId: `idms-${x.id}`, clientSecret: SECRET } }],
      });
    }
    a.cms.setPartners([{ systemId: 'mcx-b', cmsUrl: b.cms.httpUrl, adminToken: ADMIN['mcx-b'] }]);
    b.cms.setPartners([{ systemId: 'mcx-a', cmsUrl: a.cms.httpUrl, adminToken: ADMIN['mcx-a'] }]);

    for (const u of USERS) {
      await upsertAccount(a.idms.db, { username: u.username, password: u.password, mcpttId: mcpttIdOf(u.username), entitlements: ['mcptt'], scryptCost: 1024 });
    }
    await upsertAccount(b.idms.db, { username: 'dave', password: 'dave-secret', mcpttId: mcpttIdOf('dave', 'mcx-b'), entitlements: ['mcptt'], scryptCost: 1024 });

    const partnerB = { systemId: 'mcx-b', name: 'MC system B (partner)', ueInitConfig: buildUeInitConfig(initConfigInput(b)) };
    const fireA = { groupId: 'sip:fire-a@mcx-a.example.net', implicit: true };
    const rescueB = { groupId: 'sip:rescue-b@mcx-b.example.net', implicit: true };
    const visiting = (accessProfiles: number[]) => [{ systemId: 'mcx-b', profile: { index: 1, name: 'visiting-mcx-b', preSelected: true, groups: [rescueB] }, accessProfiles }];
    const users: SeedUser[] = [
      {
        mcpttId: mcpttIdOf('alice'),
        username: 'alice',
        displayName: 'Alice',
        profiles: [
          { index: 1, name: 'home', preSelected: true, groups: [fireA] },
          { index: 2, name: 'mutual-aid', groups: [fireA] },
        ],
        partners: [partnerB],
        // Only profile 1 may be used to access mcx-b (the MCS refuses profile 2).
        migrateTo: visiting([1]),
      },
      // bob's profiles list mcx-b, but he was never shared with it (not authorized to migrate).
      { mcpttId: mcpttIdOf('bob'), username: 'bob', profiles: [{ index: 1, name: 'home', preSelected: true, groups: [fireA] }], partners: [partnerB] },
      { mcpttId: mcpttIdOf('carol'), username: 'carol', profiles: [{ index: 1, name: 'home', preSelected: true, groups: [fireA] }], partners: [partnerB], migrateTo: visiting([1]) },
    ];
    await a.cms.seed({ system: initConfigInput(a), users });
    await b.cms.seed({ system: initConfigInput(b), users: [{ mcpttId: mcpttIdOf('dave', 'mcx-b'), username: 'dave', profiles: [{ index: 1, name: 'home', preSelected: true, groups: [rescueB] }] }] });
    await a.gms.seed({ groups: [{ groupId: 'fire-a', displayName: 'Fire brigade A', members: ['alice', 'bob', 'carol'].map((u) => mcpttIdOf(u)) }] });
    await b.gms.seed({ groups: [{ groupId: 'rescue-b', displayName: 'Rescue B', members: [mcpttIdOf('dave', 'mcx-b'), mcpttIdOf('alice'), mcpttIdOf('carol')] }] });
    const shared = await a.cms.shareMigrations();
    void shared;

    const hostSystem = (s: RunningSystem): UeHostSystemInput => ({
      id: s.id,
      cmsXcapRoot: s.cms.xcapRoot,
      endpoints: {
        idms: { issuer: s.idms.issuer },
        cms: { xcapRoot: s.cms.xcapRoot, sip: s.cms.sipUri, psi: s.cms.psi },
        gms: { xcapRoot: s.gms.xcapRoot, sip: s.gms.sipUri, psi: s.gms.psi },
        mcs: { sip: s.mcs.sipUri, psi: s.mcs.psi },
      },
    });
    return {
      dir,
      a,
      b,
      hostSystems: [hostSystem(a), hostSystem(b)],
      async close() {
        for (const c of closers.reverse()) await c().catch(() => undefined);
        for (const db of dbs) await db.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    for (const db of dbs) await db.close().catch(() => undefined);
    throw err;
  }
}
