import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { PrismaClient } from '@mcx/db';
import type { IdmsConfig } from '../config/config.ts';
import { mcServicesResource } from '../config/config.ts';
import type { ResourceServerDescription } from '../csc1-oidc/resource-servers.ts';
import { TOKEN_EXCHANGE_GRANT, type ExchangeState, type ExchangeStep } from './exchange-context.ts';
import { readRequest } from './read-request.ts';
import { verifySubjectToken } from './verify-subject-token.ts';
import { checkNotRevoked } from './check-not-revoked.ts';
import { checkMigrationAuthorization } from './check-migration-authorization.ts';
import { issuePartnerToken, resolveTarget, selectScopes } from './issue-partner-token.ts';

export { exchangeClaims } from './issue-partner-token.ts';
export { TOKEN_EXCHANGE_GRANT } from './exchange-context.ts';

/**
 * Migration authentication at the partner IdMS (TS 24.484 clause 4.2.2.1.2.1) as
 * OAuth 2.0 Token Exchange (RFC 8693) at the token endpoint: a pipeline of named steps.
 */
export function tokenExchangeSteps(config: IdmsConfig, issuer: string, prisma: PrismaClient, resourceServers: Map<string, ResourceServerDescription>): ExchangeStep[] {
  return [
    readRequest,
    verifySubjectToken(config.partners, issuer),
    resolveTarget(resourceServers, mcServicesResource(config)),
    selectScopes,
    checkMigrationAuthorization(prisma, config.systemId),
    checkNotRevoked(),
    issuePartnerToken,
  ];
}

export function registerTokenExchange(provider: Provider, steps: ExchangeStep[]): void {
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
