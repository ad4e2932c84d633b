/**
 * Access tokens on CSC-4 (TS 24.482 annex A; TS 33.180 annex B.5): `Authorization: Bearer`
 * (RFC 6750 clause 2.1) on HTTP, `<mcptt-access-token>` in mcptt-info on SIP. Tokens must come
 * from this system's IdMS (issuer), name the CMS (audience) and grant the config-management
 * scope.
 *
 * Verified tokens are cached by their compact string until they expire, so a hot conditional
 * GET costs neither a database query nor a signature check.
 */
import { bearerToken, createTokenVerifier, MC_SCOPES, TokenError, type McAccessToken, type TokenVerifier } from '@mcx/auth';
import type { Principal } from '@mcx/xcap';

export interface TokenAuthenticator {
  /** Verifies a token (cached); rejects with TokenError. */
  verify(token: string | undefined): Promise<McAccessToken>;
  /** Reads and verifies `Authorization: Bearer`; rejects with TokenError (`missing` when absent). */
  fromHeader(authorization: string | undefined): Promise<McAccessToken>;
}

export function createTokenAuthenticator(options: { issuer: string; audience: string; jwksUri?: string; cacheSize: number }): TokenAuthenticator {
  const verifier: TokenVerifier = createTokenVerifier({
    issuer: options.issuer,
    audience: options.audience,
    ...(options.jwksUri ? { jwksUri: options.jwksUri } : {}),
    // The CMS checks its own scope (TS 33.180 annex B: config management).
    requiredScopes: [MC_SCOPES.pttConfigManagement],
  });
  const cache = new Map<string, McAccessToken>();
  async function verify(token: string | undefined): Promise<McAccessToken> {
    if (token) {
      const hit = cache.get(token);
      if (hit) {
        if (hit.expiresAt.getTime() > Date.now()) return hit;
        cache.delete(token);
      }
    }
    const t = await verifier.verify(token);
    if (options.cacheSize > 0 && token) {
      if (cache.size >= options.cacheSize) cache.delete(cache.keys().next().value!);
      cache.set(token, t);
    }
    return t;
  }
  return {
    verify,
    fromHeader: async (authorization) => verify(bearerToken(authorization)),
  };
}

/** The XCAP principal of a token: the user's MCPTT ID (TS 24.484: the identity comes from the token). */
export function principalOf(token: McAccessToken): Principal {
  if (!token.mcpttId) throw new TokenError('insufficient-scope', 'the access token carries no mcptt_id');
  return { id: token.mcpttId };
}

/**
 * The HTTP answer for a refused token.
 * - No token at all on a protected resource: **403** (TS 24.482 annex A.2.3: the HTTP server
 *   rejects a request without a Bearer access token with 403 Forbidden), with
 *   `WWW-Authenticate: Bearer realm="cms"` so RFC 6750 clients still learn the scheme.
 * - Expired, badly signed, wrong issuer (e.g. the other system's IdMS), wrong audience:
 *   **401** `error="invalid_token"` (RFC 6750 clause 3.1), so the UE refreshes its token.
 * - Missing config-management scope: **403** `error="insufficient_scope"`.
 * - Malformed Authorization header: **400** `error="invalid_request"`.
 * - IdMS keys unreachable: 503.
 */
export function tokenRefusal(err: TokenError): { status: number; headers: Record<string, string>; body: string } {
  const status = err.code === 'missing' ? 403 : err.status;
  return {
    status,
    headers: { 'www-authenticate': err.challenge('cms'), 'content-type': 'application/json' },
    body: JSON.stringify(err.toJSON()),
  };
}
