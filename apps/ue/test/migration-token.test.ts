// The migration-token step (TS 33.180 annex B.7): the token for the partner IdMS is obtained by
// token exchange of the UE's primary access token, refreshed first when it has expired.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startUeHost, type Ue, type UeHostHandle } from '../src/index.ts';
import { startTwoSystems, UE_CLIENT, USERS, type TwoSystems } from './two-systems.ts';

let sys: TwoSystems;
let host: UeHostHandle;
let dataDir: string;

const settled = (ue: Ue) => ue.waitFor((u) => ['STABLE', 'FAILED', 'MIGRATION_FAILED'].includes(u.state));

beforeAll(async () => {
  sys = await startTwoSystems();
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-migration-token-'));
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('refreshes an expired primary access token before exchanging it for the token for the partner IdMS', async () => {
  const ue = host.createUe({ id: 'ue-alice-expired', user: 'alice' });
  await settled(ue);
  expect(ue.state).toBe('STABLE');
  const home = ue.current!;
  const stale = home.tokens!.accessToken;
  // The old token is useless at IdMS-A (revoked, RFC 7009) and the UE deems it expired.
  const res = await fetch(`${sys.a.idms.url}/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: stale, client_id: UE_CLIENT.clientId }),
  });
  expect(res.status).toBe(200);
  home.tokens!.expiresAt = Date.now() - 1000;
  await ue.setPlmn('00102');
  await settled(ue);
  expect([ue.state, ue.snapshot().system]).toEqual(['STABLE', 'mcx-b']);
  expect(home.tokens!.accessToken).not.toBe(stale);
});
