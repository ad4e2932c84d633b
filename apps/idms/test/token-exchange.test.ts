import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { openDatabase, type Database } from '@mcx/db';
import { createTokenVerifier, discoverIdms, exchangeForPartnerIdms, exchangeToken, loginWithPkce, MC_SCOPES, refreshForResource, type McTokens } from '@mcx/auth';
import { authorizeMigration, startIdms, upsertAccount, type IdmsHandle } from '../src/index.ts';
import { LEGACY_CLIENT, PASSWORD, REDIRECT_URI, startEcosystem, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

// Migration authentication (TS 24.484 clause 4.2.2.1.2.1) as RFC 8693 token exchange:
// the partner IdMS (mcx-b) accepts the security token obtained from the primary IdMS (mcx-a).
let eco: Ecosystem;
beforeAll(async () => {
  eco = await startEcosystem();
});
afterAll(async () => {
  await eco?.close();
});

async function primaryLogin(username: string): Promise<McTokens> {
  return loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username, password: PASSWORD });
}

/**
 * The UE asks its primary IdMS for a token whose audience is the partner IdMS (the migration
 * token): token exchange of its primary access token (TS 33.180 annex B.7).
 */
async function migrationToken(username = 'alice'): Promise<{ login: McTokens; token: string }> {
  const login = await primaryLogin(username);
  const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
  return { login, token: m.accessToken };
}

/** The error code of a refused token exchange at the primary IdMS (mcx-a). */
async function primaryRefusal(subjectToken: string, partnerIssuer = eco.b.issuer): Promise<string> {
  try {
    await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken, partnerIssuer });
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
  throw new Error('exchange unexpectedly accepted');
}

async function refusal(subjectToken: string, extra: { clientId?: string; resource?: string; scope?: string } = {}): Promise<string> {
  try {
    await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: extra.clientId ?? UE_CLIENT, subjectToken, ...extra });
  } catch (err) {
    return (err as { error?: string }).error ?? String(err);
  }
  throw new Error('exchange unexpectedly accepted');
}

async function primarySigningKey(): Promise<{ key: Awaited<ReturnType<typeof importJWK>>; kid: string }> {
  const row = await eco.dbA.prisma.signingKey.findFirstOrThrow({ where: { status: 'active' } });
  return { key: await importJWK(JSON.parse(row.privateJwk) as JWK, row.alg), kid: row.kid };
}

describe('token exchange at the primary IdMS for a partner IdMS (TS 33.180 B.7, RFC 8693)', () => {
  it('takes the signature of the subject token as checked when a resource server of this process checked it against the advertised jwks_uri', async () => {
    const configA = await discoverIdms(eco.a.issuer, UE_CLIENT);
    expect(configA.serverMetadata().jwks_uri).toBe(new URL('/jwks', eco.a.issuer).href);
    const login = await primaryLogin('alice');
    // A's CMS (discovery → jwks_uri) verifies the access token first, as in a migration.
    const cms = createTokenVerifier({ issuer: eco.a.issuer, audience: decodeJwt(login.accessToken).aud as string[] });
    await cms.verify(login.accessToken);
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    try {
      const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
      expect(decodeJwt(m.accessToken).aud).toBe(eco.b.issuer);
      expect(signatures).not.toHaveBeenCalled();
    } finally {
      signatures.mockRestore();
    }
    // Its checks still apply: a token forged with another key is refused.
    const forged = await new SignJWT({ ...decodeJwt(login.accessToken), jti: 'forged-shared' })
      .setProtectedHeader(decodeProtectedHeader(login.accessToken) as { alg: string })
      .sign((await generateKeyPair('RS256')).privateKey);
    expect(await primaryRefusal(forged)).toBe('invalid_grant');
  });

  it('issues a token for the partner IdMS: aud = the partner issuer, the MC IDs, the primary scopes', async () => {
    const login = await primaryLogin('alice');
    const m = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
    expect(m.issuedTokenType).toBe('urn:ietf:params:oauth:token-type:access_token');
    // RFC 8693 clause 2.2.1: the issued token only; no ID token nobody reads (one signature).
    expect(m.idToken).toBeUndefined();
    const claims = decodeJwt(m.accessToken);
    expect(claims.iss).toBe(eco.a.issuer);
    expect(claims.aud).toBe(eco.b.issuer);
    expect(claims.sub).toBe(decodeJwt(login.accessToken).sub);
    expect(claims['mcptt_id']).toBe('sip:alice@mcx-a.example');
    expect(claims['mcdata_id']).toBe('sip:alice.data@mcx-a.example');
    expect(String(claims['scope']).split(' ')).toContain(MC_SCOPES.pttConfigManagement);
    // ... which the partner leg at mcx-b accepts.
    const partner = await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken });
    // TS 23.280 10.16.5: mcx-b assigns alice an MCPTT ID of its own (default sip:<user>.<home>@<domain>); the primary one travels alongside.
    expect(decodeJwt(partner.accessToken)).toMatchObject({ iss: eco.b.issuer, mcptt_id: 'sip:alice.mcx-a@mcx-b.example.net', mc_primary_mcptt_id: 'sip:alice@mcx-a.example', mc_home_system: 'mcx-a' });
  });

  it('refuses a subject token of another issuer (invalid_grant)', async () => {
    // A token of mcx-b presented at mcx-a.
    await authorizeMigration(eco.dbA, { partnerSystemId: 'mcx-a', homeSystemId: 'mcx-b', mcpttId: 'sip:alice@mcx-a.example' });
    const { token } = await migrationToken();
    const atB = await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: token });
    expect(await primaryRefusal(atB.accessToken, eco.b.issuer)).toBe('invalid_grant');
    // A token naming mcx-a as issuer, signed with another key.
    const login = await primaryLogin('alice');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(login.accessToken)).setProtectedHeader({ ...decodeProtectedHeader(login.accessToken), alg: 'RS256' }).sign(privateKey);
    expect(await primaryRefusal(forged)).toBe('invalid_grant');
  });

  it('refuses an audience that is not a partner IdMS (invalid_target)', async () => {
    const login = await primaryLogin('alice');
    expect(await primaryRefusal(login.accessToken, eco.audiences['mcx-a'].cms)).toBe('invalid_target');
    expect(await primaryRefusal(login.accessToken, 'https://idms.elsewhere.example')).toBe('invalid_target');
    expect(await primaryRefusal(login.accessToken, eco.a.issuer)).toBe('invalid_target');
  });

  it('refuses an expired, a revoked, and a token whose grant was revoked (invalid_grant)', async () => {
    const login = await primaryLogin('alice');
    const { key, kid } = await primarySigningKey();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...decodeJwt(login.accessToken), iat: now - 600, exp: now - 300 })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
      .sign(key);
    expect(await primaryRefusal(expired)).toBe('invalid_grant');

    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    await oidc.tokenRevocation(config, login.accessToken, { token_type_hint: 'access_token' });
    expect(await primaryRefusal(login.accessToken)).toBe('invalid_grant');

    const other = await primaryLogin('alice');
    await expect(exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: other.accessToken, partnerIssuer: eco.b.issuer })).resolves.toBeDefined();
    await oidc.tokenRevocation(config, other.refreshToken!);
    expect(await primaryRefusal(other.accessToken)).toBe('invalid_grant');
  });

  it('refuses a token for a partner IdMS as subject token (invalid_grant)', async () => {
    const { token } = await migrationToken();
    expect(await primaryRefusal(token)).toBe('invalid_grant');
  });

  it('still issues the token for the partner IdMS on refresh with resource = the partner issuer (legacy path)', async () => {
    const login = await primaryLogin('alice');
    const m = await refreshForResource({ issuer: eco.a.issuer, clientId: UE_CLIENT, refreshToken: login.refreshToken!, resource: eco.b.issuer });
    expect(decodeJwt(m.accessToken)).toMatchObject({ iss: eco.a.issuer, aud: eco.b.issuer, mcptt_id: 'sip:alice@mcx-a.example' });
    await expect(exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: m.accessToken })).resolves.toBeDefined();
  });
});

describe('token exchange at the partner IdMS (RFC 8693)', () => {
  it('accepts a valid primary token of an authorized migrating user and issues a partner token', async () => {
    const { token } = await migrationToken();
    expect(decodeJwt(token).aud).toBe(eco.b.issuer);
    const partner = await exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: token });
    expect(partner.issuedTokenType).toBe('urn:ietf:params:oauth:token-type:access_token');
    // TS 24.484 clause 4.2.2.1.2.1: the UE uses the partner access token (its mcptt_id); no ID token.
    expect(partner.idToken).toBeUndefined();
    const cmsB = createTokenVerifier({ issuer: eco.b.issuer, audience: eco.audiences['mcx-b'].cms, requiredScopes: [MC_SCOPES.pttConfigManagement] });
    const at = await cmsB.verify(partner.accessToken);
    expect(at.issuer).toBe(eco.b.issuer);
    expect([at.mcpttId, at.claims['mc_primary_mcptt_id']]).toEqual(['sip:alice.mcx-a@mcx-b.example.net', 'sip:alice@mcx-a.example']);
    expect(at.claims['mc_home_system']).toBe('mcx-a');
    expect(at.audience).toEqual(Object.values(eco.audiences['mcx-b']));
  });

  it('issues a partner token for one resource server with the requested scopes ∩ the primary grant', async () => {
    const { token } = await migrationToken();
    const partner = await exchangeToken({
      partnerIssuer: eco.b.issuer,
      clientId: UE_CLIENT,
      subjectToken: token,
      resource: eco.audiences['mcx-b'].mcs,
      scope: MC_SCOPES.pttService,
    });
    const at = decodeJwt(partner.accessToken);
    expect(at.aud).toBe(eco.audiences['mcx-b'].mcs);
    expect(at['scope']).toBe(MC_SCOPES.pttService);
    // A scope the primary did not grant is not added by the partner.
    expect(await refusal(token, { scope: MC_SCOPES.videoService })).toBe('invalid_scope');
  });

  it('refuses an expired primary token (invalid_grant)', async () => {
    const { token } = await migrationToken();
    const claims = decodeJwt(token);
    const { key, kid } = await primarySigningKey();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ ...claims, iat: now - 600, exp: now - 300 })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
      .sign(key);
    expect(await refusal(expired)).toBe('invalid_grant');
  });

  it('refuses a token from an untrusted issuer (invalid_grant)', async () => {
    // A third, real IdMS that names mcx-b as its partner; mcx-b does not trust it.
    const dir = mkdtempSync(join(tmpdir(), 'mcx-idms-c-'));
    let db: Database | undefined;
    let c: IdmsHandle | undefined;
    try {
      db = await openDatabase({ dataDir: dir, name: 'mcx-c-idms' });
      c = await startIdms(
        {
          systemId: 'mcx-c',
          audiences: { cms: 'http://127.0.0.1:1/cms-c', gms: 'http://127.0.0.1:1/gms-c', mcs: 'sip:mcptt-server@mcx-c.example.net' },
          clients: [{ client_id: UE_CLIENT, redirect_uris: [REDIRECT_URI] }],
          partners: [{ systemId: 'mcx-b', issuer: eco.b.issuer }],
          adminToken: 'mcx-c-admin-token',
          scryptCost: 1024,
        },
        { db },
      );
      await upsertAccount(db, { username: 'alice', password: PASSWORD, mcpttId: 'sip:alice@mcx-a.example', entitlements: ['mcptt'], scryptCost: 1024 });
      const login = await loginWithPkce({ issuer: c.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username: 'alice', password: PASSWORD });
      const m = await exchangeForPartnerIdms({ issuer: c.issuer, clientId: UE_CLIENT, subjectToken: login.accessToken, partnerIssuer: eco.b.issuer });
      expect(decodeJwt(m.accessToken).aud).toBe(eco.b.issuer);
      expect(await refusal(m.accessToken)).toBe('invalid_grant');
    } finally {
      await c?.close();
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a forged signature and a tampered payload (invalid_grant)', async () => {
    const { token } = await migrationToken();
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT(decodeJwt(token))
      .setProtectedHeader({ ...decodeProtectedHeader(token), alg: 'RS256' })
      .sign(privateKey);
    expect(await refusal(forged)).toBe('invalid_grant');
    const [h, , s] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ ...decodeJwt(token), mcptt_id: 'sip:carol@mcx-a.example' })).toString('base64url');
    expect(await refusal(`${h}.${payload}.${s}`)).toBe('invalid_grant');
  });

  it('refuses a user who is not authorized to migrate to this system (invalid_grant)', async () => {
    const { token } = await migrationToken('carol');
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('refuses a user whose migration authorization was revoked (invalid_grant)', async () => {
    await authorizeMigration(eco.dbB, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: 'sip:carol@mcx-a.example' });
    const { token } = await migrationToken('carol');
    await expect(exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: token })).resolves.toBeDefined();
    await authorizeMigration(eco.dbB, { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: 'sip:carol@mcx-a.example', status: 'revoked' });
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('refuses a primary token with the wrong audience, e.g. the primary CMS token (invalid_grant)', async () => {
    const login = await primaryLogin('alice');
    expect(decodeJwt(login.accessToken).aud).toEqual(Object.values(eco.audiences['mcx-a']));
    expect(await refusal(login.accessToken)).toBe('invalid_grant');
    // ... and the ID token (aud = client_id, not an access token).
    expect(await refusal(login.idToken!)).toBe('invalid_grant');
  });

  it('refuses a replayed token that was revoked at the primary IdMS (RFC 7009; the revocation pushed to the partner, RFC 8935)', async () => {
    const { token } = await migrationToken();
    await expect(exchangeToken({ partnerIssuer: eco.b.issuer, clientId: UE_CLIENT, subjectToken: token })).resolves.toBeDefined();
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    await oidc.tokenRevocation(config, token, { token_type_hint: 'access_token' });
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('refuses a migration token whose grant was revoked at the primary (refresh token revoked)', async () => {
    const { login, token } = await migrationToken();
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    await oidc.tokenRevocation(config, login.refreshToken!);
    expect(await refusal(token)).toBe('invalid_grant');
  });

  it('refuses a client not registered for token exchange (unauthorized_client)', async () => {
    const { token } = await migrationToken();
    expect(await refusal(token, { clientId: LEGACY_CLIENT })).toBe('unauthorized_client');
  });

  it('refuses a target that is not a resource server of this system (invalid_target) and a bad request (invalid_request)', async () => {
    const { token } = await migrationToken();
    expect(await refusal(token, { resource: 'urn:mcx:elsewhere:cms' })).toBe('invalid_target');
    expect(await refusal(token, { resource: eco.a.issuer })).toBe('invalid_target');
    const res = await fetch(`${eco.b.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', client_id: UE_CLIENT, subject_token: token }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('lets a partner introspect the migration token at the primary; other clients and public clients cannot', async () => {
    const { token } = await migrationToken();
    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const introspect = (authorization: string) =>
      fetch(`${eco.a.issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }),
      });
    const ok = await introspect(basic('idms-mcx-b', eco.introspectionSecretOfB));
    expect(await ok.json()).toMatchObject({ active: true, aud: eco.b.issuer, mcptt_id: 'sip:alice@mcx-a.example' });
    expect((await introspect(basic('idms-mcx-b', 'wrong-secret-value'))).status).toBe(401);
  });
});
