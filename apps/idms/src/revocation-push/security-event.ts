/**
 * The revocation of a migration token as a Security Event Token (SET, RFC 8417) pushed from the
 * primary IdMS to the partner IdMS the token was minted for (RFC 8935 push delivery), so that the
 * partner no longer asks the primary (RFC 7662 introspection) on every token exchange.
 *
 * - `typ` header `secevent+jwt` (RFC 8417 clause 2.3), signed with the primary's token-signing
 *   key: the partner already trusts that key for the migration tokens themselves (its JWKS), so
 *   the push needs no other credential;
 * - `iss` the primary issuer, `aud` the partner issuer, `iat`, `jti` (RFC 8417 clause 2.2);
 * - one event, {@link TOKEN_REVOKED_EVENT}: `{ jti, exp }` of the revoked token. The event type
 *   and its members are our choice (no registered event type names an OAuth access token by `jti`).
 */
export const TOKEN_REVOKED_EVENT = 'urn:mcx:secevent:access-token-revoked';
export const SET_TYPE = 'secevent+jwt';
/** RFC 8935 clause 2: the media type of a pushed SET. */
export const SET_MEDIA_TYPE = 'application/secevent+jwt';
/** Where a partner IdMS receives pushed SETs unless configured otherwise (our choice): `<issuer>/secevents`. */
export const SET_PUSH_PATH = '/secevents';

export interface TokenRevokedEvent {
  jti: string;
  /** The revoked token's `exp` (s): after it the token is refused as expired anyway. */
  exp: number;
}

/** The token-revoked events of a SET's `events` claim; other event types are ignored (RFC 8417 clause 2.2). */
export function revokedTokensOf(events: unknown): TokenRevokedEvent[] | undefined {
  if (!events || typeof events !== 'object') return undefined;
  const e = (events as Record<string, unknown>)[TOKEN_REVOKED_EVENT];
  if (e === undefined) return [];
  const list = Array.isArray(e) ? e : [e];
  const out: TokenRevokedEvent[] = [];
  for (const x of list) {
    const { jti, exp } = (x ?? {}) as { jti?: unknown; exp?: unknown };
    if (typeof jti !== 'string' || !jti || typeof exp !== 'number') return undefined;
    out.push({ jti, exp });
  }
  return out;
}
