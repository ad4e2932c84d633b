// Test fixture: the IdMSs of two MC systems (real, embedded SQLite in a temp dir), trusting each
// other for migration, and a CSC-5 endpoint standing in for the partner CMS (the MCS only needs
// `GET /csc5/migrations/:mcpttId`; the e2e tests run it against the real CMS).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '@mcx/db';
import { authorizeMigration, startIdms, upsertAccount, type IdmsHandle } from '@mcx/idms';
import { exchangeToken, loginWithPkce, refreshForResource } from '@mcx/auth';

export const UE_CLIENT = 'mcx-ue';
export const REDIRECT_URI = 'http://127.0.0.1/mcx-ue/callback';
export const PASSWORD = 'alice-secret';
export const ADMIN = 'test-admin-token';
export const ALICE = 'sip:alice@mcx-a.example.net';

export const audiences = (id: string, http: string) => ({ cms: `${http}/cms-${id}`, gms: `${http}/gms-${id}`, mcs: `sip:mcptt-server@${id}.example.net` });

export interface Csc5Row {
  homeSystemId: string;
  accessProfiles: number[];
  profileSelector: string | null;
  status: string;
}

export interface Fixture {
  a: IdmsHandle;
  b: IdmsHandle;
  csc5: { url: string; rows: Map<string, Csc5Row> };
  loginA(user?: string): Promise<{ accessToken: string; refreshToken: string }>;
  partnerToken(refreshToken: string): Promise<string>;
  close(): Promise<void>;
}

export async function startFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-mcs-'));
  const dbs: Database[] = [await openDatabase({ dataDir: dir, name: 'mcx-a-idms' }), await openDatabase({ dataDir: dir, name: 'mcx-b-idms' })];
  const ue = { client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] };
  const a = await startIdms({ systemId: 'mcx-a', audiences: audiences('mcx-a', 'http://a'), clients: [ue], scryptCost: 1024 }, { db: dbs[0]! });
  const b = await startIdms({ systemId: 'mcx-b', audiences: audiences('mcx-b', 'http://b'), clients: [ue], scryptCost: 1024 }, { db: dbs[1]! });
  const secret = 'partner-introspection-secret';
  await a.reconfigure({
    clients: [ue, { client_id: 'idms-mcx-b', client_secret: secret }],
    partners: [{ systemId: 'mcx-b', issuer: b.issuer, introspection: { clientId: 'idms-mcx-a', clientSecret: secret } }],
  });
  await b.reconfigure({
    clients: [ue, { client_id: 'idms-mcx-a', client_secret: secret }],
    partners: [{ systemId: 'mcx-a', issuer: a.issuer, introspection: { clientId: 'idms-mcx-b', clientSecret: secret } }],
  });
  await upsertAccount(dbs[0]!, { username: 'alice', password: PASSWORD, mcpttId: ALICE, entitlements: ['mcptt'], scryptCost: 1024 });
  await upsertAccount(dbs[1]!, { username: 'dave', password: PASSWORD, mcpttId: 'sip:dave@mcx-b.example.net', entitlements: ['mcptt'], scryptCost: 1024 });
  await authorizeMigration(dbs[1]!, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: ALICE, accessProfiles: [1] });

  const rows = new Map<string, Csc5Row>();
  const server: Server = createServer((req, res) => {
    const m = /^\/csc5\/migrations\/([^/?]+)$/.exec(req.url ?? '');
    if (req.headers.authorization !== `Bearer ${ADMIN}`) return void res.writeHead(403).end();
    const row = m ? rows.get(decodeURIComponent(m[1]!)) : undefined;
    if (!row) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(row));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const csc5Url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    a,
    b,
    csc5: { url: csc5Url, rows },
    async loginA(user = 'alice') {
      const t = await loginWithPkce({ issuer: a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: user, password: PASSWORD });
      return { accessToken: t.accessToken, refreshToken: t.refreshToken! };
    },
    async partnerToken(refreshToken) {
      const m = await refreshForResource({ issuer: a.issuer, clientId: UE_CLIENT, refreshToken, resource: b.issuer });
      const p = await exchangeToken({ partnerIssuer: b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
      return p.accessToken;
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      await a.close();
      await b.close();
      for (const db of dbs) await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
