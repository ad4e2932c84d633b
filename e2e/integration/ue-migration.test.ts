// The demo ecosystem (ecosystem.yaml: mcx-a primary PLMN 00101, mcx-b partner PLMN 00102) started
// by the composition root's startEcosystem (IdMS, CMS, GMS, MCS of both systems, seeded, CSC-17
// shared, the UE host with the file's UEs ue-alice and ue-bob): ue-alice boots in A, migrates to B
// on a PLMN change (TS 24.484 4.2.2.1.2), follows an admin edit in B (NOTE 2) and comes back;
// bob, whose profiles list mcx-b but who is not authorized to migrate, is refused by the partner IdMS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEcosystem } from '@mcx/ecosystem';
import { parseUserProfile, serializeUserProfile } from '@mcx/documents';
import type { Ue, UeHostHandle } from '@mcx/ue';
import { startEcosystem, type RunningEcosystem } from '../../apps/mcx/src/ecosystem/ecosystem.ts';
import type { RunningSystems } from '../../apps/mcx/src/ecosystem/start.ts';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let dir: string;
let running: RunningEcosystem;
let systems: RunningSystems;
let host: UeHostHandle;

const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));
const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
const ALICE = 'sip:alice@mcx-a.example.net';
/** The MCPTT ID mcx-b assigns alice (TS 23.280 10.16.5; default rule). */
const ALICE_IN_B = 'sip:alice.mcx-a@mcx-b.example.net';
const profileSel = (index: number, id = ALICE) =>
  `org.3gpp.mcptt.user-profile/users/${id}/mcptt-user-profile-${index}.xml`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-e2e-ue-'));
  const ecosystem = loadEcosystem(join(REPO, 'ecosystem.yaml'));
  running = await startEcosystem({
    ecosystem,
    dataDir: join(dir, 'data'),
    ephemeralPorts: true,
    scryptCost: 1024,
    console: false,
    startUes: true,
  });
  systems = running.systems;
  host = running.ueHost.host;
});

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a UE of the demo ecosystem migrates to the partner MC system and back', () => {
  let ue: Ue;

  it('the UE of the ecosystem file boots in mcx-a and reaches STABLE', async () => {
    ue = host.ue('ue-alice')!;
    await settled(ue);
    const s = ue.snapshot();
    expect([s.state, s.system, s.plmn, s.mcpttId]).toEqual(['STABLE', 'mcx-a', '00101', ALICE]);
    expect(s.activeProfile).toMatchObject({ index: 1, name: 'home' });
    expect(s.documents.filter((d) => d.kind === 'user-profile')).toHaveLength(3);
  });

  it('PLMN 00102: partner mcx-b selected with its reason, configured in mcx-b with its documents and token', async () => {
    const from = ue.history.length;
    await ue.setPlmn('00102');
    await settled(ue);
    const s = ue.snapshot();
    expect([s.state, s.system, s.migrated, s.error]).toEqual(['STABLE', 'mcx-b', true, null]);
    expect(ue.history.slice(from).find((h) => h.state === 'PARTNER_SELECTED')?.text).toContain(
      'registered PLMN 00102 matches the HPLMN of partner entry mcx-b',
    );
    expect(s.activeProfile).toMatchObject({ system: 'mcx-b', index: 1, name: 'visiting-mcx-b' });
    const b = systems.system('mcx-b');
    expect(claims(ue.current!.tokens!.accessToken)).toMatchObject({
      iss: b.idms.issuer,
      mc_home_system: 'mcx-a',
      mcptt_id: ALICE_IN_B,
      mc_primary_mcptt_id: ALICE,
    });
    expect(s.mcpttId).toBe(ALICE_IN_B);
    expect(b.mcs.registrations().map((r) => [r.mcpttId, r.primaryMcpttId, r.kind])).toContainEqual([ALICE_IN_B, ALICE, 'migration']);
    // The MCS-B → MCS-A leg (TS 23.280 10.6.3), reported by each sending MCS into the UE's message log (the console draws it).
    const leg = host.log
      .since('ue-alice')
      .filter((m) => m.from)
      .map((m) => [m.from, m.peer, m.summary.split(' ').slice(0, 3).join(' ')]);
    expect(leg).toEqual([
      ['MCS-B', 'MCS-A', 'MESSAGE migration request'],
      ['MCS-A', 'MCS-B', 'MESSAGE migration-auth-result true'],
    ]);
  });

  it('an admin edit in mcx-b reaches the UE (NOTIFY) and its copy is updated', async () => {
    const b = systems.system('mcx-b');
    const current = b.cms.store.peek(profileSel(1, ALICE_IN_B))!;
    const profile = parseUserProfile(current.body);
    profile.name = [{ value: 'Alice in B (edited by the B administrator)' }];
    const res = await fetch(`${b.cms.httpUrl}/admin/documents/${profileSel(1, ALICE_IN_B)}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${b.admin.token}`,
        'content-type': 'application/xml',
        'if-match': `"${current.etag}"`,
      },
      body: serializeUserProfile(profile),
    });
    expect(res.status).toBe(200);
    const etag = b.cms.store.peek(profileSel(1, ALICE_IN_B))!.etag;
    await ue.waitFor((u) => u.copies.get('mcx-b', 'cms', profileSel(1, ALICE_IN_B))?.etag === etag);
    const copy = await ue.copies.read(ue.copies.get('mcx-b', 'cms', profileSel(1, ALICE_IN_B))!);
    expect(copy.ok && copy.copy.body).toContain('edited by the B administrator');
  });

  it('PLMN 00101: configured in mcx-a again', async () => {
    await ue.setPlmn('00101');
    await settled(ue);
    const s = ue.snapshot();
    expect([s.state, s.system, s.migrated]).toEqual(['STABLE', 'mcx-a', false]);
    expect(claims(ue.current!.tokens!.accessToken)['iss']).toBe(systems.system('mcx-a').idms.issuer);
    expect(
      systems
        .system('mcx-b')
        .mcs.registrations()
        .filter((r) => r.mcpttId === ALICE_IN_B),
    ).toEqual([]);
  });

  it('bob is not authorized to migrate: MIGRATION_FAILED at the token exchange, still in mcx-a', async () => {
    const bob = host.ue('ue-bob')!;
    await settled(bob);
    await bob.setPlmn('00102');
    await settled(bob);
    const s = bob.snapshot();
    expect([s.state, s.system, s.error?.step]).toEqual(['MIGRATION_FAILED', 'mcx-a', 'token-exchange']);
    expect(s.error?.reason).toMatch(/^invalid_grant/);
  });
});
