// The discovery document (OpenID Connect Discovery 1.0 clause 3, RFC 8414 clause 2) advertises
// what an MC client uses, read with a third-party client (openid-client 6): the authorization
// code flow with PKCE (TS 33.180 annex B), no implicit grant, and the scopes actually granted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import { decodeJwt } from 'jose';
import { loginWithPkce, MC_SCOPES } from '@mcx/auth';
import { startEcosystem, PASSWORD, REDIRECT_URI, UE_CLIENT, type Ecosystem } from './ecosystem.ts';

let eco: Ecosystem;
let metadata: oidc.ServerMetadata;

beforeAll(async () => {
  eco = await startEcosystem();
  // The lab IdMS listens on plain http (loopback): openid-client must be told to allow it.
  const config = await oidc.discovery(
    new URL(eco.a.issuer),
    UE_CLIENT,
    { token_endpoint_auth_method: 'none' },
    oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
  metadata = config.serverMetadata();
});
afterAll(async () => {
  await eco?.close();
});

describe('discovery advertises what an MC client uses, nothing more', () => {
  it('offers the code response type only, and no implicit grant', () => {
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.grant_types_supported).toEqual([
      'authorization_code',
      'refresh_token',
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ]);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('lists openid, offline_access and the MC scopes of the MCPTT, MCVideo and MCData servers', () => {
    const mc = [
      MC_SCOPES.pttService,
      MC_SCOPES.videoService,
      MC_SCOPES.dataService,
      MC_SCOPES.pttConfigManagement,
      MC_SCOPES.videoConfigManagement,
      MC_SCOPES.dataConfigManagement,
      MC_SCOPES.pttGroupManagement,
      MC_SCOPES.videoGroupManagement,
      MC_SCOPES.dataGroupManagement,
    ];
    expect([...(metadata.scopes_supported ?? [])].sort()).toEqual(['offline_access', 'openid', ...mc].sort());
  });

  it('a user requesting every advertised scope is granted the MC scopes of the services it is entitled to', async () => {
    const scope = (metadata.scopes_supported ?? []).join(' ');
    const tokens = await loginWithPkce({
      issuer: eco.a.issuer,
      clientId: UE_CLIENT,
      redirectUri: REDIRECT_URI,
      username: 'alice',
      password: PASSWORD,
      scope,
    });
    const granted = String(decodeJwt(tokens.accessToken)['scope']).split(' ');
    // alice is entitled to MCPTT and MCData, not MCVideo.
    expect(granted.sort()).toEqual(
      [
        MC_SCOPES.pttService,
        MC_SCOPES.dataService,
        MC_SCOPES.pttConfigManagement,
        MC_SCOPES.dataConfigManagement,
        MC_SCOPES.pttGroupManagement,
        MC_SCOPES.dataGroupManagement,
      ].sort(),
    );
    expect(tokens.refreshToken).toBeDefined();
  });

  it('refuses an implicit authorization request (response_type=id_token)', async () => {
    const url = new URL(metadata.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: UE_CLIENT,
      redirect_uri: REDIRECT_URI,
      response_type: 'id_token',
      scope: 'openid',
      nonce: 'n',
      state: 's',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? 'http://invalid/');
    const error =
      location.searchParams.get('error') ?? new URLSearchParams(location.hash.slice(1)).get('error');
    expect(error).toBe('unsupported_response_type');
  });
});
