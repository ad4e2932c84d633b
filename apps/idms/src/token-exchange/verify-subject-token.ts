import { invalidGrant } from './exchange-context.ts';
import { errors } from 'oidc-provider';
import { decodeJwt } from 'jose';
import { createTokenVerifier, TokenError, type TokenVerifier } from '@mcx/auth';
import type { PartnerConfig } from '../config/config.ts';
import type { ExchangeStep } from './exchange-context.ts';
import type { PartnerRevocations } from '../revocation-push/receiver.ts';

/**
 * Issuer trust (TS 24.484 clause 4.2.2.1.2.1: the UE presents to the partner IdMS "the security
 * token obtained from the identity management server in the primary MC system"): the token's issuer must be a
 * configured partner; its signature verifies against that partner's JWKS (from discovery,
 * cached); it is unexpired; and its audience is this IdMS (the primary minted it for us). Each
 * verification is kept until the token expires (@mcx/auth); a revocation the partner pushed drops it.
 */
export function verifySubjectToken(partners: readonly PartnerConfig[], ownIssuer: string, revocations: PartnerRevocations): ExchangeStep {
  const verifiers = new Map<string, TokenVerifier>();
  for (const p of partners) {
    const verifier = createTokenVerifier({ issuer: p.issuer, audience: ownIssuer, ...(p.jwksUri ? { jwksUri: p.jwksUri } : {}), clockTolerance: 5 });
    verifiers.set(p.issuer, verifier);
    revocations.attach(p.issuer, verifier);
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
