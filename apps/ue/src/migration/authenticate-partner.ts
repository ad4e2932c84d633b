/**
 * MCS user authentication to the selected partner MC system (TS 24.484 clause 4.2.2.1.2.1,
 * seed 000): the UE contacts the partner IdMS named by the UE initial configuration embedded in
 * the selected partner entry, with "the security token obtained from the identity management
 * server in the primary MC system". Realised as (libs/auth, apps/idms):
 * 1. `migration-token`: refresh at the PRIMARY IdMS with `resource=<partner issuer>` (RFC 8707)
 *    → a short-lived token whose audience is the partner IdMS;
 * 2. `token-exchange`: RFC 8693 at the PARTNER IdMS token endpoint → the partner access token
 *    (aud = partner CMS, GMS, MCS; `mc_home_system` = the primary system).
 */
import { exchangeToken, refreshForResource } from '@mcx/auth';
import { classify } from '../ue/classify.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession } from '../ue/session.ts';
import { StepError } from '../ue/states.ts';

export async function authenticatePartner(host: HostServices, home: SystemSession, partner: SystemSession): Promise<void> {
  const rt = home.tokens?.refreshToken;
  if (!rt) throw new StepError('migration-token', 'no refresh token from the primary IdMS', false);
  let migrationToken: string;
  try {
    const cfg = await host.idmsConfiguration(home.idmsIssuer);
    migrationToken = (await refreshForResource({ issuer: home.idmsIssuer, clientId: host.config.ueClient.clientId, refreshToken: rt, resource: partner.idmsIssuer, configuration: cfg })).accessToken;
  } catch (err) {
    throw classify('migration-token', err);
  }
  try {
    const cfg = await host.idmsConfiguration(partner.idmsIssuer);
    const t = await exchangeToken({ partnerIssuer: partner.idmsIssuer, clientId: host.config.ueClient.clientId, subjectToken: migrationToken, configuration: cfg });
    partner.tokens = { accessToken: t.accessToken, expiresAt: Date.now() + (t.expiresIn ?? 300) * 1000 };
    partner.mcpttId = home.mcpttId;
  } catch (err) {
    throw classify('token-exchange', err);
  }
}
