// Bad input at the GMS over real HTTP: a document nesting elements without bound is refused on
// CSC-2 with an xcap-error (RFC 4825 clause 11.2), and every refusal of the admin API is JSON
// `{ error, ... }` with a 4xx status, never a 5xx or a text/plain or HTML page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, ADMIN_TOKEN, adminHeaders, DOMAIN, mcpttIdOf, startSystem, type System } from './fixture.ts';
import { GROUPS_MIME, groupSelector } from '../src/index.ts';

let sys: System;
const FIRE = `sip:fire-1@${DOMAIN}`;

beforeAll(async () => {
  sys = await startSystem();
  await sys.gms.seed({ groups: [{ groupId: 'fire-1', displayName: 'Fire brigade 1', members: [mcpttIdOf('alice')], administrators: [] }] });
});
afterAll(async () => {
  await sys?.close();
});

const fireUrl = () => `${sys.gms.xcapRoot}/${groupSelector(FIRE)}`;
const fireEtag = async () => (await admin(sys.gms, 'GET', '/groups/fire-1')).json as { etag: string };
const isJson = (res: Response) => expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);

describe('CSC-2', () => {
  it('refuses a group document nesting 50,000 elements with 409 not-well-formed and keeps the group', async () => {
    const before = await fireEtag();
    const current = await (await fetch(fireUrl(), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const body = current.replace(/<\/([\w:]*)group>\s*$/, (end) => `${'<x>'.repeat(50_000)}${'</x>'.repeat(50_000)}${end}`);
    expect(body.length).toBeGreaterThan(current.length);
    const res = await fetch(fireUrl(), { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': GROUPS_MIME }, body });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<not-well-formed');
    expect(await fireEtag()).toEqual(before);
  });
});

describe('CSC-2 limits (our choice: @mcx/xml DEFAULT_XML_LIMITS)', () => {
  it.each([
    ['10,000 attributes on one element', Array.from({ length: 10_000 }, (_, i) => `a${i}="v"`).join(' ')],
    ['a 900 KB attribute value', `note="${'x'.repeat(900 * 1024)}"`],
  ])('refuses a group document with %s with 409 constraint-failure and keeps the group', async (_what, attrs) => {
    const before = await fireEtag();
    const current = await (await fetch(fireUrl(), { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const body = current.replace(/<([\w:]*group)(\s|>)/, `<$1 ${attrs}$2`);
    expect(body.length).toBeGreaterThan(current.length);
    const res = await fetch(fireUrl(), { method: 'PUT', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': GROUPS_MIME }, body });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('<constraint-failure');
    expect(await fireEtag()).toEqual(before);
  });
});

describe('admin API refusals are JSON', () => {
  it('names the refusal with a code and says why: { error, detail }', async () => {
    const unknown = await admin(sys.gms, 'GET', '/groups/no-such-group');
    expect([unknown.status, unknown.json]).toEqual([404, { error: 'not_found', detail: expect.any(String) }]);
    const wrong = await admin(sys.gms, 'PUT', '/groups/fire-1', { displayName: 7, members: 'all' });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error: 'invalid_request', detail: expect.stringContaining('displayName') });
  });


  it('answers 400 JSON to a member URI containing a quote, and changes nothing', async () => {
    const before = await fireEtag();
    const res = await fetch(`${sys.gms.adminUrl}/groups/fire-1/members/${encodeURIComponent('sip:ev"e@mcx-a.example')}`, { method: 'PUT', headers: adminHeaders(), body: '{}' });
    expect(res.status).toBe(400);
    isJson(res);
    expect(await res.json()).toMatchObject({ error: expect.any(String) });
    expect(await fireEtag()).toEqual(before);
  });

  it.each([
    ['PUT', `/groups/fire-1`, { displayName: 'Fire', members: ['sip:ev"e@mcx-a.example'] }],
    ['PUT', `/groups/fire-1`, { displayName: 'Fire', members: [{ uri: 'sip:<eve>@mcx-a.example' }] }],
    ['DELETE', `/groups/fire-1/members/${encodeURIComponent('sip:ev"e@mcx-a.example')}`, undefined],
    ['PUT', `/groups/${encodeURIComponent('fi"re')}`, { displayName: 'Fire', members: [] }],
  ])('answers %s %s with a quote or angle bracket in a URI with a JSON 4xx', async (method, path, body) => {
    const before = await fireEtag();
    const res = await admin(sys.gms, method, path, body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.json).toMatchObject({ error: expect.any(String) });
    expect(await fireEtag()).toEqual(before);
  });

  it('answers 400 JSON to a member URI that is not a URI, and 404 JSON to a member of no group', async () => {
    expect((await admin(sys.gms, 'PUT', `/groups/fire-1/members/${encodeURIComponent('not a uri <x>')}`, {})).status).toBe(400);
    const none = await admin(sys.gms, 'PUT', `/groups/no-such-group/members/${encodeURIComponent(mcpttIdOf('bob'))}`, {});
    expect(none.status).toBe(404);
    expect(none.json).toMatchObject({ error: expect.any(String) });
  });

  it('answers 400 JSON to a body that is not JSON, 413 JSON to a body over the limit', async () => {
    const bad = await fetch(`${sys.gms.adminUrl}/groups/fire-2`, { method: 'PUT', headers: adminHeaders(), body: '{"displayName": ' });
    expect(bad.status).toBe(400);
    isJson(bad);
    const big = await fetch(`${sys.gms.adminUrl}/groups/fire-2`, { method: 'PUT', headers: adminHeaders(), body: JSON.stringify({ displayName: 'x'.repeat(5 * 1024 * 1024) }) });
    expect(big.status).toBe(413);
    isJson(big);
  });

  it('answers 404 JSON to an unknown admin route and 401 JSON without the admin credential', async () => {
    const unknown = await fetch(`${sys.gms.adminUrl}/no-such-route`, { headers: adminHeaders() });
    expect(unknown.status).toBe(404);
    isJson(unknown);
    const anonymous = await fetch(`${sys.gms.adminUrl}/groups`);
    expect(anonymous.status).toBe(401);
    isJson(anonymous);
  });

  it('answers a refused group write (an xcap-error at CSC-2) as JSON carrying the condition', async () => {
    const res = await fetch(`${sys.gms.adminUrl}/groups/fire-1`, { method: 'PUT', headers: { ...adminHeaders(), 'if-match': '"not-the-etag"' }, body: JSON.stringify({ displayName: 'Fire', members: [] }) });
    expect(res.status).toBe(412);
    isJson(res);
  });
});
