/**
 * MCS user authentication to the selected partner MC system (TS 24.484 clause 4.2.2.1.2.1): the
 * UE contacts the partner IdMS named by the UE initial configuration embedded in the selected
 * partner entry, with "the security token obtained from the identity management server in the
 * primary MC system". Realised in two steps (libs/auth, apps/idms):
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
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';

/** The primary IdMS's token for the partner IdMS. */
export async function migrationToken(host: HostServices, home: SystemSession, partner: SystemSession): Promise<string> {
  const rt = home.tokens?.refreshToken;
  if (!rt) throw new StepError('migration-token', 'no refresh token from the primary IdMS', false);
  try {
    const cfg = await host.idmsConfiguration(home.idmsIssuer);
    return (await refreshForResource({ issuer: home.idmsIssuer, clientId: host.config.ueClient.clientId, refreshToken: rt, resource: partner.idmsIssuer, configuration: cfg, fetch: home.http })).accessToken;
  } catch (err) {
    throw classify('migration-token', err);
  }
}

/** The partner access token for the migration token (RFC 8693 clause 2.1). */
export async function tokenExchange(host: HostServices, home: SystemSession, partner: SystemSession, subjectToken: string): Promise<void> {
  try {
    const cfg = await host.idmsConfiguration(partner.idmsIssuer);
    const t = await exchangeToken({ partnerIssuer: partner.idmsIssuer, clientId: host.config.ueClient.clientId, subjectToken, configuration: cfg, fetch: partner.http });
    partner.tokens = { accessToken: t.accessToken, expiresAt: Date.now() + (t.expiresIn ?? 300) * 1000 };
    partner.mcpttId = home.mcpttId;
  } catch (err) {
    throw classify('token-exchange', err);
  }
}

/** Both exchanges (token renewal in a partner system). */
export async function authenticatePartner(host: HostServices, home: SystemSession, partner: SystemSession): Promise<void> {
  await tokenExchange(host, home, partner, await migrationToken(host, home, partner));
}

export const migrationTokenStep: Step<MigrationContext> = {
  name: 'migration-token',
  clause: 'TS 24.484 4.2.2.1.2.1; RFC 8707',
  async run(ctx) {
    ctx.migrationToken = await migrationToken(ctx.ue.host, ctx.ue.home!, ctx.session!);
    return undefined;
  },
};

export const tokenExchangeStep: Step<MigrationContext> = {
  name: 'token-exchange',
  clause: 'TS 24.484 4.2.2.1.2.1; RFC 8693 2.1',
  async run(ctx) {
    const session = ctx.session!;
    await tokenExchange(ctx.ue.host, ctx.ue.home!, session, ctx.migrationToken!);
    return { event: 'PARTNER_AUTHENTICATED', text: `partner token from ${session.idmsIssuer}` };
  },
};
