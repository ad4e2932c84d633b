import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
let jwksFetches = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
  const app = express();
  app.get('/.well-known/openid-configuration', (_req, res) => res.json({ issuer, jwks_uri: `${issuer}/jwks` }));
  app.get('/jwks', (_req, res) => {
    jwksFetches += 1;
    res.json({ keys: [jwk] });
  });
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

describe('verified-token cache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('verifies a token once: the same verification is returned until it expires', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD });
    const token = await sign({ jti: 'cache-1' });
    const first = await v.verify(token);
    expect(await v.verify(token)).toBe(first);
    // The required scopes are checked on every call, cached or not.
    expect(await codeOf(v.verify(token, { requiredScopes: [MC_SCOPES.pttService] }))).toBe('insufficient-scope');
  });

  it('fetches the JWKS once when many first requests arrive together', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks` });
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => sign({ jti: `herd-${i}` })));
    const before = jwksFetches;
    await Promise.all(tokens.map((t) => v.verify(t)));
    expect(jwksFetches - before).toBe(1);
  });

  it('refuses a revoked token, cached or never seen, with code revoked (401 invalid_token)', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD });
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ jti: 'revoked-1', exp: now + 300 });
    await v.verify(token);
    v.revoke('revoked-1', new Date((now + 300) * 1000));
    const err = (await v.verify(token).catch((e: unknown) => e)) as TokenError;
    expect([err.code, err.status, err.bearerError]).toEqual(['revoked', 401, 'invalid_token']);
    v.revoke('revoked-2', new Date((now + 300) * 1000));
    expect(await codeOf(v.verify(await sign({ jti: 'revoked-2' })))).toBe('revoked');
    expect(v.isRevoked('revoked-2')).toBe(true);
    expect(await codeOf(v.verify(await sign({ jti: 'not-revoked' })))).toBe('accepted');
  });

  it('refuses an expired token even though its verification is cached', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, clockTolerance: 0 });
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ jti: 'short', iat: now, exp: now + 2 });
    await v.verify(token);
    vi.useFakeTimers({ toFake: ['Date'], now: (now + 3) * 1000 });
    expect(await codeOf(v.verify(token))).toBe('expired');
    // A revocation of an expired token is not even remembered.
    v.revoke('short', new Date((now + 2) * 1000));
    expect(v.isRevoked('short')).toBe(false);
  });

  it('drops expired verifications as new tokens arrive', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, clockTolerance: 0 });
    const now = Math.floor(Date.now() / 1000);
    await v.verify(await sign({ jti: 'old-1', iat: now, exp: now + 2 }));
    await v.verify(await sign({ jti: 'old-2', iat: now, exp: now + 2 }));
    expect(v.cached).toBe(2);
    vi.useFakeTimers({ toFake: ['Date'], now: (now + 3) * 1000 });
    await v.verify(await sign({ jti: 'new-1', iat: now + 3, exp: now + 300 }));
    expect(v.cached).toBe(1);
  });

  it('keeps at most cacheSize verifications (the oldest goes first)', async () => {
    const v = createTokenVerifier({ issuer, audience: AUD, cacheSize: 1 });
    const [t1, t2] = [await sign({ jti: 'size-1' }), await sign({ jti: 'size-2' })];
    const first = await v.verify(t1);
    await v.verify(t2);
    const again = await v.verify(t1);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});

describe('signatures checked once per process (verifiers trusting the same JWKS URI)', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it('takes the signature another verifier checked against the same JWKS URI, and applies its own claim checks', async () => {
    const cms = createTokenVerifier({ issuer, audience: AUD });
    const gms = createTokenVerifier({ issuer, audience: 'urn:mcx:mcx-a:gms', jwksUri: `${issuer}/jwks` });
    const mcs = createTokenVerifier({ issuer, audience: 'urn:mcx:mcx-a:mcs', jwksUri: `${issuer}/jwks` });
    const token = await sign({ jti: 'shared-1', aud: [AUD, 'urn:mcx:mcx-a:gms'] });
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    const atCms = await cms.verify(token);
    expect(signatures).toHaveBeenCalledTimes(1);
    const atGms = await gms.verify(token);
    expect(signatures).toHaveBeenCalledTimes(1);
    expect(atGms).toEqual(atCms);
    // Not for the MCS: its own audience check still refuses the token.
    expect(await codeOf(mcs.verify(token))).toBe('wrong-audience');
    // Nor for a verifier expecting another issuer or token type, or refusing the algorithm.
    expect(await codeOf(createTokenVerifier({ issuer: 'http://127.0.0.1:1', audience: AUD, jwksUri: `${issuer}/jwks` }).verify(token))).toBe('wrong-issuer');
    expect(await codeOf(createTokenVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks`, tokenType: 'secevent+jwt' }).verify(token))).toBe('wrong-type');
    expect(await codeOf(createTokenVerifier({ issuer, audience: AUD, jwksUri: `${issuer}/jwks`, algorithms: ['ES256'] }).verify(token))).toBe('bad-signature');
    expect(signatures).toHaveBeenCalledTimes(1);
  });

  it('checks the signature again for a verifier trusting another JWKS URI', async () => {
    const token = await sign({ jti: 'shared-2' });
    await createTokenVerifier({ issuer, audience: AUD }).verify(token);
    const signatures = vi.spyOn(crypto.subtle, 'verify');
    // The same keys under another URI (the host named differently): not taken as checked.
    const elsewhere = createTokenVerifier({ issuer, audience: AUD, jwksUri: `${issuer.replace('127.0.0.1', 'localhost')}/jwks` });
    await elsewhere.verify(token);
    expect(signatures).toHaveBeenCalledTimes(1);
  });

  it('refuses an expired token and a token revoked at one verifier, whoever checked its signature', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await sign({ jti: 'shared-3', iat: now, exp: now + 2 });
    const a = createTokenVerifier({ issuer, audience: AUD, clockTolerance: 0 });
    const b = createTokenVerifier({ issuer, audience: AUD, clockTolerance: 0 });
    await a.verify(token);
    b.revoke('shared-3', new Date((now + 2) * 1000));
    expect(await codeOf(b.verify(token))).toBe('revoked');
    expect(await codeOf(a.verify(token))).toBe('accepted');
    vi.useFakeTimers({ toFake: ['Date'], now: (now + 3) * 1000 });
    expect(await codeOf(createTokenVerifier({ issuer, audience: AUD, clockTolerance: 0 }).verify(token))).toBe('expired');
  });

  it('does not take a token whose signature failed elsewhere', async () => {
    const forged = await sign({ jti: 'shared-4' }, { key: otherKey });
    expect(await codeOf(createTokenVerifier({ issuer, audience: AUD }).verify(forged))).toBe('bad-signature');
    expect(await codeOf(createTokenVerifier({ issuer, audience: AUD }).verify(forged))).toBe('bad-signature');
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
