/**
 * Integration fixtures: the IdMSs and CMSs of two MC systems (mcx-a primary, mcx-b partner), composed
 * by @mcx/mc-system exactly as `mcx up` composes them (production audiences, trust, CSC-17 wiring) on
 * throw-away databases (SQLite, or PostgreSQL when MCX_TEST_DATABASE_URL is set), and SIP subscribers
 * from @mcx/sip.
 */
import type { Database } from '@mcx/db';
import { loginWithPkce, exchangeForPartnerIdms, exchangeToken, type McTokens } from '@mcx/auth';
import { startIdms, type IdmsHandle } from '@mcx/idms';
import { LAB_SYSTEMS, labEcosystem, startMcSystems, testDatabaseSetting, UE_CLIENT as UE_CLIENT_CONTRACT, type Audiences, type McSystems } from '@mcx/mc-system';
import type { SystemConfig } from '@mcx/ecosystem';
import { startCms, type CmsHandle, type CmsConfigInput, type StartCmsDeps } from '../src/index.ts';
import { TEST_SIP_TIMERS } from '../src/testing.ts';

export const UE_CLIENT = UE_CLIENT_CONTRACT.clientId;
export const REDIRECT_URI = UE_CLIENT_CONTRACT.redirectUri;
export const PASSWORD = 'correct horse battery staple';
export const ADMIN_A = 'admin-token-mcx-a';
export const ADMIN_B = 'admin-token-mcx-b';
export const FAST_TIMERS = TEST_SIP_TIMERS;

export const ALICE = 'sip:alice@mcx-a.example.net';
export const BOB = 'sip:bob@mcx-a.example.net';
export const CAROL = 'sip:carol@mcx-a.example.net';

export interface Idmss {
  a: IdmsHandle;
  b: IdmsHandle;
  dbA: Database;
  dbB: Database;
}

export interface TestCms {
  cms: CmsHandle;
  db: Database;
  close(): Promise<void>;
}

const SERVERS = { idms: startIdms, cms: startCms };

export interface CmsLab {
  systems: McSystems<typeof SERVERS>;
  idmss: Idmss;
  a: TestCms;
  /** The partner's CMS (absent when only mcx-a runs). */
  b: TestCms;
  audiences: Record<'mcx-a' | 'mcx-b', Audiences>;
  close(): Promise<void>;
}

/**
 * The CMS test ecosystem: alice (3 personalities, partner mcx-b, migrates there with profile index 7
 * and may use her profiles 1 and 2 to access it), bob (1 profile), carol (1 profile, partner entry but
 * no migration), dave (homed in mcx-b).
 */
export function cmsTestEcosystem(systems: ('mcx-a' | 'mcx-b')[] = ['mcx-a', 'mcx-b']) {
  const admin = { 'mcx-a': ADMIN_A, 'mcx-b': ADMIN_B };
  const home = (groups: string[]) => [{ index: 1, name: 'home', preSelected: true, groups }];
  return labEcosystem({
    systems: LAB_SYSTEMS.filter((s) => systems.includes(s.id as 'mcx-a')).map((s) => ({ ...s, adminToken: admin[s.id as 'mcx-a'] })),
    users: [
      {
        username: 'alice',
        password: PASSWORD,
        displayName: 'Alice',
        home: 'mcx-a',
        profiles: [
          { index: 1, name: 'home', preSelected: true, groups: ['fire'] },
          { index: 2, name: 'mutual aid', groups: ['fire'] },
          { index: 3, name: 'limited functionality', groups: ['fire'] },
        ],
        migrateTo: [{ system: 'mcx-b', profile: { index: 7, name: 'visiting mcx-b', groups: ['visitors'] }, accessProfiles: [1, 2] }],
      },
      { username: 'bob', password: PASSWORD, displayName: 'Bob', home: 'mcx-a', profiles: home(['fire']) },
      { username: 'carol', password: PASSWORD, displayName: 'Carol', home: 'mcx-a', profiles: home(['fire']) },
      { username: 'dave', password: PASSWORD, home: 'mcx-b', profiles: home([]) },
    ],
    groups: [
      { id: 'fire', system: 'mcx-a', displayName: 'Fire', members: ['alice', 'bob', 'carol'] },
      { id: 'visitors', system: 'mcx-b', displayName: 'Visitors', members: ['dave'] },
    ],
  });
}

/** IdMS + CMS of each lab system, seeded from cmsTestEcosystem(), with per-CMS overrides. */
export async function startCmsLab(
  options: {
    systems?: ('mcx-a' | 'mcx-b')[];
    cms?: (s: SystemConfig) => Partial<CmsConfigInput>;
    cmsDeps?: (s: SystemConfig) => Partial<StartCmsDeps>;
  } = {},
): Promise<CmsLab> {
  const systems = await startMcSystems({
    ecosystem: cmsTestEcosystem(options.systems),
    servers: SERVERS,
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
    sipTimers: FAST_TIMERS,
    overrides: { cms: (s) => ({ shareRetryMs: 0, ...options.cms?.(s) }) },
    ...(options.cmsDeps ? { deps: { cms: options.cmsDeps } } : {}),
  });
  const sys = (id: string) => systems.systems.find((s) => s.config.id === id);
  const a = sys('mcx-a')!;
  const b = sys('mcx-b');
  const testCms = (cms: CmsHandle): TestCms => ({ cms, db: cms.db, close: () => cms.close() });
  return {
    systems,
    idmss: { a: a.idms, b: b?.idms ?? a.idms, dbA: a.idms.db, dbB: (b?.idms ?? a.idms).db },
    a: testCms(a.cms),
    b: b ? testCms(b.cms) : (undefined as unknown as TestCms),
    audiences: { 'mcx-a': a.audiences, 'mcx-b': b?.audiences ?? a.audiences },
    close: () => systems.close(),
  };
}

/** Another instance of a CMS on the same database (a restart or a replica): same configuration, free ports. */
export async function startCmsInstance(cms: CmsHandle, overrides: Partial<CmsConfigInput> = {}): Promise<TestCms> {
  const instance = await startCms({ ...cms.config, httpPort: 0, sipPort: 0, ...overrides }, { db: cms.db });
  return { cms: instance, db: cms.db, close: () => instance.close() };
}

export async function login(issuer: string, username: string, scope?: string): Promise<McTokens> {
  return loginWithPkce({ issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username, password: PASSWORD, ...(scope ? { scope } : {}) });
}

/** A partner (mcx-b) access token for a user of mcx-a: token exchange at A (the token for IdMS-B), then at B. */
export async function partnerToken(idmss: Idmss, username: string): Promise<string> {
  const l = await login(idmss.a.issuer, username);
  const m = await exchangeForPartnerIdms({ issuer: idmss.a.issuer, clientId: UE_CLIENT, subjectToken: l.accessToken, partnerIssuer: idmss.b.issuer });
  const p = await exchangeToken({ partnerIssuer: idmss.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
  return p.accessToken;
}

// The SIP test UE, the large-change payload and waitFor live in @mcx/cms/testing (src/testing.ts),
// shared with the e2e reliability suite.
export { extensionNotes, subscribeUe, waitFor, type TestUe } from '../src/testing.ts';

export function bearer(token: string | undefined): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}
