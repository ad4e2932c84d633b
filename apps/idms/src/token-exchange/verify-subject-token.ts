import { invalidGrant } from './exchange-context.ts';
import { errors } from 'oidc-provider';
import { decodeJwt } from 'jose';
import { createTokenVerifier, TokenError, type TokenVerifier } from '@mcx/auth';
import type { PartnerConfig } from '../config/config.ts';
import type { ExchangeStep } from './exchange-context.ts';

/**
 * Issuer trust (TS 24.484 clause 4.2.2.1.2.1: the UE presents to the partner IdMS "the security
 * token obtained from the identity management server in the primary MC system"): the token's issuer must be a
 * configured partner; its signature verifies against that partner's JWKS (from discovery,
 * cached); it is unexpired; and its audience is this IdMS (the primary minted it for us).
 */
export function verifySubjectToken(partners: readonly PartnerConfig[], ownIssuer: string): ExchangeStep {
  const verifiers = new Map<string, TokenVerifier>();
  for (const p of partners) {
    verifiers.set(p.issuer, createTokenVerifier({ issuer: p.issuer, audience: ownIssuer, ...(p.jwksUri ? { jwksUri: p.jwksUri } : {}), clockTolerance: 5 }));
  }
  return async (state) => {
    let iss: string | undefined;
    try {
      iss = decodeJwt(state.subjectToken).iss;
    } catch {
      throw invalidGrant('subject_token is not a JWT');
    }
    const partner = partners.find((p) => p.issuer === iss);
    const verifier = iss ? verifiers.get(iss) : undefined;
    if (!partner || !verifier) throw invalidGrant('subject_token issuer is not trusted');
    try {
      state.subject = await verifier.verify(state.subjectToken);
    } catch (err) {
      if (!(err instanceof TokenError)) throw err;
      if (err.code === 'jwks-unavailable') throw new errors.TemporarilyUnavailable(`cannot fetch the keys of ${partner.systemId}`);
      throw invalidGrant(`subject_token rejected: ${err.message}`);
    }
    state.partner = partner;
  };
}
