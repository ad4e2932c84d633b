// Test fixture: the IdMSs and MCSs of two MC systems composed by @mcx/mc-system as `mcx up`
// composes them (production audiences and trust), and one HTTP server standing in for both CMSs:
// the partner CMS's CSC-5 `GET /csc5/migrations/:mcpttId` (mcx-b's admin credential) and the primary
// CMS's `GET /admin/migrations` (mcx-a's), the only CMS requests an MCS makes; the UE tests and
// e2e run the MCSs against the real CMSs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { labEcosystem, startMcSystems, testDatabaseSetting, UE_CLIENT as UE_CLIENT_CONTRACT } from '@mcx/mc-system';
import { authorizeMigration, startIdms, type IdmsHandle } from '@mcx/idms';
import { exchangeForPartnerIdms, exchangeToken, loginWithPkce, refreshForResource } from '@mcx/auth';
import { startMcs, type McsHandle } from '../src/index.ts';

export const UE_CLIENT = UE_CLIENT_CONTRACT.clientId;
export const REDIRECT_URI = UE_CLIENT_CONTRACT.redirectUri;
export const PASSWORD = 'alice-secret';
export const ALICE = 'sip:alice@mcx-a.example.net';

export interface Csc5Row {
  homeSystemId: string;
  accessProfiles: number[];
  profileSelector: string | null;
  status: string;
}

export interface Fixture {
  a: IdmsHandle;
  b: IdmsHandle;
  mcsA: McsHandle;
  mcsB: McsHandle;
  /** mcx-b's admin credential (what its MCS presents on CSC-5). */
  adminB: string;
  csc5: { url: string; rows: Map<string, Csc5Row> };
  /** What CMS-A's `GET /admin/migrations` lists (its CSC-17 shares), read by MCS-A to decide. */
  homeShares: { mcpttId: string; partnerSystemId: string; status: string; accessProfiles: number[] }[];
  loginA(user?: string): Promise<{ accessToken: string; refreshToken: string }>;
  partnerToken(refreshToken: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const rows = new Map<string, Csc5Row>();
  const homeShares: Fixture['homeShares'] = [];
  let adminB = '';
  let adminA = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cms-a');
    if (url.pathname === '/admin/migrations' && adminA && req.headers.authorization === `Bearer ${adminA}`) {
      // As the CMS does: `?mcpttId=&partnerSystemId=` limit the list to one user's share.
      const mcpttId = url.searchParams.get('mcpttId');
      const partner = url.searchParams.get('partnerSystemId');
      const listed = homeShares.filter((s) => (mcpttId === null || s.mcpttId === mcpttId) && (partner === null || s.partnerSystemId === partner));
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(listed));
    }
    const m = /^\/csc5\/migrations\/([^/?]+)$/.exec(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${adminB}`) return void res.writeHead(403).end();
    const row = m ? rows.get(decodeURIComponent(m[1]!)) : undefined;
    if (!row) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(row));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const csc5Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profiles = [{ index: 1, name: 'home', preSelected: true }];
  const systems = await startMcSystems({
    ecosystem: labEcosystem({
      users: [
        { username: 'alice', password: PASSWORD, home: 'mcx-a', profiles },
        { username: 'bob', password: PASSWORD, home: 'mcx-a', profiles },
        { username: 'dave', password: PASSWORD, home: 'mcx-b', profiles },
      ],
      groups: [],
    }),
    servers: { idms: startIdms, mcs: startMcs },
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
    // No CMS runs here: both MCSs ask the stand-in.
    overrides: { mcs: (s) => ({ cms: { url: csc5Url, adminToken: s.adminToken! } }) },
  }).catch(async (err: unknown) => {
    await new Promise<void>((r) => server.close(() => r()));
    throw err;
  });
  const a = systems.system('mcx-a');
  const b = systems.system('mcx-b');
  adminB = b.admin.token;
  adminA = a.admin.token;
  // What CSC-17 sharing would record at IdMS-B (no CMS runs here): alice may migrate with profile 1.
  await authorizeMigration(b.idms.db, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: ALICE, accessProfiles: [1] });

  return {
    a: a.idms,
    b: b.idms,
    mcsA: a.mcs,
    mcsB: b.mcs,
    adminB,
    csc5: { url: csc5Url, rows },
    homeShares,
    async loginA(user = 'alice') {
      const t = await loginWithPkce({ issuer: a.idms.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: user, password: PASSWORD });
      return { accessToken: t.accessToken, refreshToken: t.refreshToken! };
    },
    async partnerToken(refreshToken) {
      // A fresh primary access token, exchanged at the primary for the token for IdMS-B (TS 33.180 B.7).
      const primary = await refreshForResource({ issuer: a.idms.issuer, clientId: UE_CLIENT, refreshToken });
      const m = await exchangeForPartnerIdms({ issuer: a.idms.issuer, clientId: UE_CLIENT, subjectToken: primary.accessToken, partnerIssuer: b.idms.issuer });
      const p = await exchangeToken({ partnerIssuer: b.idms.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
      return p.accessToken;
    },
    async close() {
      await systems.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
