import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeForPartnerIdms, exchangeToken, loginWithPkce } from '@mcx/auth';
import { PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

// The partner IdMS admin API: the partner CMS records/revokes migration authorizations after
// CSC-17 sharing (docs/server-contracts.md); the token exchange follows them.
const ADMIN = 'partner-admin-token';
let eco: Ecosystem;
beforeAll(async () => {
  eco = await startEcosystem();
  await eco.b.reconfigure({ adminToken: ADMIN });
});
afterAll(async () => {
  await eco?.close();
});

const carol = 'sip:carol@mcx-a.example';
const url = (id: string, query = '') => `${eco.b.url}/admin/migration-authorizations/${encodeURIComponent(id)}${query}`;
const admin = (init: RequestInit = {}, token = ADMIN) => ({ ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });

async function exchangeCarol(): Promise<string> {
  const login = await loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'carol', password: PASSWORD });
  const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
  try {
    await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
    return 'accepted';
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
}

describe('IdMS admin API for migration authorizations', () => {
  it('refuses a missing or foreign admin credential (RFC 6750 401) and changes nothing', async () => {
    const body = JSON.stringify({ homeSystemId: 'mcx-a' });
    const none = await fetch(url(carol), { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="idms-admin"');
    const foreign = await fetch(url(carol), admin({ method: 'PUT', body }, 'not-the-admin-token'));
    expect(foreign.status).toBe(401);
    expect(foreign.headers.get('www-authenticate')).toMatch(/^Bearer realm="idms-admin", error="invalid_token"/);
    expect((await foreign.json()) as object).toMatchObject({ error: 'invalid_token' });
    expect(await eco.dbB.prisma.migrationAuthorization.count({ where: { mcpttId: carol } })).toBe(0);
  });

  it('refuses a malformed body with invalid_request', async () => {
    const res = await fetch(url(carol), admin({ method: 'PUT', body: JSON.stringify({ accessProfiles: ['x'] }) }));
    expect(res.status).toBe(400);
    expect((await res.json()) as object).toMatchObject({ error: 'invalid_request' });
  });

  it('authorizes a user (token exchange accepted), then revokes it (invalid_grant)', async () => {
    expect(await exchangeCarol()).toBe('invalid_grant');
    const put = await fetch(url(carol), admin({ method: 'PUT', body: JSON.stringify({ homeSystemId: 'mcx-a', accessProfiles: [1, 2] }) }));
    expect(put.status).toBe(200);
    expect((await put.json()) as object).toMatchObject({ mcpttId: carol, status: 'authorized', partnerSystemId: 'mcx-b' });
    expect(await exchangeCarol()).toBe('accepted');

    const list = (await (await fetch(`${eco.b.url}/admin/migration-authorizations`, admin())).json()) as { mcpttId: string; accessProfiles: number[] }[];
    expect(list.find((r) => r.mcpttId === carol)?.accessProfiles).toEqual([1, 2]);

    const del = await fetch(url(carol, '?home=mcx-a'), admin({ method: 'DELETE' }));
    expect(del.status).toBe(204);
    expect(await exchangeCarol()).toBe('invalid_grant');
    const again = await fetch(url(carol, '?home=mcx-a'), admin({ method: 'DELETE' }));
    expect(again.status).toBe(404);
  });

  it("does not open to another system's admin credential", async () => {
    const res = await fetch(`${eco.a.url}/admin/migration-authorizations`, admin());
    expect(res.status).toBe(401);
    expect((await res.json()) as object).toMatchObject({ error: 'invalid_token' });
  });
});

describe('IdMS admin API refusals are OAuth-style JSON (RFC 6749 clause 5.2 shape)', () => {
  const expectOAuthError = async (res: Response, status: number, error: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type') ?? '').toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ error, error_description: expect.any(String) });
  };

  it('answers a body that is not JSON with 400 invalid_request', async () => {
    await expectOAuthError(await fetch(url(carol), admin({ method: 'PUT', body: '{"homeSystemId": ' })), 400, 'invalid_request');
  });

  it('answers a body over the limit with 413', async () => {
    await expectOAuthError(await fetch(url(carol), admin({ method: 'PUT', body: JSON.stringify({ homeSystemId: 'x'.repeat(64 * 1024) }) })), 413, 'payload_too_large');
  });

  it('answers an unknown admin route with 404 JSON, and without the credential with 401 JSON', async () => {
    await expectOAuthError(await fetch(`${eco.b.url}/admin/no-such-thing`, admin()), 404, 'not_found');
    await expectOAuthError(await fetch(`${eco.b.url}/admin/no-such-thing`), 401, 'invalid_token');
  });
});
