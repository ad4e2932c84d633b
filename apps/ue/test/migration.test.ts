// Online configuration in the primary system (TS 24.484 4.2.2.1.1) and migration to a partner MC
// system and back (4.2.2.1.2), against real servers of two MC systems started by the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATABLE_PARTNER_ELEMENT, parseUserProfile, serializeUserProfile } from '@mcx/documents';
import { validateXml } from '@mcx/schemas';
import { startUeHost, type Ue, type UeHostHandle } from '../src/index.ts';
import { mcpttIdOf, startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;

const ALICE = mcpttIdOf('alice');
/** The MCPTT ID mcx-b assigns alice (TS 23.280 10.16.5; default rule sip:<user>.<home>@<partner domain>). */
const ALICE_IN_B = 'sip:alice.mcx-a@mcx-b.example.net';
const profileSel = (index: number, id = ALICE) => `org.3gpp.mcptt.user-profile/users/${id}/mcptt-user-profile-${index}.xml`;
const claims = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));
const statesSince = (ue: Ue, from: number) => ue.history.slice(from).map((h) => h.state);

async function adminPut(baseUrl: string, token: string, selector: string, xml: string): Promise<number> {
  const res = await fetch(`${baseUrl}/admin/documents/${selector}`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }, body: xml });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-host-'));
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an MCS UE configures itself in its primary system and migrates to the partner system and back', () => {
  let ue: Ue;

  it('boots in A and reaches STABLE through the online configuration steps', async () => {
    ue = host.createUe({ id: 'ue-alice', user: 'alice' });
    await settled(ue);
    expect(statesSince(ue, 0)).toEqual(['WITH_UE_INIT_CONFIG', 'AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'STABLE']);
    const s = ue.snapshot();
    expect([s.system, s.plmn, s.migrated, s.mcpttId]).toEqual(['mcx-a', '00101', false, ALICE]);
    // One SUBSCRIBE to the CMS listed the UE configuration, the profiles and the service configuration; one to the GMS.
    expect(s.documents.filter((d) => d.system === 'mcx-a').map((d) => d.kind).sort()).toEqual(['group', 'service-config', 'ue-config', 'user-profile', 'user-profile']);
    expect(s.activeProfile).toMatchObject({ system: 'mcx-a', index: 1, name: 'home' });
    // The copies are what the server holds (ETag = version: docs/conventions.md).
    const serverEtag = sys.a.cms.store.peek(profileSel(1))!.etag;
    expect(s.documents.find((d) => d.selector === profileSel(1))!.etag).toBe(serverEtag);
    expect(sys.a.mcs.registrations().map((r) => [r.mcpttId, r.kind])).toContainEqual([ALICE, 'service']);
    expect(claims(ue.current!.tokens!.accessToken)['iss']).toBe(sys.a.idms.issuer);
    expect(s.tokens['mcx-a']!.access).toMatch(/^eyJ.{9}…\(redacted\)$/);
  });

  it('reads its partner entries from a profile that libxml2 validates (Rel-13 schema; each MigratablePartnerMCPTTSystemInfo against the inferred schema)', async () => {
    const copy = await ue.copies.read(ue.copies.get('mcx-a', 'cms', profileSel(1))!);
    if (!copy.ok) throw new Error(`local copy unreadable: ${copy.reason}`);
    const body = copy.copy.body;
    expect(await validateXml(body, 'rel13/mcptt-user-profile.xsd')).toMatchObject({ ok: true, errors: [] });
    const entries = [...body.matchAll(new RegExp(`<${MIGRATABLE_PARTNER_ELEMENT}>[\\s\\S]*?</${MIGRATABLE_PARTNER_ELEMENT}>`, 'g'))].map((m) => m[0]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toContain('<PartnerMCPTTSystemId>mcx-b</PartnerMCPTTSystemId>');
    const standalone = entries[0]!.replace(`<${MIGRATABLE_PARTNER_ELEMENT}>`, `<${MIGRATABLE_PARTNER_ELEMENT} xmlns="urn:3gpp:mcptt:user-profile:1.0">`);
    expect(await validateXml(standalone, 'inferred/mcptt-migration.xsd')).toMatchObject({ ok: true, errors: [] });
  });

  it('on a PLMN change selects the partner (with its reason) and ends configured in B with B documents and a B token', async () => {
    const from = ue.history.length;
    await ue.setPlmn('00102');
    await settled(ue);
    expect(statesSince(ue, from)).toEqual(['PARTNER_SELECTED', 'PROFILE_SELECTED', 'PARTNER_AUTHENTICATED', 'MIGRATION_AUTHORIZED', 'SUBSCRIBED', 'STABLE']);
    const selected = ue.history.find((h, i) => i >= from && h.state === 'PARTNER_SELECTED')!;
    expect(selected.text).toContain('registered PLMN 00102 matches the HPLMN of partner entry mcx-b (profile 1 "home")');
    expect(ue.history.find((h, i) => i >= from && h.state === 'PROFILE_SELECTED')!.text).toContain('profile 1 "home" is pre-selected and lists mcx-b');
    const s = ue.snapshot();
    expect([s.system, s.plmn, s.migrated]).toEqual(['mcx-b', '00102', true]);
    // NOTE 1: the profile used in B is B's document (shared over CSC-17), not the one used for access.
    expect(s.accessProfile).toEqual({ index: 1, selector: profileSel(1) });
    // TS 23.280 10.16.5: B assigned alice an MCPTT ID of its own; her documents in B are stored under it.
    expect(s.mcpttId).toBe(ALICE_IN_B);
    expect(sys.b.cms.store.peek(profileSel(1))).toBeUndefined();
    expect(parseUserProfile(sys.b.cms.store.peek(profileSel(1, ALICE_IN_B))!.body).xuiUri).toBe(ALICE_IN_B);
    expect(s.activeProfile).toMatchObject({ system: 'mcx-b', index: 1, name: 'visiting-mcx-b', etag: sys.b.cms.store.peek(profileSel(1, ALICE_IN_B))!.etag });
    expect(s.documents.filter((d) => d.active).map((d) => `${d.system} ${d.kind}`).sort()).toEqual(['mcx-b group', 'mcx-b service-config', 'mcx-b ue-config', 'mcx-b user-profile']);
    expect(s.documents.filter((d) => d.active && d.system === 'mcx-b' && d.kind !== 'group' && d.kind !== 'service-config').map((d) => d.selector.split('/')[2])).toEqual([ALICE_IN_B, ALICE_IN_B]);
    const token = claims(ue.current!.tokens!.accessToken);
    expect([token['iss'], token['mc_home_system'], token['mcptt_id'], token['mc_primary_mcptt_id']]).toEqual([sys.b.idms.issuer, 'mcx-a', ALICE_IN_B, ALICE]);
    expect(sys.b.mcs.registrations().map((r) => [r.mcpttId, r.primaryMcpttId, r.kind, r.userProfileIndex])).toContainEqual([ALICE_IN_B, ALICE, 'migration', 1]);
    // The primary system's registration is gone.
    expect(sys.a.mcs.registrations().filter((r) => r.mcpttId === ALICE)).toEqual([]);
    expect(s.timings.migrationMs).toBeGreaterThan(0);
  });

  it('an admin edit in B reaches the UE by NOTIFY and its copy is updated (NOTE 2)', async () => {
    const current = sys.b.cms.store.peek(profileSel(1, ALICE_IN_B))!;
    const profile = parseUserProfile(current.body);
    profile.name = [{ value: 'Alice visiting B (edited)' }];
    const xml = serializeUserProfile(profile);
    expect(await adminPut(sys.b.cms.httpUrl, sys.admin['mcx-b'], profileSel(1, ALICE_IN_B), xml)).toBe(200);
    const newEtag = sys.b.cms.store.peek(profileSel(1, ALICE_IN_B))!.etag;
    await ue.waitFor((u) => u.copies.get('mcx-b', 'cms', profileSel(1, ALICE_IN_B))?.etag === newEtag);
    const meta = ue.copies.get('mcx-b', 'cms', profileSel(1, ALICE_IN_B))!;
    const local = await ue.copies.read(meta);
    expect(local.ok && local.copy.body).toContain('Alice visiting B (edited)');
    expect(ue.state).toBe('STABLE');
    expect(ue.history.slice(-2).map((h) => h.state)).toEqual(['UPDATING', 'STABLE']);
  });

  it('back on the home PLMN it is configured in A again and B lets go', async () => {
    const from = ue.history.length;
    await ue.setPlmn('00101');
    await settled(ue);
    expect(statesSince(ue, from)).toEqual(['AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'STABLE']);
    const s = ue.snapshot();
    expect([s.system, s.plmn, s.migrated, s.error]).toEqual(['mcx-a', '00101', false, null]);
    expect(s.activeProfile).toMatchObject({ system: 'mcx-a', index: 1, name: 'home' });
    expect(claims(ue.current!.tokens!.accessToken)['iss']).toBe(sys.a.idms.issuer);
    expect(sys.a.mcs.registrations().map((r) => r.mcpttId)).toContain(ALICE);
    expect(sys.b.mcs.registrations().filter((r) => r.mcpttId === ALICE_IN_B)).toEqual([]);
  });

  it('records every message it sent and received, tokens redacted, with lanes', () => {
    const msgs = host.log.since('ue-alice');
    const lanes = new Set(msgs.map((m) => m.peer));
    for (const lane of ['IdMS-A', 'IdMS-B', 'CMS-A', 'CMS-B', 'GMS-A', 'GMS-B', 'MCS-A', 'MCS-B']) expect(lanes).toContain(lane);
    expect(msgs.some((m) => m.protocol === 'SIP' && m.direction === 'in' && m.summary.startsWith('NOTIFY'))).toBe(true);
    const register = msgs.find((m) => m.peer === 'MCS-B' && m.summary.startsWith('REGISTER'))!;
    // In B the UE speaks as the ID B assigned: REGISTER From/To, SUBSCRIBE From and the document URIs it lists.
    expect(register.headers['from']).toContain(`<${ALICE_IN_B}>`);
    expect(register.headers['to']).toContain(`<${ALICE_IN_B}>`);
    const subscribeCmsB = msgs.find((m) => m.peer === 'CMS-B' && m.summary.startsWith('SUBSCRIBE'))!;
    expect(subscribeCmsB.headers['from']).toContain(`<${ALICE_IN_B}>`);
    expect(subscribeCmsB.body).toContain(`users/${ALICE_IN_B}/mcptt-user-profile-1.xml`);
    expect(subscribeCmsB.body).not.toContain(`users/${ALICE}/`);
    expect(register.body).toMatch(/<anyExt>\s*<selected-user-profile-index>\s*<user-profile-index>1<\/user-profile-index>/);
    expect(register.body).not.toContain('urn:mcx-ecosystem');
    expect(register.body).toMatch(/<mcpttString>eyJ.{9}…<\/mcpttString>/);
    // Each message carries the procedure step the UE ran (docs/ue-host-api.md "Message"), in the order of TS 24.484 4.2.2.1.2.1.
    const migrationSteps = [...new Set(msgs.filter((m) => m.procedure === 'migration to mcx-b').map((m) => m.step))];
    expect(migrationSteps).toEqual(['migration-token', 'token-exchange', 'migration-service-authorization', 'subscribe-partner-cms + subscribe-partner-gms', 'leave-previous-system']);
    expect(register.step).toBe('migration-service-authorization');
    expect(register.clause).toBe('TS 24.484 4.2.2.1.2.1');
    expect(msgs.find((m) => m.procedure === 'migration to mcx-b' && m.step === 'leave-previous-system' && m.peer === 'MCS-A')?.headers['expires']).toBe('0');
    expect([...new Set(msgs.filter((m) => m.procedure === 'return home').map((m) => m.step))]).toContain('leave-previous-system');
    const all = JSON.stringify(msgs);
    expect(all).not.toMatch(/eyJ[\w-]{20,}\.[\w-]{20,}\./);
    expect(all).not.toContain('alice-secret');
  });

  it('after a restart of the host it starts from its protected copies (get-with-version at start: nothing re-downloaded)', async () => {
    await host.close();
    host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
    const again = host.createUe({ id: 'ue-alice', user: 'alice' });
    await settled(again);
    expect([again.state, again.snapshot().system]).toEqual(['STABLE', 'mcx-a']);
    const gets = host.log.since('ue-alice').filter((m) => m.direction === 'out' && m.protocol === 'HTTP' && m.summary.startsWith('GET /xcap-root/'));
    expect(gets.map((m) => m.summary)).toEqual([expect.stringMatching(/ue-init-config/)]);
    expect(again.snapshot().activeProfile).toMatchObject({ index: 1, name: 'home' });
  });
});
