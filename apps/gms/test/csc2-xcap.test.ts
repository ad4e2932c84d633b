/**
 * CSC-2 XCAP root of the GMS over real HTTP with real access tokens from a real IdMS
 * (TS 24.481 clause 6, RFC 4825): membership-based authorization, conditional requests,
 * uniqueness / schema / constraint failures with the right xcap-error and nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGroup, parseGroup, serializeGroup } from '@mcx/documents';
import { XcapClient } from '@mcx/xcap';
import { admin, ADMIN_TOKEN, DOMAIN, expectSchemaValid, mcpttIdOf, startSystem, type System } from './fixture.ts';
import { GROUPS_MIME, groupSelector, startGms } from '../src/index.ts';

let sys: System;
const FIRE = `sip:fire-1@${DOMAIN}`;
const fireSel = groupSelector(FIRE);

const client = async (user: string | undefined) =>
  new XcapClient({
    xcapRoot: sys.gms.xcapRoot,
    headers: async (): Promise<Record<string, string>> =>
      user === undefined ? {} : { authorization: `Bearer ${user === 'admin' ? ADMIN_TOKEN : await sys.token(user)}` },
  });

beforeAll(async () => {
  sys = await startSystem();
  const seeded = await sys.gms.seed({
    groups: [
      {
        groupId: 'fire-1',
        displayName: 'Fire brigade 1',
        members: [mcpttIdOf('alice'), mcpttIdOf('bob'), mcpttIdOf('carol')],
        priority: 100,
        administrators: [mcpttIdOf('dave')],
      },
    ],
  });
  expect(seeded).toEqual({ created: [FIRE], existing: [], reconciled: [] });
});
afterAll(async () => {
  await sys?.close();
});

describe('membership-based authorization (TS 24.481 clause 6.3.2, RFC 4825 clause 5.7)', () => {
  it('lets a member read the group document at global/byGroupID/<MC group ID>', async () => {
    expect(fireSel).toBe(`org.openmobilealliance.groups/global/byGroupID/${FIRE}`);
    const res = await (await client('alice')).get(fireSel);
    expect(res.status).toBe(200);
    expect(res.contentType).toBe(GROUPS_MIME);
    const group = parseGroup(res.body);
    expect(group.listService.uri).toBe(FIRE);
    expect(group.listService.list?.entry?.map((e) => e.uri)).toEqual([mcpttIdOf('alice'), mcpttIdOf('bob'), mcpttIdOf('carol')]);
    // If-None-Match with the current ETag: 304 (RFC 4825 clause 7.11).
    const again = await (await client('alice')).get(fireSel, { ifNoneMatch: res.etag! });
    expect(again.status).toBe(304);
  });

  it('refuses a user who is not a member (403) and a request without a token (401 with a Bearer challenge)', async () => {
    expect((await (await client('erin')).get(fireSel)).status).toBe(403);
    const anonymous = await fetch(`${sys.gms.xcapRoot}/${fireSel}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const token = await sys.token('alice');
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const forged = await fetch(`${sys.gms.xcapRoot}/${fireSel}`, { headers: { authorization: `Bearer ${tampered}` } });
    expect(forged.status).toBe(401);
  });

  it('lets the group administrator edit the group, but not a plain member', async () => {
    const dave = await client('dave');
    const current = await dave.get(fireSel);
    expect(current.status).toBe(200);
    const group = parseGroup(current.body);
    group.listService.groupPriority = 120;
    const put = await dave.put(fireSel, serializeGroup(group), GROUPS_MIME, { ifMatch: current.etag! });
    expect(put.status).toBe(200);
    expect(put.etag).not.toBe(current.etag);
    const byMember = await (await client('bob')).put(fireSel, serializeGroup(group), GROUPS_MIME);
    expect(byMember.status).toBe(403);
    const byStranger = await (await client('erin')).delete(fireSel);
    expect(byStranger.status).toBe(403);
    expect(parseGroup((await (await client('alice')).get(fireSel)).body).listService.groupPriority).toBe(120);
  });

  it('lets an administrator create a new group only where it administers it', async () => {
    const id = `sip:rescue-7@${DOMAIN}`;
    const doc = serializeGroup(buildGroup({ groupId: id, displayName: 'Rescue 7', members: [{ uri: mcpttIdOf('erin') }] }));
    expect((await (await client('dave')).put(groupSelector(id), doc, GROUPS_MIME)).status).toBe(403);
    expect((await admin(sys.gms, 'PUT', `/groups/rescue-7/administrators`, { administrators: [mcpttIdOf('dave')] })).status).toBe(200);
    const created = await (await client('dave')).put(groupSelector(id), doc, GROUPS_MIME);
    expect(created.status).toBe(201);
    expect((await (await client('erin')).get(groupSelector(id))).status).toBe(200);
    expect((await (await client('alice')).get(groupSelector(id))).status).toBe(403);
  });

  it('answers a PUT with a stale ETag with 412 and keeps the document (RFC 4825 clause 7.11)', async () => {
    const dave = await client('dave');
    const v1 = await dave.get(fireSel);
    const group = parseGroup(v1.body);
    group.listService.protectMedia = true;
    expect((await dave.put(fireSel, serializeGroup(group), GROUPS_MIME, { ifMatch: v1.etag! })).status).toBe(200);
    group.listService.protectMedia = false;
    const stale = await dave.put(fireSel, serializeGroup(group), GROUPS_MIME, { ifMatch: v1.etag! });
    expect(stale.status).toBe(412);
    expect(parseGroup((await dave.get(fireSel)).body).listService.protectMedia).toBe(true);
  });
});

describe('uniqueness, schema and constraint failures (RFC 4825 clause 11, TS 24.481 clause 6.3.2.3)', () => {
  it('refuses a second group with a list-service uri already in use: 409 uniqueness-failure with alt-value, nothing stored', async () => {
    const dave = await client('dave');
    // A GMC creating a group in its creator's users tree with a taken MC group ID.
    const sel = `org.openmobilealliance.groups/users/${mcpttIdOf('dave')}/my-fire.xml`;
    const doc = serializeGroup(buildGroup({ groupId: FIRE, displayName: 'Duplicate', members: [{ uri: mcpttIdOf('erin') }] }));
    const res = await dave.put(sel, doc, GROUPS_MIME);
    expect(res.status).toBe(409);
    expect(res.errorCondition).toBe('uniqueness-failure');
    expect(res.body).toContain('<exists field="list-service/@uri"><alt-value>sip:fire-1-2@mcx-a.example</alt-value>');
    await expectSchemaValid(res.body, 'ietf/xcap-error.xsd');
    expect((await dave.get(sel)).status).toBe(404);
    // The original group is untouched and still the only owner of the URI.
    expect(parseGroup((await (await client('alice')).get(fireSel)).body).listService.displayName?.value).toBe('Fire brigade 1');
    // With the proposed alternative the creation succeeds.
    const alt = serializeGroup(buildGroup({ groupId: 'sip:fire-1-2@mcx-a.example', displayName: 'Fire 1 bis', members: [{ uri: mcpttIdOf('erin') }] }));
    expect((await dave.put(sel, alt, GROUPS_MIME)).status).toBe(201);
    expect((await (await client('erin')).get(sel)).status).toBe(200);
  });

  it('refuses a document that does not follow the group schema: 409 schema-validation-error, nothing stored', async () => {
    const id = `sip:bad-1@${DOMAIN}`;
    await admin(sys.gms, 'PUT', `/groups/bad-1/administrators`, { administrators: [mcpttIdOf('dave')] });
    const bad = `<?xml version="1.0" encoding="UTF-8"?>
<group xmlns="urn:oma:xml:poc:list-service" xmlns:mcpttgi="urn:3gpp:ns:mcpttGroupInfo:1.0">
  <list-service uri="${id}"><display-name>Bad</display-name>
    <mcpttgi:on-network-group-priority>very high</mcpttgi:on-network-group-priority>
  </list-service>
</group>`;
    const res = await (await client('dave')).put(groupSelector(id), bad, GROUPS_MIME);
    expect(res.status).toBe(409);
    expect(res.errorCondition).toBe('schema-validation-error');
    await expectSchemaValid(res.body, 'ietf/xcap-error.xsd');
    expect((await (await client('admin')).get(groupSelector(id))).status).toBe(404);
    expect(((await admin(sys.gms, 'GET', '/groups')).json as { groups: { groupId: string }[] }).groups.map((g) => g.groupId)).not.toContain(id);
  });

  it('refuses a byGroupID document whose list-service uri is another MC group ID: 409 constraint-failure', async () => {
    const id = `sip:bad-1@${DOMAIN}`;
    const doc = serializeGroup(buildGroup({ groupId: `sip:other@${DOMAIN}`, displayName: 'x', members: [{ uri: mcpttIdOf('erin') }] }));
    const res = await (await client('dave')).put(groupSelector(id), doc, GROUPS_MIME);
    expect(res.status).toBe(409);
    expect(res.errorCondition).toBe('constraint-failure');
    expect((await (await client('admin')).get(groupSelector(id))).status).toBe(404);
  });

  it('refuses a member listed twice: 409 uniqueness-failure', async () => {
    const dave = await client('dave');
    const current = await dave.get(fireSel);
    const group = parseGroup(current.body);
    group.listService.list!.entry!.push({ uri: mcpttIdOf('alice') });
    const res = await dave.put(fireSel, serializeGroup(group), GROUPS_MIME);
    expect(res.status).toBe(409);
    expect(res.errorCondition).toBe('uniqueness-failure');
    expect((await dave.get(fireSel)).etag).toBe(current.etag);
  });
});

describe('admin API and persistence', () => {
  it('seeding is idempotent and groups survive a restart of the GMS', async () => {
    const fire = { groupId: 'fire-1', displayName: 'Fire brigade 1', members: ['alice', 'bob', 'carol'].map((u) => mcpttIdOf(u)) };
    const again = await sys.gms.seed({ groups: [fire] });
    expect(again).toEqual({ created: [], existing: [FIRE], reconciled: [] });
    const listed = (await admin(sys.gms, 'GET', '/groups/fire-1')).json as { displayName: string; administrators: string[]; members: string[] };
    expect(listed.displayName).toBe('Fire brigade 1');
    expect(listed.administrators).toEqual([mcpttIdOf('dave')]);
    expect(listed.members).toHaveLength(3);
    expect((await fetch(`${sys.gms.adminUrl}/groups`)).status).toBe(401);
    // Restart on the same database: documents, ETags and administrators come back.
    const etag = (await (await client('alice')).get(fireSel)).etag;
    const config = sys.gms.config;
    await sys.gms.close();
    // A new instance on free ports (as before the composition: a restarted server is a new process).
    sys.gms = await startGms({ ...config, httpPort: 0, sipPort: 0 }, { db: sys.gmsDb });
    expect((await (await client('alice')).get(fireSel, { ifNoneMatch: etag! })).status).toBe(304);
    expect((await (await client('erin')).get(fireSel)).status).toBe(403);
    expect(((await admin(sys.gms, 'GET', '/groups/fire-1')).json as { administrators: string[] }).administrators).toEqual([mcpttIdOf('dave')]);
    const health = await fetch(`${sys.gms.httpUrl}/healthz`);
    expect(await health.json()).toEqual({ ok: true, system: 'mcx-a', app: 'gms', database: 'available' });
  });
});
