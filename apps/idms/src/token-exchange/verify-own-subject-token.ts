import type { OidcPayloadStore } from '../storage/payload-store.ts';
import type { OwnAccessTokens } from '../jwt-token-status/jwt-token-status.ts';
import type { IdmsConfig } from '../config/config.ts';
import { invalidGrant, type ExchangeStep } from './exchange-context.ts';
import { findAccessTokenGrant } from './subject-grant.ts';

/**
 * Primary leg (TS 33.180 annex B.7: the client obtains the token for the partner IdMS from its
 * primary IdMS, presenting its access token as RFC 8693 subject_token): the subject token must
 * be an access token of this IdMS, checked as introspection and userinfo check it (our
 * signature, issuer, `typ` at+jwt, unexpired, not revoked), issued to the requesting client
 * (our choice: a token is not exchanged by another client), not itself a token for a partner
 * IdMS, and its grant still present (not revoked, no logout since).
 */
export function verifyOwnSubjectToken(tokens: OwnAccessTokens, store: OidcPayloadStore, config: () => IdmsConfig): ExchangeStep {
  return async (state) => {
    const payload = await tokens.verify(state.subjectToken);
    if (!payload) throw invalidGrant('subject_token rejected: not a valid, unexpired access token of this IdMS');
    if (!(await tokens.isActive(payload))) throw invalidGrant('subject_token is no longer active (revoked)');
    const clientId = state.ctx.oidc.client?.clientId;
    if (payload['client_id'] !== clientId) throw invalidGrant('subject_token was issued to another client');
    const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    if (config().partners.some((p) => aud.includes(p.issuer))) throw invalidGrant('subject_token is a token for a partner IdMS');
    if (!payload.sub || !payload.jti) throw invalidGrant('subject_token names no subject');
    const grantId = findAccessTokenGrant(store, payload.jti);
    const grant = grantId ? await state.ctx.oidc.provider.Grant.find(grantId) : undefined;
    if (!grant || grant.accountId !== payload.sub || grant.clientId !== clientId) {
      throw invalidGrant('the grant of subject_token is gone (revoked or logged out)');
    }
    state.ownSubject = payload;
    state.subjectGrantId = grantId;
  };
}
