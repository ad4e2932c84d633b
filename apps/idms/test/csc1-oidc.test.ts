import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { createTokenVerifier, discoverIdms, loginWithPkce, LoginError, MC_SCOPES, refreshForResource } from '@mcx/auth';
import { startEcosystem, PASSWORD, REDIRECT_URI, UE_CLIENT, type Ecosystem } from './ecosystem.ts';
import { mcServicesResource } from '../src/index.ts';

// CSC-1 (TS 24.482, TS 33.180 annex B) exercised with a real OIDC client library (openid-client 6).
let eco: Ecosystem;
beforeAll(async () => {
  eco = await startEcosystem();
});
afterAll(async () => {
  await eco?.close();
});

const login = (username: string, extra: Partial<Parameters<typeof loginWithPkce>[0]> = {}) =>
  loginWithPkce({ issuer: eco.a.issuer, clientId: UE_CLIENT, redirectUri: REDIRECT_URI, username, password: PASSWORD, ...extra });

describe('discovery', () => {
  it('publishes the OpenID provider metadata with PKCE S256 and the token exchange grant', async () => {
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    const md = config.serverMetadata();
    expect(md.issuer).toBe(eco.a.issuer);
    expect(md.authorization_endpoint).toBe(`${eco.a.issuer}/auth`);
    expect(md.token_endpoint).toBe(`${eco.a.issuer}/token`);
    expect(md.jwks_uri).toBe(`${eco.a.issuer}/jwks`);
    expect(md.code_challenge_methods_supported).toEqual(['S256']);
    expect(md.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(md.revocation_endpoint).toBeDefined();
    expect(md.introspection_endpoint).toBeDefined();
  });
});

describe('authorization code flow with PKCE (RFC 7636) for the UE', () => {
  it('logs in through the login page and returns ID, access and refresh tokens', async () => {
    const tokens = await login('alice');
    expect(tokens.idToken).toBeDefined();
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.tokenType.toLowerCase()).toBe('bearer');
  });

  it('puts mcptt_id (and mcdata_id for an entitled account) in the ID token (TS 33.180 B.1)', async () => {
    const tokens = await login('alice');
    const id = decodeJwt(tokens.idToken!);
    expect(id.iss).toBe(eco.a.issuer);
    expect(id.aud).toBe(UE_CLIENT);
    expect(id['mcptt_id']).toBe('sip:alice@mcx-a.example');
    expect(id['mcdata_id']).toBe('sip:alice.data@mcx-a.example');
    expect(id['mcvideo_id']).toBeUndefined();
  });

  it('issues a signed JWT access token (RFC 9068) whose audience is the MC resource servers and whose claims carry the MC IDs and scopes', async () => {
    const tokens = await login('alice');
    expect(decodeProtectedHeader(tokens.accessToken).typ).toBe('at+jwt');
    const jwks = createRemoteJWKSet(new URL(`${eco.a.issuer}/jwks`));
    const { payload } = await jwtVerify(tokens.accessToken, jwks, { issuer: eco.a.issuer, typ: 'at+jwt' });
    expect(payload.aud).toEqual(Object.values(eco.audiences['mcx-a']));
    expect(payload['client_id']).toBe(UE_CLIENT);
    expect(payload['mcptt_id']).toBe('sip:alice@mcx-a.example');
    expect(String(payload['scope']).split(' ').sort()).toEqual(
      [MC_SCOPES.pttService, MC_SCOPES.pttConfigManagement, MC_SCOPES.pttGroupManagement].sort(),
    );
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('gives one token per resource server (RFC 8707): the code for the CMS, the refresh token for the GMS', async () => {
    const aud = eco.audiences['mcx-a'];
    const tokens = await login('alice', { resource: [aud.cms, aud.gms, aud.mcs] });
    const cms = createTokenVerifier({ issuer: eco.a.issuer, audience: aud.cms, requiredScopes: [MC_SCOPES.pttConfigManagement] });
    const cmsToken = await cms.verify(tokens.accessToken);
    expect(cmsToken.audience).toEqual([aud.cms]);
    expect(cmsToken.rawScope).toBe(MC_SCOPES.pttConfigManagement);

    const gmsTokens = await refreshForResource({ issuer: eco.a.issuer, clientId: UE_CLIENT, refreshToken: tokens.refreshToken!, resource: aud.gms });
    const gms = createTokenVerifier({ issuer: eco.a.issuer, audience: aud.gms, requiredScopes: [MC_SCOPES.pttGroupManagement] });
    expect((await gms.verify(gmsTokens.accessToken)).mcpttId).toBe('sip:alice@mcx-a.example');
    await expect(cms.verify(gmsTokens.accessToken)).rejects.toMatchObject({ code: 'wrong-audience' });
  });

  it('refreshes with openid-client and keeps the claims', async () => {
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    const tokens = await login('alice', { configuration: config });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refreshToken!);
    const claims = refreshed.claims();
    expect(claims?.['mcptt_id']).toBe('sip:alice@mcx-a.example');
    const at = decodeJwt(refreshed.access_token);
    expect(at.aud).toEqual(Object.values(eco.audiences['mcx-a']));
    expect(at['mcptt_id']).toBe('sip:alice@mcx-a.example');
  });

  it('accepts the legacy Rel-13 scope names as aliases', async () => {
    const tokens = await login('alice', { scope: 'openid 3gpp:mcptt:ptt_server 3gpp:mcptt:config_management_server' });
    const verifier = createTokenVerifier({ issuer: eco.a.issuer, audience: eco.audiences['mcx-a'].cms, requiredScopes: [MC_SCOPES.pttConfigManagement] });
    const token = await verifier.verify(tokens.accessToken);
    expect(token.rawScope.split(' ').sort()).toEqual(['3gpp:mcptt:config_management_server', '3gpp:mcptt:ptt_server']);
  });

  it('refuses a wrong password and an unknown user at the login page', async () => {
    await expect(login('alice', { password: 'wrong' })).rejects.toBeInstanceOf(LoginError);
    await expect(login('mallory')).rejects.toThrow(/login refused/);
  });

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(`${eco.a.issuer}/auth`);
    url.search = new URLSearchParams({ client_id: UE_CLIENT, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', state: 'x' }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a redirect_uri that is not pre-registered', async () => {
    await expect(login('alice', { redirectUri: 'http://127.0.0.1/evil' })).rejects.toThrow(/HTTP 400/);
  });

  it('revokes a refresh token (RFC 7009): it cannot be used again', async () => {
    const config = await discoverIdms(eco.a.issuer, UE_CLIENT);
    const tokens = await login('alice', { configuration: config });
    await oidc.tokenRevocation(config, tokens.refreshToken!);
    await expect(oidc.refreshTokenGrant(config, tokens.refreshToken!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('scope entitlement: MC scopes only for entitled accounts', () => {
  it('never grants MC scopes to an account without MCPTT entitlement', async () => {
    const tokens = await login('bob');
    const at = decodeJwt(tokens.accessToken);
    expect(at['scope']).toBeUndefined();
    expect(at['mcptt_id']).toBeUndefined();
    expect(decodeJwt(tokens.idToken!)['mcptt_id']).toBeUndefined();
    const refreshed = await refreshForResource({ issuer: eco.a.issuer, clientId: UE_CLIENT, refreshToken: tokens.refreshToken!, resource: eco.audiences['mcx-a'].cms });
    expect(decodeJwt(refreshed.accessToken)['scope']).toBeUndefined();
    const verifier = createTokenVerifier({ issuer: eco.a.issuer, audience: eco.audiences['mcx-a'].mcs, requiredScopes: [MC_SCOPES.pttService] });
    await expect(verifier.verify(tokens.accessToken)).rejects.toMatchObject({ code: 'insufficient-scope' });
  });

  it('grants only the services an account is entitled to (no MCVideo scope for an MCPTT user)', async () => {
    const tokens = await login('alice', { scope: `openid ${MC_SCOPES.pttService} ${MC_SCOPES.videoService} ${MC_SCOPES.dataService}` });
    expect(String(decodeJwt(tokens.accessToken)['scope']).split(' ').sort()).toEqual([MC_SCOPES.dataService, MC_SCOPES.pttService]);
  });
});

describe('keys', () => {
  it('persists the signing key and keeps the old public key in the JWKS after rotation', async () => {
    const before = await login('alice');
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const rows = await eco.dbA.prisma.signingKey.findMany({ where: { server: 'idms' } });
    expect(rows.map((r) => r.kid)).toContain(oldKid);

    await eco.a.rotateSigningKey();
    const after = await login('alice');
    const newKid = decodeProtectedHeader(after.accessToken).kid;
    expect(newKid).not.toBe(oldKid);
    const jwks = (await (await fetch(`${eco.a.issuer}/jwks`)).json()) as { keys: { kid: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, newKid]));
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    // A token signed before the rotation still verifies at a resource server.
    const verifier = createTokenVerifier({ issuer: eco.a.issuer, audience: eco.audiences['mcx-a'].cms });
    await expect(verifier.verify(before.accessToken)).resolves.toMatchObject({ mcpttId: 'sip:alice@mcx-a.example' });
    await expect(verifier.verify(after.accessToken)).resolves.toMatchObject({ mcpttId: 'sip:alice@mcx-a.example' });
  });

  it('uses the all-MC-services resource identifier of the system by default', () => {
    expect(mcServicesResource({ systemId: 'mcx-a' })).toBe('urn:mcx:mcx-a:mc-services');
  });
});
