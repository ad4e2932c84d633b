/**
 * The ecosystem-wide authorization matrix (issue 18, "who may do what"): the whole lab composed as
 * `mcx up` composes it (both MC systems, the UE host with one UE, the console), 5 users over the 2
 * systems, and every surface that decides who may do what:
 *
 * - XCAP at the CMS (CSC-4) and GMS (CSC-2) of each user's home system: read and write of the
 *   user's profile, UE configuration, UE initial configuration, the service configuration and the
 *   user's group document;
 * - SUBSCRIBE over SIP to the CMS (subscription proxy) and the GMS with the mcptt-info token;
 * - the admin APIs of the IdMS, CMS and GMS, CSC-5 and CSC-17, per user and per system;
 * - the console's API and the UE host control API;
 *
 * each with the credentials {own valid, other user, other system, none, admin, wrong admin}. The
 * expected outcome of each cell comes from the rules below (RULES), evaluated over the ecosystem's
 * own data (who is a member, who administers a group), never from what the servers answered. A
 * refused write must leave the document as it was. One summary line: `authorization: N cells, W wrong`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWithPkce, refreshForResource } from '@mcx/auth';
import { SERVICE_CONFIG_SELECTOR, ueConfigSelector, ueIdOfUser, userProfileSelector } from '@mcx/cms';
import { mcpttInfoWithAccessToken, resourceListsOf, serializeMcpttInfo, serializeResourceLists } from '@mcx/documents';
import { groupSelector, GROUPS_MIME } from '@mcx/gms';
import { groupUriOf, labEcosystem, LAB_GROUPS, LAB_USERS, UE_CLIENT } from '@mcx/mc-system';
import { buildMultipart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, SipEndpoint, subscribe, targetFromUri, XCAP_DIFF_ACCEPT, XCAP_DIFF_EVENT } from '@mcx/sip';
import { startEcosystem, type RunningEcosystem } from '../../apps/mcx/src/ecosystem/ecosystem.ts';
import type { RunningSystem } from '../../apps/mcx/src/ecosystem/start.ts';

/** The credential a cell presents. */
type Kind = 'own' | 'other user' | 'other system' | 'none' | 'admin' | 'wrong admin' | 'admin, other origin';
const KINDS: Kind[] = ['own', 'other user', 'other system', 'none', 'admin', 'wrong admin'];
/** What a cell must get: admitted (2xx; for a probe, any answer after authorization: not 401/403, no 5xx), or refused. */
type Outcome = 'admitted' | 401 | 403;

/**
 * The rules every expected outcome is derived from, with where each comes from. `mayRead` /
 * `mayWrite` below are these rules over the ecosystem's data.
 */
const RULES = {
  anonymous: 'UE initial configuration: anyone reads it, token or not (TS 24.484 clause 7.2.1: read before login); nobody writes it over XCAP',
  cmsNoToken: 'CMS XCAP without a bearer token: 403 (TS 24.482 annex A.2.3)',
  gmsNoToken: 'GMS XCAP without a bearer token: 401 with a Bearer challenge (RFC 6750 clause 3.1; apps/gms csc2-xcap)',
  invalidToken: 'a token that is not this server\'s (another system\'s IdMS, wrong aud/iss, an admin credential that is not a JWT): 401 invalid_token (RFC 6750 clause 3.1; TS 33.180 annex B.5)',
  cmsPolicy: 'CMS with a valid token: own profile read+write, own UE configuration read, service configuration read by any user of the system, nothing else (TS 24.484 clause 6.2.4; RFC 4825 clause 5.7; apps/cms access-policy.ts)',
  gmsPolicy: 'GMS with a valid token: members read the group document, its administrators edit it (TS 24.481 clause 6.3.2)',
  gmsAdmin: 'GMS XCAP: the system\'s own admin credential is a principal with the admin role (our choice, apps/gms authentication.ts); not on SIP',
  subscribe: 'SUBSCRIBE: accepted only when the mcptt-info token may read every listed document, else 403 (TS 24.484 clause 6.3.13.2.2; TS 24.481 clause 6.3.13; RFC 6665 clause 4.2.1.1)',
  adminApis: 'IdMS/CMS/GMS admin APIs, CSC-5, CSC-17: the system\'s own admin credential only, anything else 401 (docs/server-contracts.md "Admin credential"; RFC 6750 clause 2.1)',
  console: 'console API: a session from the token link (or the lab control secret as bearer) only, anything else 401; a cookie-borne request from another origin 403 (our choice; apps/console login.ts)',
  ueHost: 'UE host control API: the lab control secret as bearer only, anything else 401 (our choice; RFC 6750 clause 2.1; docs/ue-host-api.md)',
} as const;
type Rule = keyof typeof RULES;

interface Cell {
  surface: string;
  owner: string;
  system: string;
  call: string;
  kind: Kind;
  expected: Outcome;
  rule: Rule;
  observed?: string;
  wrong?: string;
}

/** A fifth user, homed in mcx-b with dave, member of rescue-b (the lab's four users are not five). */
const ERIN = { username: 'erin', password: 'erin-secret', displayName: 'Erin', home: 'mcx-b', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['rescue-b'] }] };
const PASSWORDS: Record<string, string> = { alice: 'alice-secret', bob: 'bob-secret', carol: 'carol-secret', dave: 'dave-secret', erin: 'erin-secret' };
/** "Other user": another user of the same system. "Other system": a user of the other system. */
const OTHER_USER: Record<string, string> = { alice: 'bob', bob: 'carol', carol: 'alice', dave: 'erin', erin: 'dave' };
const OTHER_SYSTEM_USER: Record<string, string> = { 'mcx-a': 'dave', 'mcx-b': 'alice' };

const ecosystem = labEcosystem({
  users: [...(LAB_USERS ?? []), ERIN],
  groups: (LAB_GROUPS ?? []).map((g) => (g.id === 'rescue-b' ? { ...g, members: [...g.members, 'erin'] } : g)),
  ues: [{ id: 'ue-alice', user: 'alice' }],
});

let dir: string;
let running: RunningEcosystem;
let sip: SipEndpoint;
let cookie: string;
/** Per user: access tokens for the CMS and the GMS of the home system. */
const tokens = new Map<string, { cms: string; gms: string }>();
const cells: Cell[] = [];

const system = (id: string): RunningSystem => running.systems.system(id);
const homeOf = (user: string) => ecosystem.users.find((u) => u.username === user)!.home;
const otherSystemOf = (id: string) => ecosystem.systems.find((s) => s.id !== id)!.id;
const mcpttIdOf = (user: string) => `sip:${user}@${homeOf(user)}.example.net`;
const groupOf = (user: string) => ecosystem.groups.find((g) => g.system === homeOf(user) && g.members.includes(user))!;

async function login(username: string): Promise<{ cms: string; gms: string }> {
  const s = system(homeOf(username));
  const issuer = s.idms.issuer;
  const l = await loginWithPkce({ issuer, clientId: UE_CLIENT.clientId, redirectUri: UE_CLIENT.redirectUri, username, password: PASSWORDS[username]! });
  const forResource = async (resource: string) => (await refreshForResource({ issuer, clientId: UE_CLIENT.clientId, refreshToken: l.refreshToken!, resource })).accessToken;
  return { cms: await forResource(s.audiences.cms), gms: await forResource(s.audiences.gms) };
}

/** The credential of `kind` for a cell about `owner` at a server of `sys` (`server`: which token audience). */
function credential(kind: Kind, owner: string, sys: string, server: 'cms' | 'gms'): string | undefined {
  switch (kind) {
    case 'own':
      return tokens.get(owner)![server];
    case 'other user':
      return tokens.get(OTHER_USER[owner]!)![server];
    case 'other system':
      return tokens.get(OTHER_SYSTEM_USER[sys]!)![server];
    case 'none':
      return undefined;
    case 'admin':
    case 'admin, other origin':
      return system(sys).admin.token;
    case 'wrong admin':
      return system(otherSystemOf(sys)).admin.token;
  }
}
/** The MC user a valid token of `kind` names (undefined: no valid token of this system). */
function subject(kind: Kind, owner: string): string | undefined {
  return kind === 'own' ? owner : kind === 'other user' ? OTHER_USER[owner] : undefined;
}

// ---------------------------------------------------------------------------------------------
// The rules as functions of the ecosystem's data.

type Doc = 'user profile' | 'UE configuration' | 'UE initial configuration' | 'service configuration' | 'group';

function cmsMay(user: string, owner: string, doc: Doc, op: 'read' | 'write'): boolean {
  switch (doc) {
    case 'UE initial configuration':
      return op === 'read';
    case 'service configuration':
      return op === 'read';
    case 'UE configuration':
      return op === 'read' && user === owner;
    case 'user profile':
      return user === owner;
    case 'group':
      return false;
  }
}
function gmsMay(user: string, owner: string, op: 'read' | 'write'): boolean {
  const g = groupOf(owner);
  const admin = (g.administrators ?? []).includes(user);
  return op === 'read' ? admin || g.members.includes(user) : admin;
}

function expectedXcap(kind: Kind, owner: string, doc: Doc, op: 'read' | 'write'): [Outcome, Rule] {
  const gms = doc === 'group';
  if (doc === 'UE initial configuration' && op === 'read') return ['admitted', 'anonymous'];
  if (kind === 'none') return gms ? [401, 'gmsNoToken'] : [403, 'cmsNoToken'];
  if (kind === 'admin' && gms) return ['admitted', 'gmsAdmin'];
  const user = subject(kind, owner);
  if (user === undefined) return [401, 'invalidToken'];
  if (gms) return [gmsMay(user, owner, op) ? 'admitted' : 403, 'gmsPolicy'];
  return [cmsMay(user, owner, doc, op) ? 'admitted' : 403, 'cmsPolicy'];
}

function expectedSubscribe(kind: Kind, owner: string, server: 'cms' | 'gms'): Outcome {
  const user = subject(kind, owner);
  if (user === undefined) return 403;
  const docs: Doc[] = server === 'cms' ? ['user profile', 'UE configuration', 'service configuration'] : ['group'];
  return docs.every((d) => (server === 'cms' ? cmsMay(user, owner, d, 'read') : gmsMay(user, owner, 'read'))) ? 'admitted' : 403;
}

const expectedAdmin = (kind: Kind): Outcome => (kind === 'admin' ? 'admitted' : 401);

// ---------------------------------------------------------------------------------------------
// Observing a cell.

/** The outcome class of an HTTP answer; a 401 without an RFC 6750 challenge is not a proper refusal. */
function classify(res: Response, probe: boolean): string {
  if (res.status === 401) return /^Bearer\b/.test(res.headers.get('www-authenticate') ?? '') ? '401' : '401 without a Bearer challenge';
  if (res.status === 403) return '403';
  if (res.status >= 500) return `${res.status}`;
  if (res.status >= 200 && res.status < 300) return 'admitted';
  return probe ? 'admitted' : `${res.status}`;
}

function record(cell: Omit<Cell, 'observed' | 'wrong'>, observed: string, extra?: string): void {
  const wrong = observed !== String(cell.expected) ? `expected ${cell.expected}, got ${observed}` : extra;
  cells.push({ ...cell, observed, ...(wrong ? { wrong } : {}) });
}

const bearer = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

async function httpCell(
  cell: Omit<Cell, 'observed' | 'wrong'>,
  request: { method: string; url: string; headers?: Record<string, string>; body?: string; probe?: boolean; stream?: boolean },
  unchanged?: () => Promise<string | undefined>,
): Promise<void> {
  const before = unchanged ? await unchanged() : undefined;
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers ?? {},
    ...(request.body !== undefined ? { body: request.body } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  if (request.stream) await res.body?.cancel();
  else await res.arrayBuffer();
  const observed = classify(res, request.probe ?? false);
  let extra: string | undefined;
  if (unchanged && observed !== 'admitted' && (await unchanged()) !== before) extra = 'a refused write changed the document';
  if (res.headers.get('access-control-allow-origin') !== null) extra = `CORS granted to ${res.headers.get('access-control-allow-origin')}`;
  record(cell, observed, extra);
}

/** The current ETag of a CMS document (admin API), or "absent". */
async function cmsEtag(sys: string, selector: string): Promise<string> {
  const s = system(sys);
  const res = await fetch(`${s.cms.httpUrl}/admin/documents/${selector.split('/').map(encodeURIComponent).join('/')}`, { headers: bearer(s.admin.token) });
  if (res.status === 404) return 'absent';
  return ((await res.json()) as { etag: string }).etag;
}
async function cmsDocument(sys: string, selector: string): Promise<{ body: string; etag: string; contentType: string }> {
  const s = system(sys);
  const res = await fetch(`${s.cms.httpUrl}/admin/documents/${selector.split('/').map(encodeURIComponent).join('/')}`, { headers: bearer(s.admin.token) });
  return (await res.json()) as { body: string; etag: string; contentType: string };
}
/** A group document as its GMS serves it to the system's admin credential (body, ETag). */
async function groupDocument(sys: string, selector: string): Promise<{ body: string; etag: string }> {
  const s = system(sys);
  const res = await fetch(`${s.gms.xcapRoot}/${selector}`, { headers: bearer(s.admin.token) });
  return { body: await res.text(), etag: res.headers.get('etag') ?? '' };
}

async function subscribeCell(cell: Omit<Cell, 'observed' | 'wrong'>, server: 'cms' | 'gms', uris: string[], token: string | undefined): Promise<void> {
  const s = system(cell.system);
  const parts = [{ contentType: RESOURCE_LISTS_CONTENT_TYPE, body: serializeResourceLists(resourceListsOf(uris)) }];
  if (token) parts.push({ contentType: MCPTT_INFO_CONTENT_TYPE, body: serializeMcpttInfo(mcpttInfoWithAccessToken(token)) });
  const mp = buildMultipart(parts);
  const handle = subscribe({
    endpoint: sip,
    uri: s[server].psi,
    target: targetFromUri(s[server].sipUri),
    from: `<sip:matrix-${cell.owner}@127.0.0.1>`,
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: mp.body,
    contentType: mp.contentType,
    expires: 600,
    headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
    onNotify: () => undefined,
    resubscribe: false,
  });
  const res = await handle.ready;
  if (res.status >= 200 && res.status < 300) await handle.unsubscribe();
  record(cell, res.status >= 200 && res.status < 300 ? 'admitted' : String(res.status));
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-authorization-'));
  running = await startEcosystem({ ecosystem, dataDir: join(dir, 'data'), ephemeralPorts: true, throwAwayDatabases: true, scryptCost: 1024, startUes: true, sipTimers: { t1: 40, t2: 320, t4: 200 } });
  sip = await SipEndpoint.create({ udp: { host: '127.0.0.1', port: 0 }, tcp: false, timers: { t1: 40, t2: 320, t4: 200 } });
  for (const u of ecosystem.users) tokens.set(u.username, await login(u.username));
  const link = await fetch(`${running.console!.url}/?token=${encodeURIComponent(running.control.token)}`, { redirect: 'manual' });
  cookie = link.headers.get('set-cookie')!.split(';')[0]!;
});

afterAll(async () => {
  await sip?.close();
  await running?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('authorization matrix: 5 users x 2 systems x every document, SUBSCRIBE, admin, CSC-5, CSC-17, console and UE host calls', () => {
  it('XCAP documents at the CMS and GMS of each user\'s home system', async () => {
    for (const owner of ecosystem.users.map((u) => u.username)) {
      const sys = homeOf(owner);
      const s = system(sys);
      const ueId = ueIdOfUser(mcpttIdOf(owner));
      const docs: [Doc, 'cms' | 'gms', string][] = [
        ['user profile', 'cms', userProfileSelector(mcpttIdOf(owner), 1)],
        ['UE configuration', 'cms', ueConfigSelector(mcpttIdOf(owner))],
        ['service configuration', 'cms', SERVICE_CONFIG_SELECTOR],
        ['UE initial configuration', 'cms', `org.3gpp.mcptt.ue-init-config/users/${ueId}/${ueId}`],
        ['group', 'gms', groupSelector(groupUriOf(ecosystem, groupOf(owner).id))],
      ];
      for (const [doc, server, selector] of docs) {
        const url = `${s[server].xcapRoot}/${selector}`;
        for (const kind of KINDS) {
          const token = credential(kind, owner, sys, server);
          const [readExpected, readRule] = expectedXcap(kind, owner, doc, 'read');
          await httpCell({ surface: `${server.toUpperCase()} XCAP`, owner, system: sys, call: `GET ${doc}`, kind, expected: readExpected, rule: readRule }, { method: 'GET', url, headers: bearer(token) });
          // The write: the document as it is, conditional on its current ETag (a refused one must change nothing).
          const current =
            server === 'gms'
              ? { ...(await groupDocument(sys, selector)), contentType: GROUPS_MIME }
              : doc === 'UE initial configuration'
                ? await (async () => {
                    const r = await fetch(url);
                    return { body: await r.text(), etag: (r.headers.get('etag') ?? '').replace(/"/g, ''), contentType: r.headers.get('content-type') ?? '' };
                  })()
                : await cmsDocument(sys, selector);
          const etag = current.etag.startsWith('"') ? current.etag : `"${current.etag}"`;
          const [writeExpected, writeRule] = expectedXcap(kind, owner, doc, 'write');
          await httpCell(
            { surface: `${server.toUpperCase()} XCAP`, owner, system: sys, call: `PUT ${doc}`, kind, expected: writeExpected, rule: writeRule },
            { method: 'PUT', url, headers: { ...bearer(token), 'content-type': current.contentType, 'if-match': etag }, body: current.body },
            server === 'gms' ? async () => (await groupDocument(sys, selector)).etag : () => cmsEtag(sys, selector),
          );
        }
      }
    }
  });

  it('SUBSCRIBE over SIP to the CMS (subscription proxy) and the GMS, with the token in mcptt-info', async () => {
    for (const owner of ecosystem.users.map((u) => u.username)) {
      const sys = homeOf(owner);
      const s = system(sys);
      const cmsUris = [userProfileSelector(mcpttIdOf(owner), 1), ueConfigSelector(mcpttIdOf(owner)), SERVICE_CONFIG_SELECTOR].map((sel) => `${s.cms.xcapRoot}/${sel}`);
      const gmsUris = [`${s.gms.xcapRoot}/${groupSelector(groupUriOf(ecosystem, groupOf(owner).id))}`];
      for (const kind of KINDS) {
        await subscribeCell({ surface: 'CMS SUBSCRIBE', owner, system: sys, call: 'SUBSCRIBE profile + UE config + service config', kind, expected: expectedSubscribe(kind, owner, 'cms'), rule: 'subscribe' }, 'cms', cmsUris, credential(kind, owner, sys, 'cms'));
        await subscribeCell({ surface: 'GMS SUBSCRIBE', owner, system: sys, call: 'SUBSCRIBE group', kind, expected: expectedSubscribe(kind, owner, 'gms'), rule: 'subscribe' }, 'gms', gmsUris, credential(kind, owner, sys, 'gms'));
      }
    }
  });

  it('admin APIs of the IdMS, CMS and GMS, CSC-5 and CSC-17: per user and per system', async () => {
    const json = { 'content-type': 'application/json' };
    for (const owner of ecosystem.users.map((u) => u.username)) {
      const sys = homeOf(owner);
      const s = system(sys);
      const id = encodeURIComponent(mcpttIdOf(owner));
      const profile = userProfileSelector(mcpttIdOf(owner), 1);
      const adminDoc = `${s.cms.httpUrl}/admin/documents/${profile.split('/').map(encodeURIComponent).join('/')}`;
      const group = encodeURIComponent(groupUriOf(ecosystem, groupOf(owner).id));
      for (const kind of KINDS) {
        const base = { owner, system: sys, kind, expected: expectedAdmin(kind), rule: 'adminApis' as const };
        const cmsToken = bearer(credential(kind, owner, sys, 'cms'));
        const gmsToken = bearer(credential(kind, owner, sys, 'gms'));
        await httpCell({ ...base, surface: 'CMS admin', call: 'GET document' }, { method: 'GET', url: adminDoc, headers: cmsToken });
        const current = await cmsDocument(sys, profile);
        await httpCell(
          { ...base, surface: 'CMS admin', call: 'PUT document' },
          { method: 'PUT', url: adminDoc, headers: { ...cmsToken, 'content-type': current.contentType, 'if-match': `"${current.etag}"` }, body: current.body },
          () => cmsEtag(sys, profile),
        );
        await httpCell({ ...base, surface: 'CMS admin', call: 'DELETE migration (no such partner)' }, { method: 'DELETE', url: `${s.cms.httpUrl}/admin/migrations/${id}?partner=nowhere`, headers: cmsToken, probe: true });
        await httpCell({ ...base, surface: 'CMS admin', call: 'PUT migration (bad body)' }, { method: 'PUT', url: `${s.cms.httpUrl}/admin/migrations/${id}`, headers: { ...cmsToken, ...json }, body: '{}', probe: true });
        await httpCell({ ...base, surface: 'CSC-5', call: 'GET migration' }, { method: 'GET', url: `${s.cms.httpUrl}/csc5/migrations/${id}`, headers: cmsToken, probe: true });
        await httpCell({ ...base, surface: 'CSC-17', call: 'PUT migration (bad body)' }, { method: 'PUT', url: `${s.cms.httpUrl}/csc17/migrations/${id}`, headers: { ...cmsToken, ...json }, body: '{}', probe: true });
        await httpCell({ ...base, surface: 'CSC-17', call: 'DELETE migration (no ?home=)' }, { method: 'DELETE', url: `${s.cms.httpUrl}/csc17/migrations/${id}`, headers: cmsToken, probe: true });
        await httpCell({ ...base, surface: 'IdMS admin', call: 'PUT migration authorization (bad body)' }, { method: 'PUT', url: `${s.idms.url}/admin/migration-authorizations/${id}`, headers: { ...cmsToken, ...json }, body: '{}', probe: true });
        await httpCell({ ...base, surface: 'IdMS admin', call: 'DELETE migration authorization (no ?home=)' }, { method: 'DELETE', url: `${s.idms.url}/admin/migration-authorizations/${id}`, headers: cmsToken, probe: true });
        await httpCell({ ...base, surface: 'GMS admin', call: 'DELETE member (not a member)' }, { method: 'DELETE', url: `${s.gms.httpUrl}/admin/groups/${group}/members/${encodeURIComponent('sip:nobody@nowhere.example')}`, headers: gmsToken, probe: true });
      }
    }
    for (const sys of ecosystem.systems.map((x) => x.id)) {
      const s = system(sys);
      const owner = ecosystem.users.find((u) => u.home === sys)!.username;
      const group = encodeURIComponent(groupUriOf(ecosystem, ecosystem.groups.find((g) => g.system === sys)!.id));
      for (const kind of KINDS) {
        const base = { owner, system: sys, kind, expected: expectedAdmin(kind), rule: 'adminApis' as const };
        const cmsToken = bearer(credential(kind, owner, sys, 'cms'));
        const gmsToken = bearer(credential(kind, owner, sys, 'gms'));
        const calls: [string, string, string, Record<string, string>, string?][] = [
          ['CMS admin', 'GET', `${s.cms.httpUrl}/admin/documents`, cmsToken],
          ['CMS admin', 'GET', `${s.cms.httpUrl}/admin/users`, cmsToken],
          ['CMS admin', 'GET', `${s.cms.httpUrl}/admin/migrations`, cmsToken],
          ['CMS admin', 'POST', `${s.cms.httpUrl}/admin/migrations/share`, cmsToken],
          ['CMS admin', 'POST', `${s.cms.httpUrl}/admin/seed`, { ...cmsToken, ...json }, '"not a seed"'],
          ['CMS admin', 'PUT', `${s.cms.httpUrl}/admin/users/${encodeURIComponent('sip:nobody@nowhere.example')}`, { ...cmsToken, ...json }, '"not a user"'],
          ['CMS admin', 'DELETE', `${s.cms.httpUrl}/admin/documents/org.3gpp.mcptt.user-profile/users/sip%3Anobody%40nowhere.example/mcptt-user-profile-1.xml`, cmsToken],
          ['GMS admin', 'GET', `${s.gms.httpUrl}/admin/groups`, gmsToken],
          ['GMS admin', 'GET', `${s.gms.httpUrl}/admin/groups/${group}`, gmsToken],
          ['GMS admin', 'GET', `${s.gms.httpUrl}/admin/groups/${group}/administrators`, gmsToken],
          ['GMS admin', 'GET', `${s.gms.httpUrl}/admin/subscriptions`, gmsToken],
          ['GMS admin', 'PUT', `${s.gms.httpUrl}/admin/groups/${group}`, { ...gmsToken, ...json }, '"not a group"'],
          ['GMS admin', 'DELETE', `${s.gms.httpUrl}/admin/groups/${encodeURIComponent('sip:no-such-group@nowhere.example')}`, gmsToken],
          ['IdMS admin', 'GET', `${s.idms.url}/admin/migration-authorizations`, cmsToken],
        ];
        for (const [surface, method, url, headers, body] of calls) {
          await httpCell({ ...base, surface, call: `${method} ${new URL(url).pathname}` }, { method, url, headers, ...(body !== undefined ? { body } : {}), probe: true });
        }
      }
    }
  });

  it('the console API and the UE host control API', async () => {
    const consoleUrl = running.console!.url;
    const ueHost = running.ueHost.url;
    const consoleCredential = (kind: Kind, owner: string, sys: string): Record<string, string> => {
      if (kind === 'admin') return { cookie, origin: consoleUrl };
      if (kind === 'admin, other origin') return { cookie, origin: 'http://evil.example' };
      // A system's admin credential is not the console's login; user tokens are not either.
      return bearer(credential(kind, owner, sys, 'cms'));
    };
    const consoleExpected = (kind: Kind): Outcome => (kind === 'admin' ? 'admitted' : kind === 'admin, other origin' ? 403 : 401);
    for (const owner of ecosystem.users.map((u) => u.username)) {
      const sys = homeOf(owner);
      const profile = userProfileSelector(mcpttIdOf(owner), 1);
      const url = `${consoleUrl}/api/admin/${sys}/document?selector=${encodeURIComponent(profile)}`;
      for (const kind of [...KINDS, 'admin, other origin' as const]) {
        const rule = 'console' as const;
        const headers = consoleCredential(kind, owner, sys);
        if (kind !== 'admin, other origin') await httpCell({ surface: 'console', owner, system: sys, call: 'GET /api/admin/:system/document', kind, expected: consoleExpected(kind), rule }, { method: 'GET', url, headers });
        const current = await cmsDocument(sys, profile);
        await httpCell(
          { surface: 'console', owner, system: sys, call: 'PUT /api/admin/:system/document', kind, expected: consoleExpected(kind), rule },
          { method: 'PUT', url, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ body: current.body, etag: current.etag }) },
          () => cmsEtag(sys, profile),
        );
      }
    }
    for (const kind of [...KINDS, 'admin, other origin' as const]) {
      const owner = 'alice';
      const headers = consoleCredential(kind, owner, 'mcx-a');
      const calls: [string, string, string?, boolean?][] = [
        ['GET', '/api/systems'],
        ['GET', '/api/ue/api/ues'],
        ['POST', '/api/ue/api/ues/no-such-ue/plmn', '{"plmn":"00102"}'],
        ['GET', '/api/ue/api/events', undefined, true],
      ];
      for (const [method, path, body, stream] of calls) {
        if (kind === 'admin, other origin' && method === 'GET') continue;
        await httpCell(
          { surface: 'console', owner, system: 'mcx-a', call: `${method} ${path}`, kind, expected: consoleExpected(kind), rule: 'console' },
          { method, url: `${consoleUrl}${path}`, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}), probe: true, ...(stream ? { stream } : {}) },
        );
      }
    }
    const hostCalls: [string, string, string?, boolean?][] = [
      ['GET', '/api/ues'],
      ['POST', '/api/ues', '{"user":"nobody"}'],
      ['POST', '/api/ues/bulk', '{"count":0,"user":"alice"}'],
      ['POST', '/api/ues/bulk/plmn', '{"plmn":"00101","ids":[]}'],
      ['GET', '/api/ues/ue-alice'],
      ['POST', '/api/ues/no-such-ue/plmn', '{"plmn":"00102"}'],
      ['POST', '/api/ues/no-such-ue/sync', '{}'],
      ['POST', '/api/ues/no-such-ue/upload', '{}'],
      ['GET', '/api/ues/ue-alice/documents/0'],
      ['GET', '/api/ues/ue-alice/messages'],
      ['DELETE', '/api/ues/no-such-ue'],
      ['GET', '/api/events', undefined, true],
    ];
    for (const kind of KINDS) {
      // The UE host's admin is the lab control secret; a system's admin credential is a wrong one.
      const token = kind === 'admin' ? running.control.token : credential(kind, 'alice', 'mcx-a', 'cms');
      for (const [method, path, body, stream] of hostCalls) {
        await httpCell(
          { surface: 'UE host', owner: 'alice', system: 'mcx-a', call: `${method} ${path}`, kind, expected: expectedAdmin(kind), rule: 'ueHost' },
          { method, url: `${ueHost}${path}`, headers: { ...bearer(token), origin: 'http://evil.example', ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body } : {}), probe: true, ...(stream ? { stream } : {}) },
        );
      }
    }
  });

  it('every cell as its rule says', () => {
    const wrong = cells.filter((c) => c.wrong);
    const surfaces = [...new Set(cells.map((c) => c.surface))];
    for (const s of surfaces) {
      const of = cells.filter((c) => c.surface === s);
      console.log(`authorization ${s}: ${of.length} cells, ${of.filter((c) => c.wrong).length} wrong`);
    }
    console.log(`authorization rules:\n${Object.entries(RULES).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    const outcomes = (o: Outcome) => cells.filter((c) => c.expected === o).length;
    console.log(`authorization expected outcomes: admitted ${outcomes('admitted')}, refused 401 ${outcomes(401)}, refused 403 ${outcomes(403)}`);
    console.log(`authorization: ${cells.length} cells, ${wrong.length} wrong`);
    expect(cells.length).toBeGreaterThanOrEqual(514);
    expect(new Set(cells.map((c) => c.owner)).size).toBe(5);
    expect(new Set(cells.map((c) => c.system))).toEqual(new Set(['mcx-a', 'mcx-b']));
    expect(wrong.map((c) => `${c.surface} ${c.system} ${c.owner} ${c.call} [${c.kind}] (${c.rule}): ${c.wrong}`)).toEqual([]);
  });
});
