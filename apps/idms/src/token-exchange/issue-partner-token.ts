import { errors } from 'oidc-provider';
import { assignMigratedMcpttId, canonicalScope, isMcScope, PRIMARY_MCPTT_ID_CLAIM } from '@mcx/auth';
import type { IdmsConfig } from '../config/config.ts';
import type { ResourceServerDescription } from '../csc1-oidc/resource-servers.ts';
import { respondWithIssuedToken, type ExchangeState, type ExchangeStep } from './exchange-context.ts';

/** RFC 8707 / RFC 8693 clause 2.1: the target of the partner token, one of this system's MC resource servers. */
export function resolveTarget(resourceServers: Map<string, ResourceServerDescription>, defaultResource: string): ExchangeStep {
  return (state) => {
    const id = state.requestedResource ?? defaultResource;
    const rs = resourceServers.get(id);
    if (!rs || rs.kind === 'partner-idms') throw new errors.InvalidTarget(`cannot issue a token for ${id}`);
    state.resource = rs;
  };
}

/**
 * Scopes of the partner token: those requested (default: those of the subject token), that the
 * primary granted (legacy names match their current name), and that the target understands.
 */
export const selectScopes: ExchangeStep = (state) => {
  const granted = state.subject!.scopes;
  const wanted = state.requestedScope ?? new Set(state.subject!.rawScope.split(' ').filter(Boolean));
  const understood = new Set(state.resource!.scopes);
  const scope = [...wanted].filter((s) => isMcScope(s) && understood.has(s) && granted.has(canonicalScope(s)));
  if (scope.length === 0) throw new errors.InvalidScope('none of the requested scopes may be granted', [...wanted].join(' '));
  state.scope = scope;
};

/** Claims of a partner access token that come from the exchange (picked up by extraTokenClaims). */
export const exchangeClaims = new WeakMap<object, Record<string, unknown>>();

/**
 * Issue the partner access token (RFC 8693 clause 2.2.1): a JWT with this IdMS as issuer, the
 * chosen resource server as audience, the home system, and as `mcptt_id` the MCPTT ID this system
 * assigned the migrated user (TS 23.280 clause 10.16.5), the primary one in `mc_primary_mcptt_id`.
 */
export const issuePartnerToken = (config: Pick<IdmsConfig, 'migratedIds'>) => async (state: ExchangeState): Promise<void> => {
  const { ctx } = state;
  const { provider, client } = ctx.oidc;
  const subject = state.subject!;
  const rs = state.resource!;
  const resourceServer = new provider.ResourceServer(rs.identifier, {
    scope: rs.scopes.join(' '),
    audience: rs.audience[0]!,
    accessTokenTTL: rs.ttl,
    accessTokenFormat: 'jwt',
  });
  const token = new provider.AccessToken({
    accountId: `${state.partner!.systemId}:${subject.subject}`,
    client: client!,
    scope: state.scope!.join(' '),
    gty: 'token-exchange',
    resourceServer,
    // No grant at this IdMS: the token stands on the primary's grant (checked by introspection).
    grantId: undefined as unknown as string,
  });
  const home = state.partner!.systemId;
  const ids = config.migratedIds;
  const mcpttId = ids && subject.mcpttId ? assignMigratedMcpttId(subject.mcpttId, home, ids.domain, ids.assigned) : subject.mcpttId;
  const claims: Record<string, unknown> = { mcptt_id: mcpttId, mc_home_system: home, [PRIMARY_MCPTT_ID_CLAIM]: subject.mcpttId };
  if (subject.mcvideoId) claims['mcvideo_id'] = subject.mcvideoId;
  if (subject.mcdataId) claims['mcdata_id'] = subject.mcdataId;
  exchangeClaims.set(token, claims);
  await respondWithIssuedToken(ctx, token);
};
