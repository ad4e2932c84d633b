import { invalidGrant } from './exchange-context.ts';
import type { MigrationAuthorizations } from '../migration/authorizations.ts';
import type { ExchangeStep } from './exchange-context.ts';

/**
 * Only users authorized to migrate to this MC system get a token (TS 23.280 clause 10.17.5): a
 * MigrationAuthorization row with status "authorized" for (this system, the user's MCPTT ID, the
 * home system that issued the token), read from memory.
 */
export function checkMigrationAuthorization(authorizations: MigrationAuthorizations, systemId: string): ExchangeStep {
  return (state) => {
    const mcpttId = state.subject!.mcpttId;
    if (!mcpttId) throw invalidGrant('subject_token carries no mcptt_id');
    const authorization = authorizations.find({
      partnerSystemId: systemId,
      homeSystemId: state.partner!.systemId,
      mcpttId,
    });
    if (!authorization) throw invalidGrant(`${mcpttId} is not authorized to migrate to ${systemId}`);
    state.authorization = authorization;
  };
}
