/**
 * Migration service authorization in a partner MC system (TS 23.280 clause 10.6.3; TS 24.379
 * clause 7A shape; TS 24.484 clause 4.2.2.1.2.1), as a sequence of named checks:
 * 1. `checkPartnerToken`: the token was issued by THIS system's IdMS by token exchange for a user
 *    of another (home) system (`mc_home_system`);
 * 2. `checkSharedAuthorization`: the partner CMS holds a migration authorization for the user,
 *    received from that home system over CSC-17 (asked over CSC-5), in force;
 * 3. `askPrimary`: the primary MC service server decides whether its user may migrate here with
 *    the selected profile (the MCS-to-MCS leg, ../primary-leg/); its refusal, with its cause,
 *    is the answer to the UE.
 */
import type { McAccessToken } from '@mcx/auth';
import type { Csc5Client, MigrationAuthorization } from '../csc5/migration-authorizations.ts';
import type { PrimaryLeg } from '../primary-leg/ask-primary.ts';
import { Refusal } from '../refusal.ts';
import { homeSystemClaim, primaryMcpttIdClaim } from '../service-authorization/verify-access-token.ts';
import type { MigrationRequest } from './migration-request.ts';

export interface MigrationIdentity {
  homeSystem: string;
  /** The ID this system assigned (the token's `mcptt_id`, TS 23.280 clause 10.16.5). */
  partnerMcpttId: string;
  /** The user's ID in its primary system (`mc_primary_mcptt_id`; the same ID when the partner kept it). */
  primaryMcpttId: string;
}

export function checkPartnerToken(token: McAccessToken, systemId: string): MigrationIdentity {
  const home = homeSystemClaim(token);
  if (home === undefined) throw new Refusal('migration-not-authorized', 'the access token was not issued for a migrating user (no mc_home_system)');
  if (home === systemId) throw new Refusal('bad-migration-request', `${systemId} is the user's own system`);
  return { homeSystem: home, partnerMcpttId: token.mcpttId!, primaryMcpttId: primaryMcpttIdClaim(token) ?? token.mcpttId! };
}

export async function checkSharedAuthorization(csc5: Csc5Client | undefined, id: MigrationIdentity): Promise<MigrationAuthorization> {
  if (!csc5) throw new Refusal('migration-not-authorized', 'this MCS has no CMS (CSC-5) to check migration authorizations');
  const auth = await csc5.migrationAuthorization(id.partnerMcpttId);
  if (!auth) throw new Refusal('migration-not-authorized', `the CMS holds no migration authorization for ${id.partnerMcpttId}`);
  if (auth.status !== 'authorized') throw new Refusal('migration-not-authorized', `migration authorization of ${id.partnerMcpttId} is ${auth.status}`);
  if (auth.homeSystemId !== id.homeSystem) {
    throw new Refusal('wrong-home-system', `authorization was shared by ${auth.homeSystemId}, the token names ${id.homeSystem}`);
  }
  return auth;
}

/** Runs the three checks in order. @throws Refusal */
export async function authorizeMigration(
  token: McAccessToken,
  request: MigrationRequest,
  systemId: string,
  csc5: Csc5Client | undefined,
  primary: PrimaryLeg,
): Promise<MigrationIdentity> {
  const id = checkPartnerToken(token, systemId);
  await checkSharedAuthorization(csc5, id);
  await primary.ask(id.homeSystem, { partnerMcpttId: id.partnerMcpttId, primaryMcpttId: id.primaryMcpttId, userProfileIndex: request.userProfileIndex });
  return id;
}
