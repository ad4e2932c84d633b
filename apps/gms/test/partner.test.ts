/**
 * Partner side (TS 23.280 clause 10.1.6, TS 24.484 4.2.2.1.2): the partner GMS serves the groups a migrated
 * user uses in the partner MC system. The user authenticates at the partner IdMS with the token
 * of its primary IdMS (RFC 8693 token exchange) and then reads and subscribes to its partner
 * groups like any user, under the MCPTT ID the partner assigned it (TS 23.280 clause 10.16.5):
 * membership decides. Its primary-system token is not accepted there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignMigratedMcpttId, exchangeForPartnerIdms, exchangeToken, loginWithPkce } from '@mcx/auth';
import { parseGroup } from '@mcx/documents';
import { authorizeMigration } from '@mcx/idms';
import type { SipEndpoint } from '@mcx/sip';
import { parseXcapDiff } from '@mcx/xcap';
import { mcpttIdOf, PASSWORD, REDIRECT_URI, startSystems, subscribeGroups, UE_CLIENT, ueEndpoint, waitFor, type System } from './fixture.ts';
import { groupSelector } from '../src/index.ts';

let a: System;
let b: System;
let ue: SipEndpoint;
const VISITORS = 'sip:visitors-1@mcx-b.example';
/** The MCPTT ID mcx-b assigns alice when she migrates there (TS 23.280 clause 10.16.5): her identity in the partner's documents and tokens. */
const ALICE_IN_B = assignMigratedMcpttId(mcpttIdOf('alice', 'mcx-a.example'), 'mcx-a', 'mcx-b.example');

beforeAll(async () => {
  // Two systems trusting each other, composed as `mcx up` composes them.
  [a, b] = (await startSystems([
    { systemId: 'mcx-a', domain: 'mcx-a.example', users: ['alice'] },
    { systemId: 'mcx-b', domain: 'mcx-b.example', users: ['frank'] },
  ])) as [System, System];
  ue = await ueEndpoint();
  await authorizeMigration(b.idmsDb, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: mcpttIdOf('alice', 'mcx-a.example'), accessProfiles: [1] });
  // Seeded from the ecosystem configuration: a partner group holding the migrated user.
  await b.gms.seed({
    groups: [{ groupId: 'visitors-1', displayName: 'Visitors', members: [ALICE_IN_B, mcpttIdOf('frank', 'mcx-b.example')] }],
  });
});
afterAll(async () => {
  await ue?.close();
  await b?.close();
  await a?.close();
});

describe('partner GMS', () => {
  it('serves the partner group to a migrated user holding a partner-issued token, over XCAP and SIP', async () => {
    const home = await loginWithPkce({ issuer: a.idms.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD });
    const migration = await exchangeForPartnerIdms({ issuer: a.idms.issuer, clientId: UE_CLIENT, subjectToken: home.accessToken, partnerIssuer: b.idms.issuer });
    const partner = await exchangeToken({ partnerIssuer: b.idms.issuer, clientId: UE_CLIENT, subjectToken: migration.accessToken, resource: b.gms.audience });
    const sel = groupSelector(VISITORS);

    const res = await fetch(`${b.gms.xcapRoot}/${sel}`, { headers: { authorization: `Bearer ${partner.accessToken}` } });
    expect(res.status).toBe(200);
    expect(parseGroup(await res.text()).listService.uri).toBe(VISITORS);
    // The primary system's token is not for this GMS (other issuer, other audience).
    expect((await fetch(`${b.gms.xcapRoot}/${sel}`, { headers: { authorization: `Bearer ${home.accessToken}` } })).status).toBe(401);

    const sub = subscribeGroups({ endpoint: ue, gms: b.gms, token: partner.accessToken, uris: [sel], from: ALICE_IN_B });
    expect((await sub.handle.ready).status).toBe(200);
    await waitFor(() => sub.notifies.length === 1, 'initial NOTIFY from the partner GMS');
    const diff = parseXcapDiff(sub.notifies[0]!.body);
    expect(diff.xcapRoot).toBe(b.gms.xcapRoot);
    expect(diff.documents.map((d) => [d.sel, d.newEtag])).toEqual([[sel, res.headers.get('etag')!.slice(1, -1)]]);
    expect(b.gms.subscriptions().map((s) => s.subscriber)).toEqual([ALICE_IN_B]);
    await sub.handle.unsubscribe();
  });
});
