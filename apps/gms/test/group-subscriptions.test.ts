/**
 * Group document subscriptions over real SIP (UDP and TCP) with real tokens (TS 24.481 clause
 * 6.3.13, RFC 5875, RFC 6665): initial full-state NOTIFY, a membership change reaches every
 * subscribed member, the removed member gets a final NOTIFY and loses access, the UE retrieves
 * the document from the notified URI (TS 24.484 clause 4.2.2.1.2.1). Every NOTIFY body is
 * validated against the xcap-diff schema (RFC 5874 clause 7) after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { XCAP_DIFF_XSD } from '@mcx/schemas';
import { parseGroup } from '@mcx/documents';
import type { SipEndpoint } from '@mcx/sip';
import { parseXcapDiff, XcapClient } from '@mcx/xcap';
import { admin, ADMIN_TOKEN, DOMAIN, expectSchemaValid, mcpttIdOf, startSystem, subscribeGroups, takeNotifyBodies, ueEndpoint, waitFor, type GroupSubscriber, type System } from './fixture.ts';
import { groupSelector, startGms } from '../src/index.ts';

let sys: System;
let ue: SipEndpoint;
const FIRE = `sip:fire-1@${DOMAIN}`;
const POLICE = `sip:police-1@${DOMAIN}`;
const fireSel = groupSelector(FIRE);
const policeSel = groupSelector(POLICE);

beforeAll(async () => {
  sys = await startSystem();
  ue = await ueEndpoint();
  await sys.gms.seed({
    groups: [
      { groupId: 'fire-1', displayName: 'Fire 1', members: ['alice', 'bob', 'carol'].map((u) => mcpttIdOf(u)), priority: 100 },
      { groupId: 'police-1', displayName: 'Police 1', members: [mcpttIdOf('alice')], priority: 50 },
    ],
  });
});
afterAll(async () => {
  await ue?.close();
  await sys?.close();
});
afterEach(async () => {
  const bodies = new Set(takeNotifyBodies());
  for (const body of bodies) await expectSchemaValid(body, XCAP_DIFF_XSD);
});

const lastDiff = (s: GroupSubscriber) => parseXcapDiff(s.notifies[s.notifies.length - 1]!.body);
const etagOf = async (sel: string) => (await new XcapClient({ xcapRoot: sys.gms.xcapRoot, headers: async () => ({ authorization: `Bearer ${await sys.token('alice')}` }) }).get(sel)).etag!;

describe('SUBSCRIBE/NOTIFY for group documents', () => {
  it('fans a membership change out to every subscribed member; the removed member gets a final NOTIFY and loses access', async () => {
    const alice = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('alice'), uris: [`org.openmobilealliance.groups/users/${mcpttIdOf('alice')}/`], from: mcpttIdOf('alice') }); // the collection: all my groups
    const bob = subscribeGroups({ endpoint: ue, gms: sys.gms, protocol: 'tcp', token: await sys.token('bob'), uris: [fireSel], from: mcpttIdOf('bob') });
    const carol = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('carol'), uris: [`${sys.gms.xcapRoot}/${fireSel}`], from: mcpttIdOf('carol') });
    for (const s of [alice, bob, carol]) expect((await s.handle.ready).status).toBe(200);
    await waitFor(() => [alice, bob, carol].every((s) => s.notifies.length >= 1), 'initial NOTIFYs');

    // Initial NOTIFY: full state, new-etag = the HTTP ETag, xcap-root = the GMS XCAP root.
    const fireEtag = await etagOf(fireSel);
    const a0 = lastDiff(alice);
    expect(a0.xcapRoot).toBe(sys.gms.xcapRoot);
    expect(a0.documents.map((d) => [d.sel, d.newEtag]).sort()).toEqual([[fireSel, fireEtag], [policeSel, await etagOf(policeSel)]].sort());
    expect(lastDiff(bob).documents.map((d) => [d.sel, d.newEtag, d.previousEtag])).toEqual([[fireSel, fireEtag, undefined]]);
    // sel is the subscribed URI relative to the xcap-root (RFC 5875 clause 4.6).
    expect(lastDiff(carol).documents.map((d) => d.sel)).toEqual([fireSel]);
    expect(alice.notifies[0]!.contentType).toBe('application/xcap-diff+xml');
    expect(sys.gms.subscriptions().map((s) => s.subscriber).sort()).toEqual([mcpttIdOf('alice'), mcpttIdOf('bob'), mcpttIdOf('carol')]);

    // The administrator removes carol from fire-1.
    const before = { alice: alice.notifies.length, bob: bob.notifies.length };
    expect((await admin(sys.gms, 'DELETE', `/groups/fire-1/members/${encodeURIComponent(mcpttIdOf('carol'))}`)).status).toBe(204);
    const newEtag = await etagOf(fireSel);
    await waitFor(() => alice.notifies.length > before.alice && bob.notifies.length > before.bob, 'change NOTIFYs');
    for (const s of [alice, bob]) {
      expect(lastDiff(s).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([[fireSel, fireEtag, newEtag]]);
      expect(s.notifies[s.notifies.length - 1]!.subscriptionState.state).toBe('active');
    }
    // Carol: final NOTIFY, the document with previous-etag only, subscription terminated.
    await waitFor(() => carol.terminated.length === 1, 'carol terminated');
    const final = carol.notifies[carol.notifies.length - 1]!;
    expect(final.subscriptionState.state).toBe('terminated');
    expect(final.subscriptionState.reason).toBe('rejected');
    expect(parseXcapDiff(final.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([[fireSel, fireEtag, undefined]]);
    const carolXcap = new XcapClient({ xcapRoot: sys.gms.xcapRoot, headers: async () => ({ authorization: `Bearer ${await sys.token('carol')}` }) });
    expect((await carolXcap.get(fireSel)).status).toBe(403);
    expect(sys.gms.subscriptions().map((s) => s.subscriber)).not.toContain(mcpttIdOf('carol'));

    // A GMC holding the document from before the change cannot overwrite it: 412 (RFC 4825 clause 7.11).
    const stale = await new XcapClient({ xcapRoot: sys.gms.xcapRoot, headers: async () => ({ authorization: `Bearer ${ADMIN_TOKEN}` }) }).put(
      fireSel,
      (await (await fetch(`${sys.gms.xcapRoot}/${fireSel}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text()).replace('Fire 1', 'Fire One'),
      'application/vnd.oma.poc.groups+xml',
      { ifMatch: fireEtag },
    );
    expect(stale.status).toBe(412);
    expect(await etagOf(fireSel)).toBe(newEtag);

    // Bob retrieves the document from the notified URI (xcap-root + "/" + sel) with his old ETag.
    const d = lastDiff(bob);
    const res = await fetch(`${d.xcapRoot}/${d.documents[0]!.sel}`, {
      headers: { authorization: `Bearer ${await sys.token('bob')}`, 'if-none-match': `"${fireEtag}"` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${newEtag}"`);
    expect(parseGroup(await res.text()).listService.list?.entry?.map((e) => e.uri)).toEqual([mcpttIdOf('alice'), mcpttIdOf('bob')]);

    // A priority change reaches the remaining members; adding erin makes fire-1 appear for her.
    const erin = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('erin'), from: mcpttIdOf('erin') }); // no resource list: all my groups
    expect((await erin.handle.ready).status).toBe(200);
    await waitFor(() => erin.notifies.length === 1, 'erin initial NOTIFY');
    expect(lastDiff(erin).documents).toEqual([]);
    expect((await admin(sys.gms, 'PUT', `/groups/fire-1/members/${encodeURIComponent(mcpttIdOf('erin'))}`, {})).status).toBe(200);
    await waitFor(() => erin.notifies.length === 2, 'erin sees fire-1');
    const added = await etagOf(fireSel);
    expect(lastDiff(erin).documents.map((x) => [x.sel, x.previousEtag, x.newEtag])).toEqual([[fireSel, undefined, added]]);
    await waitFor(() => bob.notifies.length >= before.bob + 2, 'bob sees erin added');
    expect(lastDiff(bob).documents.map((x) => [x.previousEtag, x.newEtag])).toEqual([[newEtag, added]]);
  });

  it('refuses a SUBSCRIBE without a valid access token, and one listing only groups the user may not read (403)', async () => {
    const noToken = subscribeGroups({ endpoint: ue, gms: sys.gms, token: 'not-a-token', uris: [fireSel], from: mcpttIdOf('alice') });
    expect((await noToken.handle.ready).status).toBe(403);
    const notMember = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('dave'), uris: [fireSel], from: mcpttIdOf('alice') });
    expect((await notMember.handle.ready).status).toBe(403);
    // The From header does not matter: identity comes from the token (dave is no member).
    expect(sys.gms.subscriptions().map((s) => s.subscriber)).not.toContain(mcpttIdOf('dave'));
  });

  it('ends a list subscription with reason=noresource when its group is deleted', async () => {
    const bob = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('alice'), uris: [policeSel], from: mcpttIdOf('alice') });
    expect((await bob.handle.ready).status).toBe(200);
    await waitFor(() => bob.notifies.length === 1, 'initial NOTIFY');
    const etag = lastDiff(bob).documents[0]!.newEtag;
    expect((await admin(sys.gms, 'DELETE', '/groups/police-1')).status).toBe(204);
    await waitFor(() => bob.terminated.length === 1, 'terminated');
    const final = bob.notifies[bob.notifies.length - 1]!;
    expect(final.subscriptionState.reason).toBe('noresource');
    expect(parseXcapDiff(final.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([[policeSel, etag, undefined]]);
  });

  it('restores the subscriptions from the database after a restart and keeps notifying them', async () => {
    const alice = subscribeGroups({ endpoint: ue, gms: sys.gms, token: await sys.token('alice'), uris: [fireSel], from: mcpttIdOf('alice') });
    expect((await alice.handle.ready).status).toBe(200);
    await waitFor(() => alice.notifies.length === 1, 'initial NOTIFY');
    const lastDiffBefore = lastDiff(alice).documents[0]!.newEtag;
    const config = sys.gms.config;
    const before = sys.gms.subscriptions().length;
    await sys.gms.close();
    // A new instance on free ports (as before the composition: a restarted server is a new process).
    sys.gms = await startGms({ ...config, httpPort: 0, sipPort: 0 }, { db: sys.gmsDb });
    expect(sys.gms.subscriptions()).toHaveLength(before);
    expect((await admin(sys.gms, 'PUT', `/groups/fire-1/members/${encodeURIComponent(mcpttIdOf('dave'))}`, {})).status).toBe(200);
    await waitFor(() => alice.notifies.length === 2, 'NOTIFY after the restart');
    expect(alice.notifies[1]!.subscriptionState.state).toBe('active');
    // The restarted GMS has a new XCAP root (ephemeral port): the NOTIFY says where to fetch.
    const d = lastDiff(alice);
    expect(d.xcapRoot).toBe(sys.gms.xcapRoot);
    // The notified ETags were saved at shutdown: the NOTIFY carries the ETag alice's copy has.
    expect(d.documents.map((x) => [x.sel, x.previousEtag, x.newEtag])).toEqual([[fireSel, lastDiffBefore, await etagOf(fireSel)]]);
  });
});
