import { errors } from 'oidc-provider';
import { canonicalScope, isMcScope } from '@mcx/auth';
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
 * chosen resource server as audience, the MC IDs of the user and the home system.
 */
export const issuePartnerToken = async (state: ExchangeState): Promise<void> => {
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
  const claims: Record<string, unknown> = { mcptt_id: subject.mcpttId, mc_home_system: state.partner!.systemId };
  if (subject.mcvideoId) claims['mcvideo_id'] = subject.mcvideoId;
  if (subject.mcdataId) claims['mcdata_id'] = subject.mcdataId;
  exchangeClaims.set(token, claims);
  await respondWithIssuedToken(ctx, token);
};
