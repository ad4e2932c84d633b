/**
 * The token contract of an MC system, the same in production, e2e and tests (docs/server-contracts.md):
 * - the `aud` of an access token is the resource server's identifier (RFC 8707 / RFC 9068 2.2): the
 *   HTTP(S) base URL of the CMS and of the GMS, and the MCS PSI `sip:mcptt-server@<domain>`;
 * - the MCS UE's OIDC client (TS 24.482 / TS 33.180 B.3: authorization code + PKCE, a public client);
 * - the IdMSs of two systems that trust each other know each other as confidential clients, for
 *   token introspection (RFC 7662) during the token exchange of a migrating user (TS 33.180 B.7).
 */
import { createHmac } from 'node:crypto';
import { systemHttpUrl, type SystemConfig } from '@mcx/ecosystem';

/** The MCS UE's OIDC client registration (a public client; the redirect URI is never dereferenced). */
export const UE_CLIENT = { clientId: 'mcx-ue', redirectUri: 'http://127.0.0.1/mcx-ue/callback' } as const;

export interface Audiences {
  cms: string;
  gms: string;
  mcs: string;
}

/** The MCS PSI, `sip:mcptt-server@<domain>` (TS 24.379: the MC service server's public service identity). */
export function mcsPsiOf(domain: string): string {
  return `sip:mcptt-server@${domain}`;
}

/** Resource-server identifiers (RFC 8707): the `aud` of the access tokens each server accepts. */
export function audiencesOf(s: Pick<SystemConfig, 'host' | 'ports' | 'domain' | 'tls'>): Audiences {
  return {
    cms: systemHttpUrl(s, s.ports.cms),
    gms: systemHttpUrl(s, s.ports.gms),
    mcs: mcsPsiOf(s.domain),
  };
}

/** The OIDC client id of system `from`'s IdMS at another IdMS (for introspection). */
export function idmsClientId(from: string): string {
  return `idms-${from}`;
}

/** The secret `from`'s IdMS presents at `at`'s IdMS; both sides derive it from their admin tokens. */
export function introspectionSecret(from: { id: string; adminToken: string }, at: { id: string; adminToken: string }): string {
  return createHmac('sha256', `${from.adminToken}\u0000${at.adminToken}`)
    .update(`introspection:${from.id}->${at.id}`)
    .digest('base64url');
}
