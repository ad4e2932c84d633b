import { errors } from 'oidc-provider';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, type ExchangeStep } from './exchange-context.ts';

/**
 * RFC 8693 clause 2.1: subject_token and subject_token_type are REQUIRED; this IdMS accepts an
 * access token (a JWT) and issues an access token; delegation (actor_token) is not supported.
 */
export const readRequest: ExchangeStep = (state) => {
  const params = state.ctx.oidc.params as Record<string, unknown>;
  const str = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);
  const subjectToken = str('subject_token');
  const subjectTokenType = str('subject_token_type');
  if (!subjectToken) throw new errors.InvalidRequest('missing required parameter subject_token');
  if (!subjectTokenType) throw new errors.InvalidRequest('missing required parameter subject_token_type');
  if (subjectTokenType !== ACCESS_TOKEN_TYPE && subjectTokenType !== JWT_TOKEN_TYPE) {
    throw new errors.InvalidRequest('unsupported subject_token_type');
  }
  const requested = str('requested_token_type');
  if (requested && requested !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('unsupported requested_token_type');
  if (str('actor_token') || str('actor_token_type')) throw new errors.InvalidRequest('delegation (actor_token) is not supported');
  state.subjectToken = subjectToken;
  const resource = params['resource'];
  if (Array.isArray(resource)) {
    if (resource.length > 1) throw new errors.InvalidTarget('only a single resource indicator value is supported');
    state.requestedResource = typeof resource[0] === 'string' ? resource[0] : undefined;
  } else {
    state.requestedResource = str('resource') ?? str('audience');
  }
  const scope = str('scope');
  if (scope) state.requestedScope = new Set(scope.split(' ').filter(Boolean));
};
