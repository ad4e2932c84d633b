// Public surface of @mcx/cms: start a CMS, seed it, the types the composition root and UEs need.
export { startCms, type CmsHandle, type StartCmsDeps } from './server.ts';
export { cmsConfigSchema, parseCmsConfig, type CmsConfig, type CmsConfigInput, type PartnerConfig, type UploadRequestPolicy } from './config/config.ts';
export type { CmsSeed, SeedUser, SeedProfile, SeedPartnerEntry, SeedGroupRef, SeedResult } from './seed/seed.ts';
export { userProfileSelector, ueConfigSelector, ueIdOfUser, SERVICE_CONFIG_SELECTOR, migrationProfileSelector, MIME } from './csc4-xcap/document-uris.ts';
export { UE_INIT_CONFIG_MASTER_SELECTOR } from './csc4-xcap/ue-init-config.ts';
export { PROFILE_VERSION_HEADER, UPLOAD_REQUESTED_HEADER } from './profiles/get-with-version.ts';
export type { IdmsMigrationHook, MigrationAuthorizationNotice } from './csc17-partner-sharing/idms-hook.ts';
export type { ShareStatus, ShareSummary } from './csc17-partner-sharing/outbound.ts';
