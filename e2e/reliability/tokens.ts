/**
 * Token and OIDC bad inputs: forged or misused access tokens at the resource servers (CMS and GMS
 * of both systems; RFC 6750, RFC 9068, TS 33.180 annex B), and bad requests at both IdMSs'
 * authorization and token endpoints (RFC 6749, RFC 7636 PKCE, RFC 8693 token exchange).
 *
 * Tokens that need a valid signature to test one claim (expired, wrong aud/iss, no exp, no scope)
 * are signed with the IdMS's own key, read from its database: only the claim under test is wrong.
 *
 * Refused spec-shaped: at a resource server 401 with a Bearer challenge (RFC 6750 clause 3) or 403;
 * at the token endpoint 400/401 JSON whose `error` is an RFC 6749 clause 5.2 / RFC 8693 clause
 * 2.2.2 code; at the authorization endpoint an error redirect to the registered redirect_uri
 * (RFC 6749 clause 4.1.2.1) or, when the client or redirect_uri is not valid, a 400 that does not
 * redirect. Changed state: the target document's ETag, the IdMS's grants, refresh tokens and
 * migration authorizations.
 */
import { createHmac } from 'node:crypto';
import { loginWithPkce, TOKEN_EXCHANGE_GRANT, ACCESS_TOKEN_TYPE } from '@mcx/auth';
import { userProfileSelector } from '@mcx/cms';
import { groupSelector } from '@mcx/gms';
import { UE_CLIENT } from '@mcx/mc-system';
import type { RawAnswer } from '@mcx/xcap/testing';
import { decodeJwt, decodeProtectedHeader, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { PASSWORDS, type ReliabilityLab, type System } from './ecosystem.ts';
import { header, stateChangedOutside, statusShape, tryHttp, verdictOf, type RefusalShape } from './http.ts';
import type { Tally, Verdict } from './report.ts';

export const TOKENS_SURFACE = 'tokens';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** The active signing key of a system's IdMS (its database), to forge exactly one wrong claim. */
async function idmsKey(system: System): Promise<{ jwk: JWK; kid: string; alg: string }> {
  const row = await system.databases.idms!.prisma.signingKey.findFirst({ where: { status: 'active' }, orderBy: { createdAt: 'desc' } });
  if (!row) throw new Error(`${system.config.id}: no signing key`);
  return { jwk: JSON.parse(row.privateJwk) as JWK, kid: row.kid, alg: row.alg };
}

async function signAs(key: { jwk: JWK; kid: string; alg: string }, claims: JWTPayload, extraHeader: Record<string, unknown> = {}): Promise<string> {
  const k = await importJWK(key.jwk, key.alg);
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...extraHeader }).sign(k);
}

/** The bad tokens derived from `token` (valid for this resource server), each with its name. */
async function forgedTokens(token: string, own: System, other: { token: string; sameSystemOtherAudience: string }): Promise<[string, string][]> {
  const claims = decodeJwt(token);
  const head = decodeProtectedHeader(token);
  const [h, p, s] = token.split('.') as [string, string, string];
  const key = await idmsKey(own);
  const now = Math.floor(Date.now() / 1000);
  const publicJwk = JSON.parse((await own.databases.idms!.prisma.signingKey.findUnique({ where: { kid: key.kid } }))!.publicJwk) as JWK;
  const publicPem = await exportSPKI((await importJWK(publicJwk, key.alg)) as CryptoKey);
  const hs = (secret: string) => {
    const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: head.kid });
    return `${header}.${p}.${createHmac('sha256', secret).update(`${header}.${p}`).digest('base64url')}`;
  };
  const attacker = await generateKeyPair('ES256', { extractable: true });
  const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'ES256' };
  const byAttacker = (extra: Record<string, unknown>, kid = 'attacker') => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid, ...extra }).sign(attacker.privateKey);
  const { exp: _exp, ...noExp } = claims;
  const { scope: _scope, ...noScope } = claims;
  return [
    ['alg-none', `${b64({ alg: 'none', typ: 'at+jwt' })}.${p}.`],
    ['alg-none-keeping-signature', `${b64({ ...head, alg: 'none' })}.${p}.${s}`],
    ['hs256-with-public-key-pem', hs(publicPem)],
    ['hs256-with-public-jwk', hs(JSON.stringify(publicJwk))],
    ['expired', await signAs(key, { ...claims, iat: now - 7200, exp: now - 3600 })],
    ['not-yet-valid', await signAs(key, { ...claims, nbf: now + 3600, exp: now + 7200 })],
    ['no-exp', await signAs(key, noExp)],
    ['wrong-aud', await signAs(key, { ...claims, aud: 'https://elsewhere.example' })],
    ['wrong-iss', await signAs(key, { ...claims, iss: 'https://evil.example' })],
    ['no-scope', await signAs(key, noScope)],
    ['other-system-token', other.token],
    ['other-resource-token', other.sameSystemOtherAudience],
    ['tampered-subject', `${h}.${b64({ ...claims, sub: 'someone-else', mcptt_id: 'sip:eve@mcx-a.example.net' })}.${s}`],
    ['tampered-signature', `${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`],
    ['embedded-jwk', await byAttacker({ jwk: attackerJwk })],
    ['jku-elsewhere', await byAttacker({ jku: 'http://127.0.0.1:9/jwks.json' })],
    ['kid-of-the-idms-other-key', await byAttacker({}, key.kid)],
    ['not-a-jwt', 'not.a.jwt'],
    ['two-segments', `${h}.${p}`],
    ['empty', ''],
  ];
}

/**
 * A bearer refusal at a resource server (RFC 6750 clause 3.1): 401 (its Bearer challenge is checked
 * by statusShape), 403 (insufficient scope or access), or 400 with a Bearer challenge
 * (invalid_request: a malformed Authorization header) or, for a URI XCAP does not define (a query
 * that is no xmlns() binding, RFC 4825 clause 6), the plain 400 of XCAP.
 */
const bearerRefusal: RefusalShape = (a) =>
  a.status === 401 || a.status === 403 || (a.status === 400 && (/^Bearer\b/.test(header(a, 'www-authenticate')) || /^text\/plain/.test(header(a, 'content-type'))));

/** RFC 6749 clause 5.2 and RFC 8693 clause 2.2.2 error codes. */
const OAUTH_ERRORS = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target']);
const oauthError: RefusalShape = (a) => {
  if ((a.status !== 400 && a.status !== 401) || !/^application\/json/.test(header(a, 'content-type'))) return false;
  try {
    return OAUTH_ERRORS.has((JSON.parse(a.body.toString('utf8')) as { error?: string }).error ?? '');
  } catch {
    return false;
  }
};

/** A fresh authorization code of `username` (the UE's flow, stopped before the code is redeemed). */
async function freshCode(system: System, username: string): Promise<{ code: string; verifier: string }> {
  let captured: { code: string; verifier: string } | undefined;
  const intercept: typeof fetch = async (input, init) => {
    const body = init?.body;
    if (body instanceof URLSearchParams && body.get('grant_type') === 'authorization_code') {
      captured = { code: body.get('code')!, verifier: body.get('code_verifier')! };
      throw new Error('code captured');
    }
    return fetch(input, init);
  };
  await loginWithPkce({ issuer: system.idms.issuer, clientId: UE_CLIENT.clientId, redirectUri: UE_CLIENT.redirectUri, username, password: PASSWORDS[username]!, fetch: intercept }).catch(() => undefined);
  if (!captured) throw new Error(`${system.config.id}: no authorization code for ${username}`);
  return captured;
}

export async function tokenBarrage(lab: ReliabilityLab, tally: Tally): Promise<void> {
  // 1. Resource servers: the target document read (GET) and written (PUT) with each bad token.
  const servers = [
    { name: 'cms-a', own: lab.a, token: lab.alice.cms, other: { token: lab.dave.cms, sameSystemOtherAudience: lab.alice.gms }, url: `${lab.a.cms.xcapRoot}/${userProfileSelector('sip:alice@mcx-a.example.net', 1)}` },
    { name: 'cms-b', own: lab.b, token: lab.dave.cms, other: { token: lab.alice.cms, sameSystemOtherAudience: lab.dave.gms }, url: `${lab.b.cms.xcapRoot}/${userProfileSelector('sip:dave@mcx-b.example.net', 1)}` },
    { name: 'gms-a', own: lab.a, token: lab.alice.gms, other: { token: lab.dave.gms, sameSystemOtherAudience: lab.alice.cms }, url: `${lab.a.gms.xcapRoot}/${groupSelector('sip:fire-a@mcx-a.example.net')}` },
    { name: 'gms-b', own: lab.b, token: lab.dave.gms, other: { token: lab.alice.gms, sameSystemOtherAudience: lab.dave.cms }, url: `${lab.b.gms.xcapRoot}/${groupSelector('sip:rescue-b@mcx-b.example.net')}` },
  ];
  for (const s of servers) {
    const current = await lab.raw('GET', s.url, { authorization: `Bearer ${s.token}` });
    if (current.status !== 200) throw new Error(`${s.name}: the valid token got ${current.status}`);
    const doc = current.body.toString('utf8');
    const type = header(current, 'content-type');
    const state = async () => header(await lab.raw('GET', s.url, { authorization: `Bearer ${s.token}` }), 'etag');
    for (const [name, bad] of await forgedTokens(s.token, s.own, s.other)) {
      const auth = { authorization: `Bearer ${bad}` };
      await tryHttp(tally, TOKENS_SURFACE, { input: `${s.name} GET token:${name}`, method: 'GET', url: s.url, headers: auth }, bearerRefusal, state, lab.raw);
      await tryHttp(tally, TOKENS_SURFACE, { input: `${s.name} PUT token:${name}`, method: 'PUT', url: s.url, headers: { ...auth, 'content-type': type }, body: doc }, bearerRefusal, state, lab.raw);
    }
    await tryHttp(tally, TOKENS_SURFACE, { input: `${s.name} GET basic-scheme`, method: 'GET', url: s.url, headers: { authorization: `Basic ${Buffer.from(`alice:${s.token}`).toString('base64')}` } }, bearerRefusal, state, lab.raw);
    await tryHttp(tally, TOKENS_SURFACE, { input: `${s.name} GET token-in-query`, method: 'GET', url: `${s.url}?access_token=${s.token}` }, bearerRefusal, state, lab.raw);
  }

  // 2. The IdMSs: token endpoint (grants, PKCE, token exchange) and authorization endpoint.
  for (const [system, user, otherRefresh, otherToken] of [
    [lab.a, 'alice', lab.dave.refresh, lab.dave.cms],
    [lab.b, 'dave', lab.alice.refresh, lab.alice.cms],
  ] as const) {
    const name = `idms-${system.config.id === 'mcx-a' ? 'a' : 'b'}`;
    const meta = JSON.parse((await lab.raw('GET', `${system.idms.issuer}/.well-known/openid-configuration`)).body.toString('utf8')) as { token_endpoint: string; authorization_endpoint: string };
    const prisma = system.databases.idms!.prisma;
    const state = async () =>
      JSON.stringify([
        await prisma.oidcPayload.count({ where: { kind: { in: ['Grant', 'RefreshToken', 'AccessToken', 'ClientCredentials'] } } }),
        await prisma.migrationAuthorization.count(),
      ]);
    const own = user === 'alice' ? lab.alice : lab.dave;
    const key = await idmsKey(system);
    const ownClaims = decodeJwt(own.cms);
    const now = Math.floor(Date.now() / 1000);
    const client = { client_id: UE_CLIENT.clientId };
    const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const exchange = (p: Record<string, string>) => ({ ...client, grant_type: TOKEN_EXCHANGE_GRANT, subject_token_type: ACCESS_TOKEN_TYPE, requested_token_type: ACCESS_TOKEN_TYPE, ...p });
    const grants: [string, () => Promise<Record<string, string> | string>][] = [
      ['no-grant-type', async () => ({ ...client })],
      ['unknown-grant-type', async () => ({ ...client, grant_type: 'urn:example:nothing' })],
      ['password-grant', async () => ({ ...client, grant_type: 'password', username: user, password: PASSWORDS[user]! })],
      ['client-credentials-public-client', async () => ({ ...client, grant_type: 'client_credentials' })],
      ['unknown-client', async () => ({ client_id: 'no-such-client', grant_type: 'refresh_token', refresh_token: own.refresh })],
      ['code-bogus', async () => ({ ...client, grant_type: 'authorization_code', code: 'bogus', code_verifier: 'x'.repeat(43), redirect_uri: UE_CLIENT.redirectUri })],
      ['code-wrong-pkce-verifier', async () => ({ ...client, grant_type: 'authorization_code', code: (await freshCode(system, user)).code, code_verifier: 'y'.repeat(43), redirect_uri: UE_CLIENT.redirectUri })],
      ['code-no-pkce-verifier', async () => ({ ...client, grant_type: 'authorization_code', code: (await freshCode(system, user)).code, redirect_uri: UE_CLIENT.redirectUri })],
      ['code-wrong-redirect-uri', async () => {
        const c = await freshCode(system, user);
        return { ...client, grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: 'https://evil.example/cb' };
      }],
      ['code-other-client', async () => {
        const c = await freshCode(system, user);
        return { client_id: 'no-such-client', grant_type: 'authorization_code', code: c.code, code_verifier: c.verifier, redirect_uri: UE_CLIENT.redirectUri };
      }],
      ['refresh-garbage', async () => ({ ...client, grant_type: 'refresh_token', refresh_token: 'garbage' })],
      ['refresh-of-the-other-idms', async () => ({ ...client, grant_type: 'refresh_token', refresh_token: otherRefresh })],
      ['refresh-invalid-scope', async () => ({ ...client, grant_type: 'refresh_token', refresh_token: own.refresh, scope: 'openid admin:everything' })],
      ['refresh-unknown-resource', async () => ({ ...client, grant_type: 'refresh_token', refresh_token: own.refresh, resource: 'https://evil.example/' })],
      ['exchange-no-subject-token', async () => exchange({ audience: system.idms.issuer })],
      ['exchange-garbage-subject-token', async () => exchange({ subject_token: 'garbage' })],
      ['exchange-unknown-subject-token-type', async () => exchange({ subject_token: own.cms, subject_token_type: 'urn:example:token-type:x' })],
      ['exchange-unknown-requested-token-type', async () => exchange({ subject_token: own.cms, requested_token_type: 'urn:example:token-type:x' })],
      ['exchange-unknown-audience', async () => exchange({ subject_token: own.cms, audience: 'https://evil.example' })],
      ['exchange-alg-none-subject', async () => exchange({ subject_token: `${b64({ alg: 'none' })}.${own.cms.split('.')[1]}.` })],
      ['exchange-expired-subject', async () => exchange({ subject_token: await signAs(key, { ...ownClaims, iat: now - 7200, exp: now - 3600 }) })],
      ['exchange-other-system-subject', async () => exchange({ subject_token: otherToken })],
      ['json-body', async () => JSON.stringify({ ...client, grant_type: 'refresh_token', refresh_token: own.refresh })],
    ];
    for (const [grant, make] of grants) {
      const params = await make();
      // A fresh code comes from a login, which records a grant of its own.
      if (grant.startsWith('code-')) stateChangedOutside(state);
      const json = typeof params === 'string';
      await tryHttp(
        tally,
        TOKENS_SURFACE,
        { input: `${name} token-endpoint ${grant}`, method: 'POST', url: meta.token_endpoint, headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' }, body: json ? params : form(params) },
        oauthError,
        state,
        lab.raw,
        { bearer401: false },
      );
    }
    // The authorization endpoint (RFC 6749 clause 4.1.2.1, RFC 7636 clause 4.4.1).
    const authz = (p: Record<string, string>) => `${meta.authorization_endpoint}?${form({ client_id: UE_CLIENT.clientId, response_type: 'code', redirect_uri: UE_CLIENT.redirectUri, scope: 'openid', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGrSstw-cM', code_challenge_method: 'S256', ...p })}`;
    const authzRequests: [string, string, 'redirect' | 'no-redirect'][] = [
      ['redirect-uri-not-registered', authz({ redirect_uri: 'https://evil.example/cb' }), 'no-redirect'],
      ['unknown-client', authz({ client_id: 'no-such-client' }), 'no-redirect'],
      ['pkce-plain', authz({ code_challenge_method: 'plain' }), 'redirect'],
      ['pkce-missing', authz({ code_challenge: '', code_challenge_method: '' }), 'redirect'],
      ['response-type-token', authz({ response_type: 'token' }), 'redirect'],
      ['request-object-alg-none', authz({ request: `${b64({ alg: 'none' })}.${b64({ client_id: UE_CLIENT.clientId, redirect_uri: 'https://evil.example/cb' })}.` }), 'redirect'],
    ];
    for (const [what, url, expect] of authzRequests) {
      const before = await state();
      let answer: RawAnswer | undefined;
      let error = '';
      try {
        answer = await lab.raw('GET', url);
      } catch (err) {
        error = (err as Error).message;
      }
      tally.record({
        surface: TOKENS_SURFACE,
        input: `${name} authorization-endpoint ${what}`,
        verdict: answer ? authorizationVerdict(answer, expect) : 'not-spec-shaped',
        answer: answer ? `${answer.status} ${header(answer, 'location').slice(0, 120) || header(answer, 'content-type')}` : `no answer: ${error}`,
        changedState: before !== (await state()),
      });
    }
  }
}

/** An error redirect to the registered redirect_uri, or (bad client / redirect_uri) a 400 that does not redirect. */
function authorizationVerdict(a: RawAnswer, expect: 'redirect' | 'no-redirect'): Verdict {
  if (a.status >= 500) return '5xx';
  const location = header(a, 'location');
  if (a.status >= 300 && a.status < 400) {
    if (!location.startsWith(UE_CLIENT.redirectUri)) return expect === 'no-redirect' ? 'accepted-invalid' : 'not-spec-shaped';
    // The error is in the query, or in the fragment for response types that answer there (OAuth 2.0 Multiple Response Types).
    const url = new URL(location);
    const params = new URLSearchParams(url.search || url.hash.slice(1));
    if (params.get('code')) return 'accepted-invalid';
    return params.get('error') ? 'refused' : 'not-spec-shaped';
  }
  if (a.status >= 200 && a.status < 300) return 'accepted-invalid';
  return a.status === 400 && expect === 'no-redirect' ? 'refused' : verdictOf(a, () => true) === 'refused' && statusShape(a) ? 'refused' : 'not-spec-shaped';
}
