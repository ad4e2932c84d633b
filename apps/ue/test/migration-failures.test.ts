// Negative paths of migration (TS 24.484 4.2.2.1.2): each leaves the UE in MIGRATION_FAILED with
// the failed step and the reason, still configured in (and notified by) its primary system.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preSelectedFirstProfilePolicy, startUeHost, type ProfileSelectionPolicy, type Ue, type UeHostHandle } from '../src/index.ts';
import { mcpttIdOf, startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
const dirs: string[] = [];

const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'mcx-ue-host-'));
  dirs.push(d);
  return d;
};

async function online(h: UeHostHandle, id: string, user: string): Promise<Ue> {
  const ue = h.createUe({ id, user });
  await settled(ue);
  expect(ue.state).toBe('STABLE');
  return ue;
}

/** Expect a failed migration that left the UE in A, still subscribed there. */
async function expectStayedHome(ue: Ue, step: string, reason: RegExp): Promise<void> {
  await settled(ue);
  const s = ue.snapshot();
  expect(s.state).toBe('MIGRATION_FAILED');
  expect(s.error?.step).toBe(step);
  expect(s.error?.reason).toMatch(reason);
  expect([s.system, s.migrated]).toEqual(['mcx-a', false]);
  expect(ue.current?.cms?.state).toBe('active');
  expect(sys.b.mcs.registrations().filter((r) => r.contact.includes(ue.id))).toEqual([]);
}

beforeAll(async () => {
  sys = await startTwoSystems({ sipTimers: { t1: 100, t2: 400, t4: 500 } });
  host = await startUeHost({ dataDir: tmp(), systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT, retry: { baseMs: 20, capMs: 50, attempts: 2 } });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('migration failures leave the UE in a defined state with the reason', () => {
  it('no partner MC system matches the registered PLMN', async () => {
    const ue = await online(host, 'ue-alice-nowhere', 'alice');
    await ue.setPlmn('00199');
    await expectStayedHome(ue, 'select-partner', /registered PLMN 00199 matches no partner MC system entry \(mcx-b \[00102\]\)/);
  });

  it('the user is not authorized to migrate (never shared with the partner): the partner IdMS refuses the exchange', async () => {
    const ue = await online(host, 'ue-bob', 'bob');
    await ue.setPlmn('00102');
    await expectStayedHome(ue, 'token-exchange', /^invalid_grant/);
    expect(ue.history.some((h) => h.state === 'RETRY_WAIT')).toBe(false);
  });

  it('the partner IdMS refuses the token (authorization withdrawn at the IdMS)', async () => {
    const res = await fetch(`${sys.b.idms.url}/admin/migration-authorizations/${encodeURIComponent(mcpttIdOf('carol'))}?home=mcx-a`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sys.admin['mcx-b']}` },
    });
    expect(res.status).toBe(204);
    const ue = await online(host, 'ue-carol', 'carol');
    await ue.setPlmn('00102');
    await expectStayedHome(ue, 'token-exchange', /^invalid_grant/);
  });

  it("the primary MCS refuses the migration service authorization through the partner MCS (profile not shared for access): MCS-A's reason reaches the UE", async () => {
    // A profile policy that picks profile 2, which the primary did not share for access to mcx-b.
    const second: ProfileSelectionPolicy = {
      name: 'second-profile',
      select: ({ partner, profiles }) => {
        const p = profiles.find((x) => x.index === 2);
        return p ? { choice: p, reason: 'test policy: profile 2' } : preSelectedFirstProfilePolicy.select({ partner, profiles });
      },
    };
    const other = await startUeHost({ dataDir: tmp(), systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT, retry: { baseMs: 20, capMs: 50, attempts: 2 } }, { profilePolicy: second });
    const decided: string[] = [];
    const off = sys.a.mcs.onLegMessage((e) => decided.push(`${e.direction} ${e.peer} ${e.summary}`));
    try {
      const ue = await online(other, 'ue-alice-p2', 'alice');
      await ue.setPlmn('00102');
      // The cause and its wording are MCS-A's (primary-leg/decide-for-partner.ts), relayed by MCS-B.
      await expectStayedHome(ue, 'migration-service-authorization', /SIP 403 Forbidden - User Profile Not Authorized For Migration \(profile-not-authorized: user profile 2 may not be used to access mcx-b \(allowed: 1\)\)/);
      const results = decided.filter((d) => d.includes('migration-auth-result'));
      expect(results.length).toBeGreaterThan(0);
      expect(new Set(results)).toEqual(new Set(['out mcx-b MESSAGE migration-auth-result false (profile-not-authorized)']));
      expect(ue.history.find((h) => h.state === 'PROFILE_SELECTED')?.text).toContain('second-profile');
    } finally {
      off();
      await other.close();
    }
  });

  it('a UE that failed to migrate still follows NOTIFYs in its primary system and can try again', async () => {
    const ue = host.ue('ue-alice-nowhere')!;
    await ue.setPlmn('00102');
    await settled(ue);
    expect([ue.state, ue.snapshot().system, ue.snapshot().error]).toEqual(['STABLE', 'mcx-b', null]);
  });

  it('the partner IdMS is down: transient, retried with backoff, then MIGRATION_FAILED', async () => {
    const ue = await online(host, 'ue-alice-down', 'alice');
    await sys.b.idms.close();
    await ue.setPlmn('00102');
    await expectStayedHome(ue, 'token-exchange', /unreachable/);
    expect(ue.history.filter((h) => h.state === 'RETRY_WAIT')).toHaveLength(2);
  });
});
