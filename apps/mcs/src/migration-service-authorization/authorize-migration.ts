/**
 * Migration service authorization in a partner MC system (TS 24.379 clause 7A shape; TS 24.484
 * clause 4.2.2.1.2.1), as a sequence of named checks:
 * 1. `checkPartnerToken`: the token was issued by THIS system's IdMS by token exchange for a user
 *    of the home system the UE names (`mc_home_system`);
 * 2. `checkSharedAuthorization`: the partner CMS holds a migration authorization for the user,
 *    received from that home system over CSC-17 (asked over CSC-5), in force;
 * 3. `checkSelectedProfile`: the selected user profile is among the access profiles shared.
 */
import type { McAccessToken } from '@mcx/auth';
import type { Csc5Client, MigrationAuthorization } from '../csc5/migration-authorizations.ts';
import { Refusal } from '../refusal.ts';
import { homeSystemClaim } from '../service-authorization/verify-access-token.ts';
import type { MigrationRequest } from './migration-request.ts';

export function checkPartnerToken(token: McAccessToken, request: MigrationRequest, systemId: string): void {
  const home = homeSystemClaim(token);
  if (home === undefined) throw new Refusal('migration-not-authorized', 'the access token was not issued for a migrating user (no mc_home_system)');
  if (home === systemId) throw new Refusal('bad-migration-request', `${systemId} is the user's own system`);
  if (home !== request.homeSystem) throw new Refusal('wrong-home-system', `token is for a user of ${home}, the request names ${request.homeSystem}`);
}

export async function checkSharedAuthorization(csc5: Csc5Client | undefined, mcpttId: string, request: MigrationRequest): Promise<MigrationAuthorization> {
  if (!csc5) throw new Refusal('migration-not-authorized', 'this MCS has no CMS (CSC-5) to check migration authorizations');
  const auth = await csc5.migrationAuthorization(mcpttId);
  if (!auth) throw new Refusal('migration-not-authorized', `the CMS holds no migration authorization for ${mcpttId}`);
  if (auth.status !== 'authorized') throw new Refusal('migration-not-authorized', `migration authorization of ${mcpttId} is ${auth.status}`);
  if (auth.homeSystemId !== request.homeSystem) {
    throw new Refusal('wrong-home-system', `authorization was shared by ${auth.homeSystemId}, the request names ${request.homeSystem}`);
  }
  return auth;
}

export function checkSelectedProfile(auth: MigrationAuthorization, request: MigrationRequest): void {
  if (!auth.accessProfiles.includes(request.userProfileIndex)) {
    throw new Refusal(
      'profile-not-authorized',
      `user profile ${request.userProfileIndex} is not among the profiles shared for access (${auth.accessProfiles.join(', ') || 'none'})`,
    );
  }
}

/** Runs the three checks in order. @throws Refusal */
export async function authorizeMigration(
  token: McAccessToken,
  request: MigrationRequest,
  systemId: string,
  csc5: Csc5Client | undefined,
): Promise<MigrationAuthorization> {
  checkPartnerToken(token, request, systemId);
  const auth = await checkSharedAuthorization(csc5, token.mcpttId!, request);
  checkSelectedProfile(auth, request);
  return auth;
}
