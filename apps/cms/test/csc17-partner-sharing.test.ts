// CSC-17 (TS 23.280 clause 7.5.2.17) and migration support (TS 24.484 4.2.2.1.2): the primary CMS (mcx-a)
// shares which users may migrate and the profile each uses in the partner (mcx-b); the partner
// stores it, records the authorization (CSC-5, IdMS hook) and serves it to the migrated user with
// partner tokens; revocation removes it; the partner refuses users never shared.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SystemConfig } from '@mcx/ecosystem';
import { parseXcapDiff } from '@mcx/xcap';
import { parseUserProfile, partnerMcSystemsOf, serializeUserProfile } from '@mcx/documents';
import { exchangeForPartnerIdms, exchangeToken } from '@mcx/auth';
import { migrationProfileSelector, SERVICE_CONFIG_SELECTOR, ueConfigSelector, userProfileSelector } from '../src/index.ts';
import {
  ADMIN_A, ADMIN_B, ALICE, bearer, CAROL, login, partnerToken, startCmsLab, subscribeUe, UE_CLIENT, waitFor,
  type CmsLab, type Idmss, type TestCms, type TestUe,
} from './fixtures.ts';

let lab: CmsLab;
let idmss: Idmss;
let a: TestCms;
let b: TestCms;
let hookServer: Server;
const hookCalls: { method: string; url: string; auth: string | undefined; body: Record<string, unknown> | undefined }[] = [];
const IDMS_ADMIN_TOKEN = 'idms-b-admin-token';

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : undefined;
}

beforeAll(async () => {
  // A recording proxy in front of IdMS-B's admin API (docs/server-contracts.md): CMS-B calls it with
  // the credential it was configured with; it forwards to the real IdMS-B with mcx-b's admin credential.
  let idmsB = { url: '', adminToken: '' };
  hookServer = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      hookCalls.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      const forwarded = await fetch(`${idmsB.url}${req.url}`, {
        method: req.method!,
        headers: { authorization: `Bearer ${idmsB.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      res.writeHead(forwarded.status, { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' }).end(await forwarded.text());
    })();
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  // CMS-B tells IdMS-B (through the proxy) about the migration authorizations it receives.
  const viaProxy = (s: SystemConfig) => {
    idmsB = { url: `${s.tls === false ? 'http' : 'https'}://${s.host}:${s.ports.idms}`, adminToken: s.adminToken! };
    return { idmsAdmin: { url: hookUrl, adminToken: IDMS_ADMIN_TOKEN } };
  };
  lab = await startCmsLab({ cms: (s) => (s.id === 'mcx-b' ? viaProxy(s) : {}) });
  idmss = lab.idmss;
  a = lab.a;
  b = lab.b;
});
afterAll(async () => {
  await lab?.close();
  await new Promise((r) => hookServer?.close(r));
});

describe('CSC-17 partner sharing', () => {
  /** The MCPTT ID mcx-b assigns alice (TS 23.280 10.16.5; default rule sip:<user>.<home>@<partner domain>): her documents in B are stored under it. */
  const ALICE_IN_B = 'sip:alice.mcx-a@mcx-b.example.net';
  const partnerProfile = userProfileSelector(ALICE_IN_B, 7);
  let ue: TestUe & { status: number };
  afterAll(async () => ue?.close());

  it("lists the partner MC systems with the partner's UE initial configuration in the primary's user profiles", async () => {
    const p = parseUserProfile(a.cms.store.peek(userProfileSelector(ALICE, 1))!.body);
    const entries = partnerMcSystemsOf(p);
    expect(entries.map((e) => e.id)).toEqual(['mcx-b']);
    expect(entries[0]!.ueInitConfig.onNetwork?.cmsXcapRootUri).toBe(b.cms.xcapRoot);
  });

  it('shares a migrating user from A to B: B stores the profile, records the authorization and tells its IdMS', async () => {
    expect(await a.cms.migrations()).toEqual([expect.objectContaining({ mcpttId: ALICE, partnerSystemId: 'mcx-b', status: 'authorized', accessProfiles: [1, 2] })]);
    const stored = parseUserProfile(b.cms.store.peek(partnerProfile)!.body);
    expect(stored.profileName?.[0]?.value).toBe('visiting mcx-b');
    expect([stored.xuiUri, stored.common?.mcpttUserId?.uriEntry]).toEqual([ALICE_IN_B, ALICE_IN_B]);
    expect(b.cms.store.peek(userProfileSelector(ALICE, 7))).toBeUndefined();
    expect(b.cms.store.peek(ueConfigSelector(ALICE_IN_B))).toBeDefined();
    const csc5 = await fetch(`${b.cms.httpUrl}/csc5/migrations/${encodeURIComponent(ALICE_IN_B)}`, { headers: bearer(ADMIN_B) });
    expect(csc5.status).toBe(200);
    expect(await csc5.json()).toEqual({ mcpttId: ALICE_IN_B, homeSystemId: 'mcx-a', partnerSystemId: 'mcx-b', profileSelector: partnerProfile, accessProfiles: [1, 2] });
    const put = hookCalls.find((c) => c.method === 'PUT')!;
    expect(put.url).toBe(`/admin/migration-authorizations/${encodeURIComponent(ALICE)}`);
    expect(put.auth).toBe(`Bearer ${IDMS_ADMIN_TOKEN}`);
    expect(put.body).toEqual({ homeSystemId: 'mcx-a', partnerSystemId: 'mcx-b', profileSelector: partnerProfile, accessProfiles: [1, 2] });
  });

  it("lists one user's shares with ?mcpttId= (what the primary MCS reads per migration)", async () => {
    const get = async (query: string) => (await fetch(`${a.cms.httpUrl}/admin/migrations?${query}`, { headers: bearer(ADMIN_A) })).json();
    const alice = [expect.objectContaining({ mcpttId: ALICE, partnerSystemId: 'mcx-b', status: 'authorized' })];
    expect(await get(new URLSearchParams({ mcpttId: ALICE }).toString())).toEqual(alice);
    expect(await get(new URLSearchParams({ mcpttId: ALICE, partnerSystemId: 'mcx-b' }).toString())).toEqual(alice);
    expect(await get(new URLSearchParams({ mcpttId: ALICE, partnerSystemId: 'mcx-c' }).toString())).toEqual([]);
    expect(await get(new URLSearchParams({ mcpttId: CAROL }).toString())).toEqual([]);
  });

  it('serves that profile to the migrated user with a partner token (and refuses the primary token)', async () => {
    const token = await partnerToken(idmss, 'alice');
    const res = await fetch(`${b.cms.xcapRoot}/${partnerProfile}`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    const primary = (await login(idmss.a.issuer, 'alice')).accessToken;
    expect((await fetch(`${b.cms.xcapRoot}/${partnerProfile}`, { headers: bearer(primary) })).status).toBe(401);
    ue = await subscribeUe(b.cms, token, [ueConfigSelector(ALICE_IN_B), partnerProfile, SERVICE_CONFIG_SELECTOR]);
    expect(ue.status).toBe(200);
    const first = await waitFor(() => ue.notifies[0], 'initial NOTIFY at B');
    expect(parseXcapDiff(first.body).documents).toHaveLength(3);
  });

  it('re-shares an admin edit of the migration profile in A; the UE in B is notified (TS 24.484 4.2.2.1.2 NOTE 2)', async () => {
    const sel = migrationProfileSelector(ALICE, 'mcx-b', 7);
    const cur = a.cms.store.peek(sel)!;
    const edited = serializeUserProfile({ ...parseUserProfile(cur.body), status: false });
    const n = ue.notifies.length;
    const res = await fetch(`${a.cms.httpUrl}/admin/documents/${sel}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/xml' }, body: edited });
    expect(res.status).toBe(200);
    const notify = await waitFor(() => ue.notifies[n], 'NOTIFY at B after the re-share');
    const doc = parseXcapDiff(notify.body).documents.find((d) => d.sel === partnerProfile)!;
    expect(doc.newEtag).toBe(b.cms.store.peek(partnerProfile)!.etag);
    expect(parseUserProfile(b.cms.store.peek(partnerProfile)!.body).status).toBe(false);
  });

  it('B refuses a user A never shared', async () => {
    expect((await fetch(`${b.cms.httpUrl}/csc5/migrations/${encodeURIComponent(CAROL)}`, { headers: bearer(ADMIN_B) })).status).toBe(404);
    expect((await fetch(`${b.cms.httpUrl}/csc17/migrations/${encodeURIComponent(CAROL)}?home=mcx-a`, { method: 'DELETE', headers: bearer(ADMIN_B) })).status).toBe(404);
    // The partner IdMS was never told about carol: no partner token, hence no access to CMS-B.
    const l = await login(idmss.a.issuer, 'carol');
    const m = await exchangeForPartnerIdms({ issuer: idmss.a.issuer, clientId: UE_CLIENT, subjectToken: l.accessToken, partnerIssuer: idmss.b.issuer });
    await expect(exchangeToken({ partnerIssuer: idmss.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken })).rejects.toMatchObject({ error: 'invalid_grant' });
    expect(b.cms.store.peek(userProfileSelector(CAROL, 1))).toBeUndefined();
  });

  it('B refuses shares from an untrusted home system or without the admin credential', async () => {
    const share = { homeSystemId: 'mcx-z', partnerSystemId: 'mcx-b', accessProfiles: [1], userProfile: { index: 1, body: a.cms.store.peek(userProfileSelector(CAROL, 1))!.body } };
    const url = `${b.cms.httpUrl}/csc17/migrations/${encodeURIComponent(CAROL)}`;
    const untrusted = await fetch(url, { method: 'PUT', headers: { ...bearer(ADMIN_B), 'content-type': 'application/json' }, body: JSON.stringify(share) });
    expect(untrusted.status).toBe(403);
    const wrongCred = await fetch(url, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify({ ...share, homeSystemId: 'mcx-a' }) });
    expect(wrongCred.status).toBe(401);
    expect(b.cms.store.peek(userProfileSelector(CAROL, 1))).toBeUndefined();
  });

  it("B refuses a revocation of alice's migration that does not name mcx-a, the system that shared her", async () => {
    const url = `${b.cms.httpUrl}/csc17/migrations/${encodeURIComponent(ALICE)}`;
    const noHome = await fetch(url, { method: 'DELETE', headers: bearer(ADMIN_B) });
    expect([noHome.status, ((await noHome.json()) as { error: string }).error]).toEqual([400, 'invalid_request']);
    const otherSystem = await fetch(`${url}?home=mcx-z`, { method: 'DELETE', headers: bearer(ADMIN_B) });
    expect([otherSystem.status, ((await otherSystem.json()) as { error: string }).error]).toEqual([403, 'untrusted_home_system']);
    expect((await fetch(`${b.cms.httpUrl}/csc5/migrations/${encodeURIComponent(ALICE_IN_B)}`, { headers: bearer(ADMIN_B) })).status).toBe(200);
    expect(b.cms.store.peek(partnerProfile)).toBeDefined();
  });

  it("revoking in A removes the user's migration in B (documents, CSC-5, IdMS) and notifies the UE", async () => {
    const n = ue.notifies.length;
    const previous = b.cms.store.peek(partnerProfile)!.etag;
    const res = await fetch(`${a.cms.httpUrl}/admin/migrations/${encodeURIComponent(ALICE)}?partner=mcx-b`, { method: 'DELETE', headers: bearer(ADMIN_A) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ pushed: 1, pending: 0 });
    expect(b.cms.store.peek(partnerProfile)).toBeUndefined();
    expect((await fetch(`${b.cms.httpUrl}/csc5/migrations/${encodeURIComponent(ALICE_IN_B)}`, { headers: bearer(ADMIN_B) })).status).toBe(404);
    expect(hookCalls.at(-1)).toMatchObject({ method: 'DELETE', url: `/admin/migration-authorizations/${encodeURIComponent(ALICE)}?home=mcx-a` });
    const notify = await waitFor(() => ue.notifies.slice(n).find((x) => parseXcapDiff(x.body).documents.some((d) => d.sel === partnerProfile)), 'deletion NOTIFY');
    const doc = parseXcapDiff(notify.body).documents.find((d) => d.sel === partnerProfile)!;
    expect(doc.previousEtag).toBe(previous);
    expect(doc.newEtag).toBeUndefined();
    expect((await a.cms.migrations())[0]!.status).toBe('revoked');
  });
});
