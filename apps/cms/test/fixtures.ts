/**
 * Integration fixtures: real IdMSs (mcx-a, mcx-b, trusting each other for migration), real CMSs
 * on loopback (HTTP and SIP, port 0), throw-away databases from @mcx/db/testing (SQLite, or
 * PostgreSQL when MCX_TEST_DATABASE_URL is set), SIP subscribers from @mcx/sip.
 */
import { openTestDatabase } from '@mcx/db/testing';
import type { Database } from '@mcx/db';
import { loginWithPkce, refreshForResource, exchangeToken, type McTokens } from '@mcx/auth';
import { authorizeMigration, startIdms, upsertAccount, type IdmsHandle } from '@mcx/idms';
import { exampleMcSystem, partnerUeInitConfig, mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import {
  buildMultipart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  SipEndpoint,
  subscribe,
  XCAP_DIFF_ACCEPT,
  XCAP_DIFF_EVENT,
  type IncomingNotify,
  type SubscriptionHandle,
} from '@mcx/sip';
import { startCms, type CmsHandle, type CmsConfigInput, type CmsSeed, type StartCmsDeps } from '../src/index.ts';

export const UE_CLIENT = 'mcx-ue';
export const REDIRECT_URI = 'http://127.0.0.1/mcx-ue/callback';
export const PASSWORD = 'correct horse battery staple';
export const ADMIN_A = 'admin-token-mcx-a';
export const ADMIN_B = 'admin-token-mcx-b';
const PARTNER_SECRET = 'partner-introspection-secret';
export const FAST_TIMERS = { t1: 40, t2: 320, t4: 200 };

export const ALICE = 'sip:alice@mcx-a.example.net';
export const BOB = 'sip:bob@mcx-a.example.net';
export const CAROL = 'sip:carol@mcx-a.example.net';

export function audiences(systemId: string) {
  return { cms: `urn:mcx:${systemId}:cms`, gms: `urn:mcx:${systemId}:gms`, mcs: `urn:mcx:${systemId}:mcs` };
}

export interface Idmss {
  a: IdmsHandle;
  b: IdmsHandle;
  dbA: Database;
  dbB: Database;
  close(): Promise<void>;
}

/** Two IdMSs wired for migration (as apps/idms/test/ecosystem.ts), accounts alice, bob, carol in mcx-a. */
export async function startIdmss(): Promise<Idmss> {
  const dbA = await openTestDatabase();
  const dbB = await openTestDatabase();
  const base = (systemId: string) => ({
    systemId,
    audiences: audiences(systemId),
    clients: [{ client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] }],
    scryptCost: 1024,
  });
  const a = await startIdms(base('mcx-a'), { db: dbA });
  const b = await startIdms(base('mcx-b'), { db: dbB });
  const ue = { client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] };
  await a.reconfigure({
    clients: [ue, { client_id: 'idms-mcx-b', client_secret: PARTNER_SECRET }],
    partners: [{ systemId: 'mcx-b', issuer: b.issuer, introspection: { clientId: 'idms-mcx-a', clientSecret: PARTNER_SECRET } }],
  });
  await b.reconfigure({
    clients: [ue, { client_id: 'idms-mcx-a', client_secret: PARTNER_SECRET }],
    partners: [{ systemId: 'mcx-a', issuer: a.issuer, introspection: { clientId: 'idms-mcx-b', clientSecret: PARTNER_SECRET } }],
  });
  for (const [username, mcpttId] of [['alice', ALICE], ['bob', BOB], ['carol', CAROL]] as const) {
    await upsertAccount(dbA, { username, password: PASSWORD, mcpttId, entitlements: ['mcptt'], scryptCost: 1024 });
  }
  await upsertAccount(dbB, { username: 'dave', password: PASSWORD, mcpttId: 'sip:dave@mcx-b.example.net', entitlements: ['mcptt'], scryptCost: 1024 });
  return {
    a,
    b,
    dbA,
    dbB,
    async close() {
      await a.close();
      await b.close();
      await dbA.close();
      await dbB.close();
    },
  };
}

export async function login(issuer: string, username: string, scope?: string): Promise<McTokens> {
  return loginWithPkce({ issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username, password: PASSWORD, ...(scope ? { scope } : {}) });
}

/** A partner (mcx-b) access token for a user of mcx-a: migration token at A, token exchange at B. */
export async function partnerToken(idmss: Idmss, username: string): Promise<string> {
  const l = await login(idmss.a.issuer, username);
  const m = await refreshForResource({ issuer: idmss.a.issuer, clientId: UE_CLIENT, refreshToken: l.refreshToken!, resource: idmss.b.issuer });
  const p = await exchangeToken({ partnerIssuer: idmss.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
  return p.accessToken;
}

/** Stands in for the IdMS admin API of docs/server-contracts.md over real HTTP; writes what it receives into IdMS-B's database. */
export { authorizeMigration };

export interface TestCms {
  cms: CmsHandle;
  db: Database;
  close(): Promise<void>;
}

export async function startTestCms(config: Partial<CmsConfigInput> & Pick<CmsConfigInput, 'systemId' | 'idmsIssuer'>, deps: StartCmsDeps & { db?: Database } = {}): Promise<TestCms> {
  const db = deps.db ?? (await openTestDatabase());
  const cms = await startCms(
    {
      domain: `${config.systemId}.example.net`,
      audience: audiences(config.systemId).cms,
      adminToken: config.systemId === 'mcx-b' ? ADMIN_B : ADMIN_A,
      sipTimers: FAST_TIMERS,
      shareRetryMs: 0,
      ...config,
    },
    { ...deps, db },
  );
  return {
    cms,
    db,
    async close() {
      await cms.close();
      if (!deps.db) await db.close();
    },
  };
}

const SYSTEM_B = exampleMcSystem('mcx-b', '00102');

/** The seed of mcx-a: alice (3 personalities, partner mcx-b, migrates there), bob (1 profile), carol (1 profile, no migration). */
export function seedA(cmsA: CmsHandle, partnerB?: { xcapRoot: string }): CmsSeed {
  const b = partnerB ? { ...SYSTEM_B, cms: { ...SYSTEM_B.cms, xcapRoot: partnerB.xcapRoot } } : SYSTEM_B;
  const groups = [{ groupId: 'sip:fire@mcx-a.example.net', displayName: 'Fire', implicit: true }];
  const partners = (id: string, index: number) => [{ systemId: 'mcx-b', name: 'MC system B', ueInitConfig: partnerUeInitConfig(b, id, index) }];
  return {
    system: {
      ...exampleMcSystem('mcx-a', '00101'),
      cms: { xcapRoot: cmsA.xcapRoot, sipUri: cmsA.psi },
    },
    users: [
      {
        mcpttId: ALICE,
        displayName: 'Alice',
        profiles: [
          { index: 1, name: 'home', preSelected: true, groups, allow: ['allow-private-call'] },
          { index: 2, name: 'mutual aid', groups },
          { index: 3, name: 'limited functionality', groups },
        ],
        partners: partners(ALICE, 1),
        migrateTo: [{ systemId: 'mcx-b', profile: { index: 7, name: 'visiting mcx-b', groups: [{ groupId: 'sip:visitors@mcx-b.example.net' }] }, accessProfiles: [1, 2] }],
      },
      { mcpttId: BOB, displayName: 'Bob', profiles: [{ index: 1, name: 'home', preSelected: true, groups }] },
      { mcpttId: CAROL, displayName: 'Carol', profiles: [{ index: 1, name: 'home', preSelected: true, groups }], partners: partners(CAROL, 1) },
    ],
  };
}

export function seedB(cmsB: CmsHandle): CmsSeed {
  return {
    system: { ...SYSTEM_B, cms: { xcapRoot: cmsB.xcapRoot, sipUri: cmsB.psi } },
    users: [{ mcpttId: 'sip:dave@mcx-b.example.net', profiles: [{ index: 1, name: 'home', preSelected: true }] }],
  };
}

/** A SIP UE: endpoint + collected NOTIFYs. */
export interface TestUe {
  endpoint: SipEndpoint;
  notifies: IncomingNotify[];
  subscription: SubscriptionHandle;
  close(): Promise<void>;
}

/** SUBSCRIBE (TS 24.484 clause 6.3.13.2.2): multipart resource-lists + mcptt-info with the token. */
export async function subscribeUe(cms: CmsHandle, token: string | undefined, uris: string[], transport: 'udp' | 'tcp' = 'udp'): Promise<TestUe & { status: number }> {
  const endpoint = await SipEndpoint.create({ timers: FAST_TIMERS, ...(transport === 'tcp' ? { udp: false } : { tcp: false }) });
  const notifies: IncomingNotify[] = [];
  const parts = [{ contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf(uris)) }];
  if (token) parts.push({ contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(token)) });
  const mp = buildMultipart(parts);
  const subscription = subscribe({
    endpoint,
    uri: transport === 'tcp' ? cms.sipTcpUri : cms.sipUri,
    from: `<sip:ue@127.0.0.1>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: mp.body,
    contentType: mp.contentType,
    expires: 600,
    headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
    onNotify: (n) => {
      notifies.push(n);
    },
    resubscribe: false,
  });
  const response = await subscription.ready;
  return {
    endpoint,
    notifies,
    subscription,
    status: response.status,
    async close() {
      await endpoint.close();
    },
  };
}

/** Polls until `check` is truthy (bounded by the test timeout; no timing assertion). */
export async function waitFor<T>(check: () => T | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; i < 4000; i++) {
    const v = check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
