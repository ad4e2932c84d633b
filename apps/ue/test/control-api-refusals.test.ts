// Refusals of the UE host control API (docs/ue-host-api.md) over real HTTP are JSON
// `{ error, detail }` with the status that says why, never an express HTML page or a 200 that
// did nothing.
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
  dataDir = mkdtempSync(join(tmpdir(), 'mcx-ue-refusals-'));
  host = await startUeHost({ dataDir, systems: sys.hostSystems, users: USERS, ueClient: UE_CLIENT });
  json.authorization = `Bearer ${host.controlToken}`;
});

afterAll(async () => {
  await host?.close();
  await sys?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function expectProblem(res: Response, status: number, error: string): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(await res.json()).toMatchObject({ error, detail: expect.any(String) });
}

/** JSON with the host's control secret (set once the host runs). */
const json: Record<string, string> = { 'content-type': 'application/json' };

describe('control API refusals', () => {
  it('answers a body that is not JSON with 400 JSON', async () => {
    await expectProblem(await fetch(`${host.url}/api/ues`, { method: 'POST', headers: json, body: '{"user": ' }), 400, 'invalid_request');
  });

  it('answers a body over the limit with 413 JSON', async () => {
    await expectProblem(await fetch(`${host.url}/api/ues`, { method: 'POST', headers: json, body: JSON.stringify({ user: 'x'.repeat(3 * 1024 * 1024) }) }), 413, 'payload_too_large');
  });

  it('answers an unknown route with 404 JSON', async () => {
    await expectProblem(await fetch(`${host.url}/api/no-such-thing`, { headers: json }), 404, 'not_found');
    await expectProblem(await fetch(`${host.url}/api/ues/x/y/z`, { method: 'POST', headers: json, body: '{}' }), 404, 'not_found');
  });

  it('answers an upload of a document the UE holds no copy of with 404 JSON, and a malformed one (or an array) with 400', async () => {
    const ue = host.createUe({ id: 'refusals-alice', user: 'alice' });
    await ue.waitFor((u) => u.state === 'STABLE');
    const upload = (body: unknown) => fetch(`${host.url}/api/ues/refusals-alice/upload`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    await expectProblem(await upload({ selector: 'org.3gpp.mcptt.user-profile/users/sip:nobody@mcx-a.example.net/mcptt-user-profile-1.xml' }), 404, 'not_found');
    await expectProblem(await upload({ selector: 42 }), 400, 'invalid_request');
    // An array is no request body of this API (read as "no fields" it would upload the active profile).
    await expectProblem(await upload([]), 400, 'invalid_request');
  });

  it('refuses a SIP fault with a bad peer, action or duration with 400 JSON, and a token expiry of an unconfigured UE with 409', async () => {
    const fault = (body: unknown) => fetch(`${host.url}/api/ues/refusals-alice/faults/sip`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    await expectProblem(await fault({ peer: 'CMS-a', action: 'drop', forMs: 1000 }), 400, 'invalid_request');
    await expectProblem(await fault({ peer: 'CMS-A', action: 'lose', forMs: 1000 }), 400, 'invalid_request');
    await expectProblem(await fault({ peer: 'CMS-A', action: 'delay', forMs: 1000 }), 400, 'invalid_request');
    await expectProblem(await fault({ peer: 'CMS-A', action: 'drop', forMs: 0 }), 400, 'invalid_request');
    expect((await fault({ peer: 'CMS-A', action: 'drop', direction: 'in', forMs: 1 })).status).toBe(202);
    host.createUe({ id: 'refusals-idle', user: 'bob', start: false });
    await expectProblem(await fetch(`${host.url}/api/ues/refusals-idle/faults/expire-token`, { method: 'POST', headers: json, body: '{}' }), 409, 'conflict');
  });
});
