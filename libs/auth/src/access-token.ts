import type { JWTPayload } from 'jose';

/**
 * An MC access token as a resource server sees it after verification: a JWT (RFC 9068) signed
 * by the IdMS (TS 33.180 annex B.2.2) carrying the MC service IDs of the user.
 */
export interface McAccessToken {
  issuer: string;
  /** `sub` (the IdM account). */
  subject: string;
  audience: string[];
  clientId: string | undefined;
  /** Granted scopes, canonical names (legacy aliases replaced). */
  scopes: Set<string>;
  /** Granted scopes exactly as in the token. */
  rawScope: string;
  mcpttId: string | undefined;
  mcvideoId: string | undefined;
  mcdataId: string | undefined;
  jti: string | undefined;
  issuedAt: Date | undefined;
  expiresAt: Date;
  /** All claims as received. */
  claims: JWTPayload & Record<string, unknown>;
}

/** Access-token claims the IdMS adds beside the RFC 9068 ones (TS 33.180 annex B "service IDs"). */
export const MC_ID_CLAIMS = ['mcptt_id', 'mcvideo_id', 'mcdata_id'] as const;
