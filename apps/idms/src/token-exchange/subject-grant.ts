import type { OidcPayloadStore } from '../storage/payload-store.ts';

/**
 * Which grant each of this IdMS's JWT access tokens stands on. A JWT access token (RFC 9068)
 * does not name its grant and oidc-provider does not store it, yet the token for a partner
 * IdMS obtained by token exchange at the primary (TS 33.180 annex B.7) must be chained to the
 * grant of its subject token, so that revoking that grant (refresh token revoked, logout)
 * revokes it as well. So each JWT access token's `jti` is recorded with its grant when minted;
 * the record disappears with the grant (the storage adapter's revokeByGrantId) or when the
 * token expires. Our own bookkeeping, not a protocol element.
 */
export const SUBJECT_GRANT_KIND = 'AccessTokenGrant';

export async function recordAccessTokenGrant(store: OidcPayloadStore, t: { jti: string; grantId: string; exp: number }): Promise<void> {
  await store.upsert({ id: `${SUBJECT_GRANT_KIND}:${t.jti}`, kind: SUBJECT_GRANT_KIND, payload: '{}', grantId: t.grantId, expiresAt: new Date(t.exp * 1000) });
}

/** The grant the access token `jti` stands on; undefined when unknown, expired or revoked. */
export function findAccessTokenGrant(store: OidcPayloadStore, jti: string): string | undefined {
  return store.get(`${SUBJECT_GRANT_KIND}:${jti}`)?.grantId ?? undefined;
}
