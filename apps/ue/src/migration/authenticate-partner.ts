/**
 * MCS user authentication to the selected partner MC system (TS 24.484 clause 4.2.2.1.2.1): the
 * UE contacts the partner IdMS named by the UE initial configuration embedded in the selected
 * partner entry, with "the security token obtained from the identity management server in the
 * primary MC system". Realised in two steps (libs/auth, apps/idms):
 * 1. `migration-token`: token exchange at the PRIMARY IdMS (TS 33.180 annex B.7, RFC 8693) of the
 *    UE's primary access token, audience = the partner IdMS → a short-lived token whose
 *    audience is the partner IdMS;
 * 2. `token-exchange`: RFC 8693 at the PARTNER IdMS token endpoint → the partner access token
 *    (aud = partner CMS, GMS, MCS; `mc_home_system` = the primary system; `mcptt_id` = the MCPTT
 *    ID the partner system assigned, TS 23.280 clause 10.16.5, which the UE uses in the partner:
 *    REGISTER, SUBSCRIBE, the XCAP URIs of its documents there).
 */
import { exchangeForPartnerIdms, exchangeToken } from '@mcx/auth';
import { mcpttIdOf, refresh } from '../online-configuration/authenticate.ts';
import { classify } from '../ue/classify.ts';
import type { HostServices } from '../ue/host-services.ts';
import type { SystemSession } from '../ue/session.ts';
import { StepError } from '../ue/states.ts';
import type { Step } from '../ue/step-runner.ts';
import type { MigrationContext } from './context.ts';

/** Margin before expiry under which the primary access token is refreshed first (our choice). */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * The primary IdMS's token for the partner IdMS: the UE's current primary access token exchanged
 * at the primary IdMS (TS 33.180 annex B.7), refreshed first when it has (nearly) expired.
 */
export async function migrationToken(host: HostServices, home: SystemSession, partner: SystemSession): Promise<string> {
  if (!home.tokens) throw new StepError('migration-token', 'no access token from the primary IdMS', false);
  try {
    if (home.tokens.expiresAt - EXPIRY_MARGIN_MS <= Date.now() && !(await refresh(host, home))) {
      throw new StepError('migration-token', 'the primary access token expired and the refresh token was refused', false);
    }
    const cfg = await host.idmsConfiguration(home.idmsIssuer);
    const t = await exchangeForPartnerIdms({
      issuer: home.idmsIssuer,
      clientId: host.config.ueClient.clientId,
      subjectToken: home.tokens.accessToken,
      partnerIssuer: partner.idmsIssuer,
      configuration: cfg,
      fetch: home.http,
    });
    return t.accessToken;
  } catch (err) {
    if (err instanceof StepError && err.step !== 'migration-token') throw new StepError('migration-token', err.reason, err.transient);
    throw classify('migration-token', err);
  }
}

/** The partner access token for the migration token (RFC 8693 clause 2.1). */
export async function tokenExchange(host: HostServices, home: SystemSession, partner: SystemSession, subjectToken: string): Promise<void> {
  try {
    const cfg = await host.idmsConfiguration(partner.idmsIssuer);
    const t = await exchangeToken({ partnerIssuer: partner.idmsIssuer, clientId: host.config.ueClient.clientId, subjectToken, configuration: cfg, fetch: partner.http });
    partner.tokens = { accessToken: t.accessToken, expiresAt: Date.now() + (t.expiresIn ?? 300) * 1000 };
    // TS 23.280 clause 10.16.5: the ID the partner system assigned (the token's mcptt_id); the primary one if it kept it.
    partner.mcpttId = mcpttIdOf(t) ?? home.mcpttId;
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
  clause: 'TS 24.484 4.2.2.1.2.1; TS 33.180 B.7; RFC 8693 2.1',
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
