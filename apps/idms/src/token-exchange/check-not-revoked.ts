import { invalidGrant, type ExchangeStep } from './exchange-context.ts';
import type { PartnerRevocations } from '../revocation-push/receiver.ts';

/**
 * The subject token must still be active at its issuer: a token the primary IdMS revoked (RFC
 * 7009), or whose grant it revoked, is refused even though its signature and expiry are fine ("a
 * replayed revoked token"). The primary pushes those revocations here as they happen (RFC 8935
 * push of RFC 8417 SETs, ../revocation-push/), so this check is a memory lookup rather than an
 * RFC 7662 introspection round trip to the primary on every exchange (our choice).
 */
export function checkNotRevoked(revocations: PartnerRevocations): ExchangeStep {
  return (state) => {
    if (revocations.has(state.partner!.issuer, state.subject?.jti)) {
      throw invalidGrant(`subject_token is no longer active (revoked at ${state.partner!.systemId})`);
    }
  };
}
