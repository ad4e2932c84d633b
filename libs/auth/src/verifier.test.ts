import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { createTokenVerifier, MC_SCOPES, requireAccessToken, TokenError, type McAccessToken } from './index.ts';

// A resource server (CMS, GMS, MCS) checks MC access tokens (TS 33.180 annex B.5, RFC 9068).
// A real JWKS served over HTTP on 127.0.0.1 stands in for the IdMS keys.
type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let server: Server;
let issuer: string;
let signingKey: Key;
let otherKey: Key;
const KID = 'k1';
const AUD = 'urn:mcx:mcx-a:cms';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const app = express();
  app.get('/.well-known/openid-configuration', (_req, res) => res.json({ issuer, jwks_uri: `${issuer}/jwks` }));
  app.get('/jwks', (_req, res) => res.json({ keys: [jwk] }));
  server = createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // An XCAP-like resource behind the middleware.
  const verifier = createTokenVerifier({ issuer, audience: AUD, requiredScopes: [MC_SCOPES.pttConfigManagement] });
  app.get('/xcap-root/resource', requireAccessToken(verifier, { realm: 'cms' }), (req, res) => {
    res.json({ mcpttId: (req as unknown as { mcxPrincipal: McAccessToken }).mcxPrincipal.mcpttId });
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function sign(claims: JWTPayload, options: { key?: Key; typ?: string; kid?: string } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: issuer, aud: AUD, sub: 'acc-1', iat: now, exp: now + 300, client_id: 'mcx-ue', mcptt_id: 'sip:alice@mcx-a.example', scope: MC_SCOPES.pttConfigManagement, ...claims })
    .setProtectedHeader({ alg: 'RS256', typ: options.typ ?? 'at+jwt', kid: options.kid ?? KID })
    .sign(options.key ?? signingKey);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TokenError) return err.code;
    throw err;
  }
  return 'accepted';
}

describe('createTokenVerifier', () => {
  it('accepts a valid token (JWKS located through discovery) and exposes the MC IDs and scopes', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, requiredScopes: [MC_SCOPES.pttConfigManagement] });
    const t = await v.verify(await sign({ mcdata_id: 'sip:alice.data@mcx-a.example' }));
    expect(t.mcpttId).toBe('sip:alice@mcx-a.example');
    expect(t.mcdataId).toBe('sip:alice.data@mcx-a.example');
    expect(t.clientId).toBe('mcx-ue');
    expect(t.scopes.has(MC_SCOPES.pttConfigManagement)).toBe(true);
  });

  it('accepts an audience array containing this resource server', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks` });
    await expect(v.verify(await sign({ aud: ['urn:mcx:mcx-a:gms', AUD] }))).resolves.toBeDefined();
  });

  it('refuses with a typed error code', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, requiredScopes: [MC_SCOPES.pttConfigManagement], clockTolerance: 0 });
    const now = Math.floor(Date.now() / 1000);
    expect(await codeOf(v.verify(undefined))).toBe('missing');
    expect(await codeOf(v.verify('not.a.jwt'))).toBe('malformed');
    expect(await codeOf(v.verify(await sign({ iat: now - 600, exp: now - 60 })))).toBe('expired');
    expect(await codeOf(v.verify(await sign({ iss: 'http://127.0.0.1:1' })))).toBe('wrong-issuer');
    expect(await codeOf(v.verify(await sign({ aud: 'urn:mcx:mcx-a:gms' })))).toBe('wrong-audience');
    expect(await codeOf(v.verify(await sign({}, { key: otherKey })))).toBe('bad-signature');
    expect(await codeOf(v.verify(await sign({}, { key: otherKey, kid: 'unknown' })))).toBe('unknown-key');
    expect(await codeOf(v.verify(await sign({}, { typ: 'JWT' })))).toBe('wrong-type');
    expect(await codeOf(v.verify(await sign({ scope: MC_SCOPES.pttService })))).toBe('insufficient-scope');
  });

  it('refuses a token that is not a JWT (e.g. an admin credential) as invalid_token 401 (RFC 6750 clause 3.1)', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD });
    const err = (await v.verify('opaque-admin-secret_0123456789').catch((e: unknown) => e)) as TokenError;
    expect([err.code, err.status, err.bearerError]).toEqual(['malformed', 401, 'invalid_token']);
    expect(err.challenge('cms')).toMatch(/^Bearer realm="cms", error="invalid_token"/);
  });

  it('treats a legacy Rel-13 scope as its current name', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, requiredScopes: [MC_SCOPES.pttConfigManagement] });
    await expect(v.verify(await sign({ scope: '3gpp:mcptt:config_management_server' }))).resolves.toBeDefined();
  });

  it('reports an unreachable issuer as jwks-unavailable', async () => {
    const v = createTokenVerifier({ issuer: 'http://127.0.0.1:1', audience: AUD });
    expect(await codeOf(v.verify(await sign({ iss: 'http://127.0.0.1:1' })))).toBe('jwks-unavailable');
  });
});

describe('requireAccessToken (RFC 6750)', () => {
  it('lets a valid bearer token through with the principal', async () => {
    const res = await fetch(`${issuer}/xcap-root/resource`, { headers: { authorization: `Bearer ${await sign({})}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ mcpttId: 'sip:alice@mcx-a.example' });
  });

  it('answers 401 with a Bearer challenge without a token or with a bad one, 403 for a missing scope', async () => {
    const none = await fetch(`${issuer}/xcap-root/resource`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="cms"');
    const bad = await fetch(`${issuer}/xcap-root/resource`, { headers: { authorization: `Bearer ${await sign({ aud: 'x' })}` } });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const scope = await fetch(`${issuer}/xcap-root/resource`, { headers: { authorization: `Bearer ${await sign({ scope: '' })}` } });
    expect(scope.status).toBe(403);
    expect(scope.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="3gpp:mc:ptt_config_management_service"/);
  });
});
