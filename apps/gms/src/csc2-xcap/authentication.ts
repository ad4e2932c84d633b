/**
 * Who is asking, on HTTP (XCAP, TS 24.482 Annex A "HTTP server") and on SIP (mcptt-info access
 * token, TS 24.484 clause 6.3.13.2.2 / TS 24.481 clause 6.3.13): the identity is the `mcptt_id`
 * claim of an access token issued by this system's IdMS for the GMS audience with the group
 * management scope (TS 33.180 annex B). A migrated user holding a token of this (partner) system's
 * IdMS is treated like any user; membership decides. The system admin token (server contracts,
 * "Admin credential") is a principal with the admin role.
 */
import { bearerToken, isAdminCredential, TokenError, type TokenVerifier } from '@mcx/auth';
import type { Principal } from '@mcx/xcap';
import { ADMIN_ROLE } from './group-usage.ts';

export const ADMIN_PRINCIPAL: Principal = { id: 'admin', roles: [ADMIN_ROLE] };

/** A verified MC user, or a refusal that renders as an RFC 6750 challenge. */
export class Authenticator {
  constructor(
    private readonly verifier: TokenVerifier,
    private readonly adminToken: string,
  ) {}

  /** The principal of an access token; rejects with TokenError (no token, invalid, no mcptt_id). */
  async principalOf(token: string | undefined): Promise<Principal> {
    if (isAdminCredential(token, this.adminToken)) return ADMIN_PRINCIPAL;
    const t = await this.verifier.verify(token);
    if (t.mcpttId === undefined) throw new TokenError('insufficient-scope', 'the access token carries no mcptt_id');
    return { id: t.mcpttId };
  }

  /** From `Authorization: Bearer` (RFC 6750 clause 2.1). */
  async principalOfRequest(authorization: string | undefined): Promise<Principal> {
    return this.principalOf(bearerToken(authorization));
  }
}
