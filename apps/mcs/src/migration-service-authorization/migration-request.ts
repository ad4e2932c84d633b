/**
 * The migration part of a REGISTER/PUBLISH for migration service authorization (TS 24.379 clause
 * 7A shape; TS 24.484 clause 4.2.2.1.2.1: the UE uses "the access token obtained during the MCS
 * user authentication to the selected partner MC system" and "the selected MCS user profile
 * configuration document which is one of the MCS user profile configuration document(s)
 * configured by the primary MC system").
 *
 * The selected profile travels in `<anyExt>` of `<mcptt-Params>` as
 * `<selected-user-profile-index><user-profile-index>1</user-profile-index></selected-user-profile-index>`
 * (MCPTT counterpart of the TS 24.281 mcvideoinfo element; names in
 * libs/documents/src/migration-names.ts, inferred). Its presence makes the REGISTER a migration
 * service authorization; the identities come from the partner access token (`mcptt_id` = the ID
 * the partner system assigned, `mc_home_system`, `mc_primary_mcptt_id`), never from the body.
 */
import { migrationInfoOf, type McpttInfo } from '@mcx/documents';

export interface MigrationRequest {
  /** The primary-configured user profile selected for access (TS 24.484 clause 4.2.2.1.2.3). */
  userProfileIndex: number;
}

/** The migration request of an mcptt-info document, undefined when there is none. */
export function readMigrationRequest(info: McpttInfo): MigrationRequest | undefined {
  const index = migrationInfoOf(info).selectedUserProfileIndex;
  // The codec already refused an index that is no xs:unsignedByte (TS 24.484 clause 8.3.2).
  return index === undefined ? undefined : { userProfileIndex: index };
}
