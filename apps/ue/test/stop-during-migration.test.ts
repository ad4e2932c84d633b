// A UE removed while it migrates (DELETE /api/ues/:id during TS 24.484 4.2.2.1.2) leaves nothing behind:
// the migration's steps that complete after the stop registered and subscribed in the partner system,
// and that session ends too (un-SUBSCRIBE, RFC 6665 clause 4.1.2.3; de-REGISTER, RFC 3261 clause 10.2.2).
// Before, it stayed the UE's current session after the UE was gone: its dialogs refreshed for ever
// (the 50 dialog routes `mcx bench soak` found after removing 50 moving UEs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUeHost, type UeHostHandle } from '../src/index.ts';
import { startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-stop-migrating-'));
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Polls `done` every 100 ms for at most 64*T1 + T4 (37 s): the longest an un-SUBSCRIBE waits for its final NOTIFY. */
async function eventually(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 37_000;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('removing a UE in the middle of its migration', () => {
  it('ends the partner session the migration completes after the stop: no dialog, no registration left', async () => {
    const ue = host.createUe({ id: 'ue-alice-leaving', user: 'alice' });
    await ue.waitFor((u) => u.state === 'STABLE');
    expect(host.endpoint.stats().dialogRoutes).toBe(2); // CMS and GMS of mcx-a

    const moving = ue.setPlmn('00102');
    // Partner authentication done: the registration and the subscriptions in mcx-b are still to come.
    await ue.waitFor((u) => u.state === 'PARTNER_AUTHENTICATED' || u.state === 'MIGRATION_AUTHORIZED');
    expect(await host.removeUe(ue.id)).toBe(true);
    await moving;

    await eventually(() => host.endpoint.stats().dialogRoutes === 0);
    expect(host.endpoint.stats().dialogRoutes).toBe(0);
    await eventually(() => sys.b.mcs.registrations().length === 0 && sys.a.mcs.registrations().length === 0);
    expect(sys.b.mcs.registrations()).toEqual([]);
    expect(sys.a.mcs.registrations()).toEqual([]);
  }, 120_000);
});
