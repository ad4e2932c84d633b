/**
 * Token checks of service authorization (TS 24.379 clause 7.3 shape; TS 33.180 annex B.5): the
 * access token must come from this system's IdMS (issuer), name this MCS (audience, RFC 8707)
 * and grant the MC service scope; the identity is the token's `mcptt_id`, never a SIP header.
 */
import { TokenError, type McAccessToken, type TokenVerifier } from '@mcx/auth';
import { Refusal } from '../refusal.ts';

export async function verifyAccessToken(verifier: TokenVerifier, token: string): Promise<McAccessToken> {
  let t: McAccessToken;
  try {
    t = await verifier.verify(token);
  } catch (err) {
    if (err instanceof TokenError) {
      if (err.code === 'jwks-unavailable') throw new Refusal('unavailable', `IdMS keys unavailable: ${err.message}`);
      if (err.code === 'insufficient-scope') throw new Refusal('insufficient-scope', err.message);
      throw new Refusal('invalid-token', `${err.code}: ${err.message}`);
    }
    throw err;
  }
  if (!t.mcpttId) throw new Refusal('no-mcptt-id', 'the access token carries no mcptt_id');
  return t;
}

/** The primary MC system of a token's user: `mc_home_system` of a token-exchange token (partner token), else undefined. */
export function homeSystemClaim(t: McAccessToken): string | undefined {
  const v = t.claims['mc_home_system'];
  return typeof v === 'string' && v ? v : undefined;
}

/**
 * The user's MCPTT ID in its primary system, in a partner token whose `mcptt_id` is the ID the
 * partner system assigned (TS 23.280 clause 10.16.5); claim name `mc_primary_mcptt_id` is our choice.
 */
export function primaryMcpttIdClaim(t: McAccessToken): string | undefined {
  const v = t.claims['mc_primary_mcptt_id'];
  return typeof v === 'string' && v ? v : undefined;
}
