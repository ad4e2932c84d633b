// While the IdMS's database cannot be used (here: its SQLite file held by another writer beyond
// the busy timeout), the token endpoint and the admin API answer 503 + Retry-After with
// `temporarily_unavailable` (RFC 6749 clauses 4.1.2.1 / 5.2) instead of a 500, change nothing,
// and work again once the database is back.
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWithPkce, type McTokens } from '@mcx/auth';
import { PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

const ADMIN = 'admin-token-under-test';
let eco: Ecosystem;
let tokens: McTokens;

beforeAll(async () => {
  eco = await startEcosystem();
  await eco.a.reconfigure({ adminToken: ADMIN });
  tokens = await loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD });
});
afterAll(async () => {
  await eco?.close();
});

const refresh = (refreshToken: string) =>
  fetch(`${eco.a.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: UE_CLIENT }),
  });
const authorize = () =>
  fetch(`${eco.a.url}/admin/migration-authorizations/${encodeURIComponent('sip:carol@mcx-a.example')}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ homeSystemId: 'mcx-b', partnerSystemId: 'mcx-a', accessProfiles: [1] }),
  });

describe('the IdMS while its database is away', () => {
  it('answers 503 + Retry-After temporarily_unavailable on the token endpoint and the admin API, then serves again', async () => {
    expect(eco.dbA.provider).toBe('sqlite');
    const holder = new Sqlite(fileURLToPath(eco.dbA.url));
    holder.exec('BEGIN EXCLUSIVE');
    let token: Response;
    let admin: Response;
    try {
      [token, admin] = await Promise.all([refresh(tokens.refreshToken!), authorize()]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(token.status).toBe(503);
    expect(token.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await token.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(admin.status).toBe(503);
    expect(admin.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await admin.json()).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(await eco.dbA.prisma.migrationAuthorization.count({ where: { mcpttId: 'sip:carol@mcx-a.example' } })).toBe(0);

    const again = await refresh(tokens.refreshToken!);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ access_token: expect.any(String) });
    expect((await authorize()).status).toBe(200);
    const health = await fetch(`${eco.a.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, system: 'mcx-a', app: 'idms', database: 'available' });
  });
});
