import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWTPayload } from 'jose';
import type { McAccessToken } from '@mcx/auth';
import type { MigrationAuthorization } from '@mcx/db';
import type { PartnerConfig } from '../config/config.ts';
import type { ResourceServerDescription } from '../csc1-oidc/resource-servers.ts';

/** What the token-exchange steps learn, step by step (RFC 8693 clause 2.2 processing). */
export interface ExchangeState {
  ctx: KoaContextWithOIDC;
  subjectToken: string;
  /** The requested resource (RFC 8707) or audience (RFC 8693 clause 2.1), if any. */
  requestedResource?: string;
  requestedScope?: Set<string>;
  partner?: PartnerConfig;
  subject?: McAccessToken;
  authorization?: MigrationAuthorization;
  resource?: ResourceServerDescription;
  scope?: string[];
  /** Primary leg: the subject token, an access token of this IdMS (verified claims). */
  ownSubject?: JWTPayload;
  /** Primary leg: the grant the subject token stands on. */
  subjectGrantId?: string;
}

/** One named step of the procedure; throws an OAuth error (oidc-provider error classes render as RFC 6749 clause 5.2 JSON). */
export type ExchangeStep = (state: ExchangeState) => Promise<void> | void;

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
export const JWT_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:jwt';

/**
 * invalid_grant whose error_description says why (RFC 6749 clause 5.2: human-readable text for the
 * client developer); oidc-provider would otherwise keep the detail private and answer only
 * "grant request is invalid".
 */
export function invalidGrant(detail: string): InstanceType<typeof errors.InvalidGrant> {
  const error = new errors.InvalidGrant(detail);
  error.error_description = detail;
  return error;
}

/** What the issued token needs to render the answer (an oidc-provider AccessToken). */
interface IssuedAccessToken {
  save(): Promise<string | undefined>;
  expiration: number;
  scope?: string | undefined;
}

/**
 * The successful token-exchange response (RFC 8693 clause 2.2.1): the issued access token, its type,
 * lifetime and scope, never cached (RFC 6749 clause 5.1).
 */
export async function respondWithIssuedToken(ctx: KoaContextWithOIDC, token: IssuedAccessToken): Promise<void> {
  ctx.oidc.entity('AccessToken', token as never);
  const value = await token.save();
  ctx.set('cache-control', 'no-store');
  ctx.body = {
    access_token: value,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: token.expiration,
    scope: token.scope,
  };
}
