// The UserInfo endpoint (OpenID Connect Core 1.0 clause 5.3) answers the access token the UE gets
// from its normal code + PKCE login, exercised with a third-party OIDC client (openid-client 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { exchangeForPartnerIdms, loginWithPkce } from '@mcx/auth';
import { startEcosystem, PASSWORD, REDIRECT_URI, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

let eco: Ecosystem;
let config: oidc.Configuration;

beforeAll(async () => {
  eco = await startEcosystem();
  // The lab IdMS listens on plain http (loopback): openid-client must be told to allow it.
  config = await oidc.discovery(
    new URL(eco.a.issuer),
    UE_CLIENT,
    { token_endpoint_auth_method: 'none' },
    oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
});
afterAll(async () => {
  await eco?.close();
});

/** The RFC 6750 clause 3.1 refusal as openid-client reports it: 401 with a Bearer challenge naming invalid_token. */
const INVALID_TOKEN = {
  status: 401,
  cause: [
    expect.objectContaining({
      scheme: 'bearer',
      parameters: expect.objectContaining({ error: 'invalid_token' }),
    }),
  ],
};

const login = (username: string) =>
  loginWithPkce({
    issuer: eco.a.issuer,
    clientId: UE_CLIENT,
    redirectUri: REDIRECT_URI,
    username,
    password: PASSWORD,
    configuration: config,
  });

describe('userinfo for the UE access token', () => {
  it('discovery advertises the userinfo endpoint and it answers sub and the MC service IDs for the login access token', async () => {
    expect(config.serverMetadata().userinfo_endpoint).toBe(`${eco.a.issuer}/me`);
    const tokens = await login('alice');
    const sub = decodeJwt(tokens.idToken!).sub!;
    const info = await oidc.fetchUserInfo(config, tokens.accessToken, sub);
    expect(info.sub).toBe(sub);
    expect(info['mcptt_id']).toBe('sip:alice@mcx-a.example');
    expect(info['mcdata_id']).toBe('sip:alice.data@mcx-a.example');
  });

  it('answers the account of the token, without MC service IDs for an account entitled to none', async () => {
    const tokens = await login('bob');
    const sub = decodeJwt(tokens.idToken!).sub!;
    const info = await oidc.fetchUserInfo(config, tokens.accessToken, sub);
    expect(info.sub).toBe(sub);
    expect(info['mcptt_id']).toBeUndefined();
  });

  it('refuses a revoked access token with 401 invalid_token (RFC 6750 clause 3.1)', async () => {
    const tokens = await login('carol');
    const sub = decodeJwt(tokens.idToken!).sub!;
    await oidc.tokenRevocation(config, tokens.accessToken);
    await expect(oidc.fetchUserInfo(config, tokens.accessToken, sub)).rejects.toMatchObject(INVALID_TOKEN);
  });

  it('refuses a migration token, whose audience is the partner IdMS, not this system', async () => {
    const tokens = await login('alice');
    const migration = await exchangeForPartnerIdms({ issuer: eco.a.issuer, clientId: UE_CLIENT, subjectToken: tokens.accessToken, partnerIssuer: eco.b.issuer });
    const sub = decodeJwt(tokens.idToken!).sub!;
    await expect(oidc.fetchUserInfo(config, migration.accessToken, sub)).rejects.toMatchObject(INVALID_TOKEN);
  });
});
