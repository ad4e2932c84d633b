import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { decodeJwt } from 'jose';
import type { OidcPayloadStore } from '../storage/payload-store.ts';
import type { PartnerRevocations } from '../revocation-push/receiver.ts';
import type { MigrationAuthorizations } from '../migration/authorizations.ts';
import type { IdmsConfig } from '../config/config.ts';
import { mcServicesResource } from '../config/config.ts';
import type { ResourceServerDescription } from '../csc1-oidc/resource-servers.ts';
import type { OwnAccessTokens } from '../jwt-token-status/jwt-token-status.ts';
import { invalidGrant, TOKEN_EXCHANGE_GRANT, type ExchangeState, type ExchangeStep } from './exchange-context.ts';
import { readRequest } from './read-request.ts';
import { verifySubjectToken } from './verify-subject-token.ts';
import { checkNotRevoked } from './check-not-revoked.ts';
import { checkMigrationAuthorization } from './check-migration-authorization.ts';
import { issuePartnerToken, resolveTarget, selectScopes } from './issue-partner-token.ts';
import { verifyOwnSubjectToken } from './verify-own-subject-token.ts';
import { issueMigrationToken, resolvePartnerIdms, selectMigrationScopes } from './issue-migration-token.ts';

export { exchangeClaims } from './issue-partner-token.ts';
export { TOKEN_EXCHANGE_GRANT } from './exchange-context.ts';
export { recordAccessTokenGrant } from './subject-grant.ts';

/** The two legs of the token-exchange grant at an IdMS, each a pipeline of named steps. */
export interface TokenExchangeLegs {
  /**
   * At the primary IdMS (TS 33.180 annex B.7): the client's own access token in, the token for
   * a partner IdMS (aud = the partner issuer) out.
   */
  primary: ExchangeStep[];
  /**
   * At the partner IdMS, migration authentication (TS 24.484 clause 4.2.2.1.2.1): the primary's
   * token for this IdMS in, an access token for this system's resource servers out.
   */
  partner: ExchangeStep[];
}

export interface TokenExchangeDeps {
  config: IdmsConfig;
  issuer: string;
  resourceServers: Map<string, ResourceServerDescription>;
  /** The checks introspection and userinfo apply to this IdMS's own access tokens. */
  ownTokens: OwnAccessTokens;
  store: OidcPayloadStore;
  /** Revocations pushed by the partner IdMSs. */
  revocations: PartnerRevocations;
  authorizations: MigrationAuthorizations;
}

/** OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint, both legs. */
export function tokenExchangeSteps(deps: TokenExchangeDeps): TokenExchangeLegs {
  const { config, issuer, resourceServers } = deps;
  return {
    primary: [
      verifyOwnSubjectToken(deps.ownTokens, deps.store, () => config),
      resolvePartnerIdms(resourceServers),
      selectMigrationScopes,
      issueMigrationToken,
    ],
    partner: [
      verifySubjectToken(config.partners, issuer, deps.revocations),
      resolveTarget(resourceServers, mcServicesResource(config)),
      selectScopes,
      checkMigrationAuthorization(deps.authorizations, config.systemId),
      checkNotRevoked(deps.revocations),
      issuePartnerToken(config),
    ],
  };
}

/**
 * The leg is chosen by the subject token's `iss`: this IdMS's own token → primary leg; any
 * other (a partner's, or an untrusted issuer the partner leg refuses) → partner leg.
 */
export function chooseLeg(issuer: string, legs: TokenExchangeLegs): ExchangeStep {
  return async (state) => {
    let iss: string | undefined;
    try {
      iss = decodeJwt(state.subjectToken).iss;
    } catch {
      throw invalidGrant('subject_token is not a JWT');
    }
    for (const step of iss === issuer ? legs.primary : legs.partner) await step(state);
  };
}

export function registerTokenExchange(provider: Provider, issuer: string, legs: TokenExchangeLegs): void {
  const steps = [readRequest, chooseLeg(issuer, legs)];
  const handler = async (ctx: KoaContextWithOIDC) => {
    const state: ExchangeState = { ctx, subjectToken: '' };
    for (const step of steps) await step(state);
  };
  provider.registerGrantType(TOKEN_EXCHANGE_GRANT, handler, [
    'subject_token',
    'subject_token_type',
    'actor_token',
    'actor_token_type',
    'requested_token_type',
    'audience',
    'resource',
    'scope',
  ], ['resource', 'audience']);
}
