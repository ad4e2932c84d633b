// A failed or pending move never sticks: the UE re-evaluates its situation on every registered-PLMN
// change and before every retry; back on a PLMN the system it is configured in serves (its primary,
// or the partner it migrated to, TS 24.484 4.2.2.1.2), it is STABLE there again, the failure cleared.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUeHost, type Ue, type UeHostHandle } from '../src/index.ts';
import { startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;

const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));

async function online(id: string, user: string): Promise<Ue> {
  const ue = host.createUe({ id, user });
  await settled(ue);
  expect(ue.state).toBe('STABLE');
  return ue;
}

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-recovery-'));
  // A backoff far longer than the test's time-out: a retry that waits it out fails the test.
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT, retry: { baseMs: 60_000, capMs: 60_000, attempts: 3 } });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a UE recovers from a failed or pending move when its PLMN is served where it is configured', () => {
  it('a refused migration (bob is not authorized) followed by the home PLMN: STABLE at home, the refusal cleared', async () => {
    const ue = await online('ue-bob', 'bob');
    await ue.setPlmn('00102');
    expect([ue.state, ue.error?.step]).toEqual(['MIGRATION_FAILED', 'token-exchange']);
    await ue.setPlmn('00101');
    const s = ue.snapshot();
    expect([s.state, s.error, s.system, s.migrated]).toEqual(['STABLE', null, 'mcx-a', false]);
    expect(ue.history.at(-1)?.text).toBe('registered PLMN 00101 is served by mcx-a: configured there');
    expect(ue.current?.cms?.state).toBe('active');
  });

  it('a migrated UE that loses the partner PLMN and regains it: STABLE in the partner', async () => {
    const ue = await online('ue-alice', 'alice');
    await ue.setPlmn('00102');
    expect([ue.state, ue.snapshot().system]).toEqual(['STABLE', 'mcx-b']);
    await ue.setPlmn('00199');
    expect([ue.state, ue.error?.step, ue.snapshot().system]).toEqual(['MIGRATION_FAILED', 'select-partner', 'mcx-b']);
    await ue.setPlmn('00102');
    const s = ue.snapshot();
    expect([s.state, s.error, s.system, s.migrated]).toEqual(['STABLE', null, 'mcx-b', true]);
    expect(sys.b.mcs.registrations().filter((r) => r.contact.includes(ue.id))).not.toEqual([]);
  });

  it('a migration waiting for a retry is dropped at once when the home PLMN comes back (not after its backoff)', async () => {
    const ue = await online('ue-carol', 'carol');
    await sys.b.idms.close();
    void ue.setPlmn('00102');
    await ue.waitFor((u) => u.state === 'RETRY_WAIT');
    expect(ue.error?.step).toBe('token-exchange');
    await ue.setPlmn('00101');
    const s = ue.snapshot();
    expect([s.state, s.error, s.system, s.migrated]).toEqual(['STABLE', null, 'mcx-a', false]);
    expect(ue.history.filter((h) => h.state === 'RETRY_WAIT')).toHaveLength(1);
    expect(ue.history.map((h) => h.text ?? '').some((t) => t.startsWith('registered PLMN 00101 is served by mcx-a'))).toBe(true);
  });
});
