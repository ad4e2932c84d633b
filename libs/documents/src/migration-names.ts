/**
 * Every XML name migration uses (TS 23.280 clause 10.6.3, 10.16.5; TS 24.484 clause 4.2.2.1.2),
 * in one place. Where each comes from:
 *
 * - PUBLISHED (TS 24.281 / TS 24.484 Release 20, MCVideo): the MCVideo user profile carries one
 *   global element `MigratablePartnerMCVideoSystemInfo` per partner in the user-profile namespace,
 *   "for migration" in the root `anyExt`, with a `PartnerMCVideoSystemId` child (xs:anyURI) and the
 *   complete embedded `mcptt-UE-initial-configuration` (namespace
 *   `urn:3gpp:mcptt:mcpttUEinitConfig:1.0`); the mcvideoinfo schema defines the anyExt elements
 *   `partner-mcvideo-id`, `primary-mcvideo-id`, `selected-user-profile-index` (child
 *   `user-profile-index`) and `migration-auth-result` of `mcvideo-Params`.
 * - INFERRED (ours, by analogy; not read in a published MCPTT schema): the MCPTT counterparts below,
 *   `MigratablePartnerMCPTTSystemInfo` / `PartnerMCPTTSystemId` in `urn:3gpp:mcptt:user-profile:1.0`
 *   and `partner-mcptt-id` / `primary-mcptt-id` / `selected-user-profile-index` /
 *   `migration-auth-result` in `urn:3gpp:ns:mcpttInfo:1.0` (anyExt of `mcptt-Params`). The element
 *   types (contentType for the IDs, xs:unsignedByte for the index, xs:boolean for the result) are
 *   inferred too. libs/schemas/xsd/inferred/ holds a small XSD for them, marked as such.
 */

/** User profile namespace (TS 24.484 clause 8.3.3.2), where the partner entries are global elements. */
export const USER_PROFILE_MIGRATION_NS = 'urn:3gpp:mcptt:user-profile:1.0';
/** INFERRED from `MigratablePartnerMCVideoSystemInfo`: one per partner MC system, in the profile's root anyExt. */
export const MIGRATABLE_PARTNER_ELEMENT = 'MigratablePartnerMCPTTSystemInfo';
/** INFERRED from `PartnerMCVideoSystemId` (xs:anyURI): the identity of the partner MC system. */
export const PARTNER_SYSTEM_ID_ELEMENT = 'PartnerMCPTTSystemId';
/** PUBLISHED (TS 24.484 clause 7.2): the embedded document's root, in its own namespace. */
export const EMBEDDED_UE_INIT_CONFIG_NS = 'urn:3gpp:mcptt:mcpttUEinitConfig:1.0';
export const EMBEDDED_UE_INIT_CONFIG_ROOT = 'mcptt-UE-initial-configuration';

/** mcptt-info namespace (TS 24.379 clause F.1). */
export const MCPTT_INFO_MIGRATION_NS = 'urn:3gpp:ns:mcpttInfo:1.0';
/** INFERRED from `partner-mcvideo-id`: the MC service ID the partner system assigned (TS 23.280 10.16.5). */
export const PARTNER_MCPTT_ID_ELEMENT = 'partner-mcptt-id';
/** INFERRED from `primary-mcvideo-id`: the user's MC service ID in its primary system. */
export const PRIMARY_MCPTT_ID_ELEMENT = 'primary-mcptt-id';
/** PUBLISHED name (mcvideoinfo), reused as is: the profile selected for access... */
export const SELECTED_USER_PROFILE_INDEX_ELEMENT = 'selected-user-profile-index';
/** ...and its child carrying the index (xs:unsignedByte). */
export const USER_PROFILE_INDEX_ELEMENT = 'user-profile-index';
/** PUBLISHED name (mcvideoinfo), reused as is: the primary server's decision (xs:boolean). */
export const MIGRATION_AUTH_RESULT_ELEMENT = 'migration-auth-result';
