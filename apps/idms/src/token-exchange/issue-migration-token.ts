import { errors } from 'oidc-provider';
import { canonicalScope, isMcScope } from '@mcx/auth';
import type { ResourceServerDescription } from '../csc1-oidc/resource-servers.ts';
import { respondWithIssuedToken, type ExchangeState, type ExchangeStep } from './exchange-context.ts';

/**
 * Primary leg, RFC 8693 clause 2.1 `audience` / RFC 8707 `resource`: the token is for a partner
 * IdMS configured at this IdMS (TS 33.180 annex B.7); anything else is invalid_target.
 */
export function resolvePartnerIdms(resourceServers: Map<string, ResourceServerDescription>): ExchangeStep {
  return (state) => {
    const id = state.requestedResource;
    if (!id) throw new errors.InvalidTarget('audience or resource must name a partner IdMS');
    const rs = resourceServers.get(id);
    if (!rs || rs.kind !== 'partner-idms') throw new errors.InvalidTarget(`${id} is not a partner IdMS of this system`);
    state.resource = rs;
  };
}

/** Scopes of the token for the partner IdMS: those requested (default: the subject token's), granted to the subject token, and MC scopes. */
export const selectMigrationScopes: ExchangeStep = (state) => {
  const raw = typeof state.ownSubject!['scope'] === 'string' ? (state.ownSubject!['scope'] as string) : '';
  const held = raw.split(' ').filter(Boolean);
  const granted = new Set(held.map(canonicalScope));
  const wanted = state.requestedScope ?? new Set(held);
  const understood = new Set(state.resource!.scopes);
  const scope = [...wanted].filter((s) => isMcScope(s) && understood.has(s) && granted.has(canonicalScope(s)));
  if (scope.length === 0) throw new errors.InvalidScope('none of the requested scopes may be granted', [...wanted].join(' '));
  state.scope = scope;
};

/**
 * Issue the token for the partner IdMS (RFC 8693 clause 2.2.1): the JWT a refresh with
 * `resource=<partner issuer>` issues (aud = the partner issuer, the user's MC IDs through
 * extraTokenClaims, the migration token TTL), on the subject token's grant. Minting it records
 * it as a migration token of that grant (recordMigrationToken, via the provider's JWT hook), so
 * the partner's introspection here sees it revoked with the grant.
 */
export const issueMigrationToken = async (state: ExchangeState): Promise<void> => {
  const { ctx } = state;
  const { provider, client } = ctx.oidc;
  const rs = state.resource!;
  const resourceServer = new provider.ResourceServer(rs.identifier, {
    scope: rs.scopes.join(' '),
    audience: rs.audience[0]!,
    accessTokenTTL: rs.ttl,
    accessTokenFormat: 'jwt',
  });
  const token = new provider.AccessToken({
    accountId: state.ownSubject!.sub!,
    client: client!,
    scope: state.scope!.join(' '),
    gty: 'token-exchange',
    resourceServer,
    grantId: state.subjectGrantId!,
  });
  await respondWithIssuedToken(ctx, token);
};
