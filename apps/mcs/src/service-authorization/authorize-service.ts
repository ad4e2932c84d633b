/**
 * Service authorization in the primary MC system (TS 24.379 clause 7.3 shape): a valid token of
 * this system for a user of this system. A partner token (issued by token exchange for a user of
 * another system) is refused here: such a user needs migration service authorization (clause 7A).
 */
import type { McAccessToken } from '@mcx/auth';
import { Refusal } from '../refusal.ts';
import { homeSystemClaim } from './verify-access-token.ts';

export function authorizeService(token: McAccessToken, systemId: string): { homeSystem: string } {
  const home = homeSystemClaim(token);
  if (home !== undefined && home !== systemId) {
    throw new Refusal('migration-required', `a user of ${home} needs migration service authorization (selected user profile missing)`);
  }
  return { homeSystem: systemId };
}
