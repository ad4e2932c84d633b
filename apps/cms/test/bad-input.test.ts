// Bad input at the CMS over real HTTP: every malformed request is refused with a 4xx in the shape of its interface (RFC 4825 clause 11
// xcap-error on CSC-4, a JSON `{ error, detail }` on the admin API and CSC-17), never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userProfileSelector } from '../src/index.ts';
import { ADMIN_A, ALICE, bearer, login, startCmsLab, type CmsLab, type TestCms } from './fixtures.ts';

let lab: CmsLab;
let a: TestCms;
let alice: string;

beforeAll(async () => {
  lab = await startCmsLab({ systems: ['mcx-a'] });
  a = lab.a;
  alice = (await login(lab.idmss.a.issuer, 'alice')).accessToken;
});
afterAll(async () => {
  await lab?.close();
});

/** `<a><a>...</a></a>` nested `depth` levels deep inside the user's profile root. */
function deeplyNested(depth: number): string {
  const profile = a.cms.store.peek(userProfileSelector(ALICE, 1))!.body;
  return profile.replace(/<\/([\w:]*)mcptt-user-profile>\s*$/, (end) => `${'<x>'.repeat(depth)}${'</x>'.repeat(depth)}${end}`);
}

const documentCount = () => a.db.prisma.xcapDocument.count();

describe('a 5xx for no input', () => {
  it('refuses a 50,000-deep element nesting on CSC-4, the admin API and CSC-17 with 409 not-well-formed, storing nothing', async () => {
    const body = deeplyNested(50_000);
    const sel = userProfileSelector(ALICE, 1);
    const etag = a.cms.store.peek(sel)!.etag;
    const xcap = await fetch(`${a.cms.xcapRoot}/${sel}`, { method: 'PUT', headers: { ...bearer(alice), 'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml' }, body });
    expect(xcap.status).toBe(409);
    expect(await xcap.text()).toContain('<not-well-formed');
    const admin = await fetch(`${a.cms.httpUrl}/admin/documents/${sel}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/xml' }, body });
    expect(admin.status).toBe(409);
    expect(await admin.json()).toMatchObject({ error: 'not-well-formed' });
    const share = { homeSystemId: 'mcx-a', partnerSystemId: 'mcx-a', accessProfiles: [1], userProfile: { index: 1, body } };
    const csc17 = await fetch(`${a.cms.httpUrl}/csc17/migrations/${encodeURIComponent(ALICE)}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify(share) });
    expect(csc17.status).toBe(409);
    expect(await csc17.json()).toMatchObject({ error: 'not-well-formed' });
    expect(a.cms.store.peek(sel)!.etag).toBe(etag);
  });

  it('refuses an element PUT whose fragment nests 50,000 deep with 409 not-xml-frag or not-well-formed', async () => {
    const sel = userProfileSelector(ALICE, 1);
    const fragment = `${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}`;
    const res = await fetch(`${a.cms.xcapRoot}/${sel}/~~/mcptt-user-profile/x`, { method: 'PUT', headers: { ...bearer(alice), 'content-type': 'application/xcap-el+xml' }, body: fragment });
    expect(res.status).toBe(409);
    expect(await res.text()).toMatch(/<not-(well-formed|xml-frag)/);
  });

  it.each([
    ['PUT', '/admin/users/sip%3Aeve%40mcx-a.example.net'],
    ['PUT', '/admin/migrations/sip%3Aalice%40mcx-a.example.net'],
    ['POST', '/admin/seed'],
    ['PUT', '/csc17/migrations/sip%3Aalice%40mcx-a.example.net'],
  ])('answers 400 JSON to a %s %s body that is not JSON', async (method, path) => {
    const res = await fetch(`${a.cms.httpUrl}${path}`, { method, headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: '{"users": [' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  const system = {
    systemId: 'mcx-a',
    domain: 'mcx-a.example.net',
    plmns: { hplmn: '00101' },
    idms: { authEndpoint: 'http://127.0.0.1:1/authorize', tokenEndpoint: 'http://127.0.0.1:1/token' },
    cms: { xcapRoot: 'http://127.0.0.1:1/xcap-root', sipUri: 'sip:cms@mcx-a.example.net' },
    gms: { xcapRoot: 'http://127.0.0.1:1/xcap-root', sipUri: 'sip:gms@mcx-a.example.net' },
    mcsUri: 'sip:mcptt-server@mcx-a.example.net',
  };
  const eve = { mcpttId: 'sip:eve@mcx-a.example.net', profiles: [{ index: 1, name: 'home', preSelected: true }] };

  it('accepts a well-formed seed (the checks below refuse only what is malformed)', async () => {
    const res = await fetch(`${a.cms.httpUrl}/admin/seed`, { method: 'POST', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify({ system, users: [] }) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['users of the wrong type', { system, users: 'alice' }],
    ['a user without profiles', { system, users: [{ mcpttId: eve.mcpttId }] }],
    ['a system without endpoints', { system: { systemId: 'mcx-a', domain: 'mcx-a.example.net' }, users: [eve] }],
    ['a partner entry that is no UE initial configuration', { system, users: [{ ...eve, partners: [{ systemId: 'mcx-b', ueInitConfig: 42 }] }] }],
    ['a partner entry whose UE initial configuration cannot be written', { system, users: [{ ...eve, partners: [{ systemId: 'mcx-b', ueInitConfig: { onNetwork: 'x' } }] }] }],
  ])('answers 400 JSON to a seed with %s, storing nothing', async (_what, seed) => {
    const before = await documentCount();
    const res = await fetch(`${a.cms.httpUrl}/admin/seed`, { method: 'POST', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify(seed) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(await documentCount()).toBe(before);
  });

  it.each(['sip:ev"e@mcx-a.example.net', 'sip:<eve>@mcx-a.example.net', 'not a uri'])('answers 400 JSON to a user whose MCPTT ID is %s, storing nothing', async (mcpttId) => {
    const before = await documentCount();
    const res = await fetch(`${a.cms.httpUrl}/admin/users/${encodeURIComponent(mcpttId)}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify({ profiles: [{ index: 1, name: 'home', preSelected: true }] }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(await documentCount()).toBe(before);
  });

  it('answers an unknown admin route with 404 JSON, not an HTML page', async () => {
    const res = await fetch(`${a.cms.httpUrl}/admin/no-such-route`, { headers: bearer(ADMIN_A) });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error: 'not_found', detail: expect.any(String) });
  });

  it('answers 413 JSON to a 3 MB body on the admin API and CSC-17', async () => {
    const big = 'x'.repeat(3 * 1024 * 1024);
    const sel = userProfileSelector(ALICE, 1);
    const doc = await fetch(`${a.cms.httpUrl}/admin/documents/${sel}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/xml' }, body: big });
    expect([doc.status, ((await doc.json()) as { error: string }).error]).toEqual([413, 'payload_too_large']);
    const user = await fetch(`${a.cms.httpUrl}/admin/users/sip%3Aeve%40mcx-a.example.net`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify({ profiles: [], pad: big }) });
    expect(user.status).toBe(413);
    const csc17 = await fetch(`${a.cms.httpUrl}/csc17/migrations/${encodeURIComponent(ALICE)}`, { method: 'PUT', headers: { ...bearer(ADMIN_A), 'content-type': 'application/json' }, body: JSON.stringify({ pad: big }) });
    expect(csc17.status).toBe(413);
  });

  it('answers 400 to a %zz selector on the admin API and a 4xx xcap answer on CSC-4', async () => {
    const admin = await fetch(`${a.cms.httpUrl}/admin/documents/org.3gpp.mcptt.user-profile/users/%zz/mcptt-user-profile-1.xml`, { headers: bearer(ADMIN_A) });
    expect(admin.status).toBe(400);
    expect(await admin.json()).toMatchObject({ error: 'invalid_request' });
    const xcap = await fetch(`${a.cms.xcapRoot}/org.3gpp.mcptt.user-profile/users/%zz/mcptt-user-profile-1.xml`, { headers: bearer(alice) });
    expect([400, 404]).toContain(xcap.status);
  });
});
