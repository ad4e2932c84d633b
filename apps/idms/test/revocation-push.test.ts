// Revocations pushed from the primary IdMS to its partner (RFC 8935 push delivery of RFC 8417
// SETs) instead of the partner introspecting at the primary (RFC 7662) on every token exchange.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { pino } from 'pino';
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { discoverIdms, exchangeForPartnerIdms, exchangeToken, loginWithPkce } from '@mcx/auth';
import { parseIdmsConfig } from '../src/config/config.ts';
import { OidcPayloadStore } from '../src/storage/payload-store.ts';
import { PartnerRevocations, REVOKED_BY_PARTNER_KIND } from '../src/revocation-push/receiver.ts';
import { PUSH_KIND, revocationTransmitter } from '../src/revocation-push/transmitter.ts';
import { SET_MEDIA_TYPE, TOKEN_REVOKED_EVENT } from '../src/revocation-push/security-event.ts';
import { PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

let eco: Ecosystem;
beforeAll(async () => {
  eco = await startEcosystem();
});
afterAll(async () => {
  await eco?.close();
});

async function migrationToken(): Promise<{ refreshToken: string; token: string }> {
  const login = await loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD });
  const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
  return { refreshToken: login.refreshToken!, token: m.accessToken };
}

async function refusal(subjectToken: string): Promise<string> {
  try {
    await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken });
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
  return 'accepted';
}

/** Paths requested at IdMS-A while `run` runs. */
async function requestsAtA(run: () => Promise<unknown>): Promise<string[]> {
  const paths: string[] = [];
  const listener = (req: { url?: string }) => paths.push((req.url ?? '').split('?')[0]!);
  eco.a.server.on('request', listener);
  try {
    await run();
  } finally {
    eco.a.server.off('request', listener);
  }
  return paths;
}

async function primaryKey(): Promise<{ key: Awaited<ReturnType<typeof importJWK>>; kid: string }> {
  const row = await eco.dbA.prisma.signingKey.findFirstOrThrow({ where: { status: 'active' } });
  return { key: await importJWK(JSON.parse(row.privateJwk) as JWK, row.alg), kid: row.kid };
}

async function set(claims: Record<string, unknown>, key?: { key: Parameters<SignJWT['sign']>[0]; kid: string }, typ = 'secevent+jwt'): Promise<string> {
  const k = key ?? (await primaryKey());
  return new SignJWT({ iss: eco.a.issuer, aud: eco.b.issuer, jti: `set-${Math.random()}`, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ, kid: k.kid })
    .setIssuedAt()
    .sign(k.key);
}

const push = (body: string, contentType = SET_MEDIA_TYPE) =>
  fetch(`${eco.b.issuer}/secevents`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('revocation push from the primary IdMS to the partner (RFC 8935, RFC 8417)', () => {
  it('the partner exchanges a token without asking the primary (no introspection)', async () => {
    // The first exchange at the partner fetches the primary's discovery document and JWKS once.
    await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: (await migrationToken()).token });
    const { token } = await migrationToken();
    const paths = await requestsAtA(() => exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: token }));
    expect(paths).toEqual([]);
  });

  it('pushes a revoked migration token before answering the revocation; the partner keeps it in its database and refuses the token', async () => {
    const { token } = await migrationToken();
    const { jti } = decodeJwt(token);
    expect(await refusal(token)).toBe('accepted');
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    await oidc.tokenRevocation(config, token, { token_type_hint: 'access_token' });
    // Recorded at the partner (a restart forgets nothing), nothing left in the primary's outbox.
    const rows = await eco.dbB.prisma.oidcPayload.findMany({ where: { kind: REVOKED_BY_PARTNER_KIND } });
    expect(rows.map((r) => JSON.parse(r.payload) as unknown)).toContainEqual({ iss: eco.a.issuer, jti });
    expect(await eco.dbA.prisma.oidcPayload.count({ where: { kind: PUSH_KIND } })).toBe(0);
    const reloaded = PartnerRevocations.load(await OidcPayloadStore.load(eco.dbB.prisma, eco.b.config().serverName));
    expect(reloaded.has(eco.a.issuer, jti)).toBe(true);
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('pushes the migration tokens of a revoked grant (refresh token revoked at the primary)', async () => {
    const { refreshToken, token } = await migrationToken();
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    await oidc.tokenRevocation(config, refreshToken);
    const rows = await eco.dbB.prisma.oidcPayload.findMany({ where: { kind: REVOKED_BY_PARTNER_KIND } });
    expect(rows.map((r) => (JSON.parse(r.payload) as { jti: string }).jti)).toContain(decodeJwt(token).jti);
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('accepts a SET signed by the primary for this partner (202); the token it names is refused from then on', async () => {
    const { token } = await migrationToken();
    const { jti, exp } = decodeJwt(token);
    const res = await push(await set({ events: { [TOKEN_REVOKED_EVENT]: { jti, exp } } }));
    expect(res.status).toBe(202);
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('refuses a SET that is not from a partner for this partner (RFC 8935 clause 2.4 error codes)', async () => {
    const { token } = await migrationToken();
    const { jti, exp } = decodeJwt(token);
    const events = { [TOKEN_REVOKED_EVENT]: { jti, exp } };
    const pair = await generateKeyPair('RS256');
    const forged = { key: pair.privateKey, kid: (await primaryKey()).kid };
    const cases: [Promise<Response>, string][] = [
      [push(await set({ events }, forged)), 'invalid_key'],
      [push(await set({ events, aud: eco.a.issuer })), 'invalid_audience'],
      [push(await set({ events, iss: 'https://idms.elsewhere.example' })), 'invalid_issuer'],
      [push(await set({ events }, undefined, 'JWT')), 'authentication_failed'],
      [push(await set({ events: { [TOKEN_REVOKED_EVENT]: { jti } } })), 'invalid_request'],
      [push(await set({ events }), 'application/json'), 'invalid_request'],
    ];
    for (const [response, err] of cases) {
      const res = await response;
      expect([res.status, ((await res.json()) as { err: string }).err]).toEqual([400, err]);
    }
    expect(await refusal(token)).toBe('accepted');
  });
});

describe('revocation transmitter outbox', () => {
  let db: Database;
  let partner: Server;
  let partnerUrl: string;
  const received: string[] = [];
  let answers: number[] = [];
  const signing = generateKeyPair('RS256', { extractable: true }).then(async (p) => ({ ...(await exportJWK(p.privateKey)), kid: 'k1' }));

  beforeAll(async () => {
    db = await openTestDatabase();
    partner = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.statusCode = answers.shift() ?? 202;
        res.end();
      });
    });
    await new Promise<void>((r) => partner.listen(0, '127.0.0.1', r));
    partnerUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    partner?.closeAllConnections();
    await new Promise((r) => partner?.close(r));
    await db?.close();
  });

  async function transmitter(store: OidcPayloadStore) {
    const config = parseIdmsConfig({ systemId: 'mcx-a', adminToken: 'admin-token-x', audiences: { cms: 'c', gms: 'g', mcs: 'm' }, partners: [{ systemId: 'mcx-b', issuer: partnerUrl }] });
    const jwk = await signing;
    return revocationTransmitter({ issuer: 'https://idms-a.example', config: () => config, store, signingKey: () => jwk, signingAlg: 'RS256', logger: pino({ level: 'silent' }) });
  }

  async function until(done: () => boolean | Promise<boolean>): Promise<void> {
    while (!(await done())) await new Promise((r) => setTimeout(r, 50));
  }

  it('keeps a push the partner refused in the outbox and retries it until accepted', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'idms');
    const t = await transmitter(store);
    answers = [503];
    received.length = 0;
    const exp = Math.floor(Date.now() / 1000) + 120;
    await t.push({ jti: 'retry-1', audience: partnerUrl, exp });
    expect(received).toHaveLength(1);
    expect(await db.prisma.oidcPayload.count({ where: { kind: PUSH_KIND } })).toBe(1);
    await until(async () => (await db.prisma.oidcPayload.count({ where: { kind: PUSH_KIND } })) === 0);
    expect(received).toHaveLength(2);
    const claims = decodeJwt(received[1]!);
    expect(claims).toMatchObject({ iss: 'https://idms-a.example', aud: partnerUrl, events: { [TOKEN_REVOKED_EVENT]: { jti: 'retry-1', exp } } });
    t.close();
  });

  it('resumes after a restart the pushes recorded before it', async () => {
    const first = await transmitter(await OidcPayloadStore.load(db.prisma, 'idms'));
    first.close(); // stopped: the first attempt is recorded, then nothing more
    answers = [503];
    received.length = 0;
    const exp = Math.floor(Date.now() / 1000) + 120;
    await first.push({ jti: 'restart-1', audience: partnerUrl, exp });
    expect(await db.prisma.oidcPayload.count({ where: { kind: PUSH_KIND } })).toBe(1);
    const again = await transmitter(await OidcPayloadStore.load(db.prisma, 'idms'));
    again.resume();
    await until(async () => (await db.prisma.oidcPayload.count({ where: { kind: PUSH_KIND } })) === 0);
    expect(decodeJwt(received.at(-1)!)).toMatchObject({ events: { [TOKEN_REVOKED_EVENT]: { jti: 'restart-1', exp } } });
    again.close();
  });
});
