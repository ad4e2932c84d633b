// Public surface of @mcx/gms: start a group management server (TS 24.481), seed its groups.
export { startGms, type GmsHandle, type StartGmsDeps } from './server.ts';
export { gmsConfigSchema, parseGmsConfig, type GmsConfig, type GmsConfigInput } from './config/config.ts';
export { gmsSeedSchema, seedGroupSchema, type GmsSeedInput, type SeedResult } from './seed/seed.ts';
export { mcGroupIdOf, groupSelector, GROUPS_AUID, GROUPS_MIME, BY_GROUP_ID } from './csc2-xcap/group-uri.ts';
export type { GroupSummary, GroupDefinition, MemberInput } from './admin/group-operations.ts';
export type { SubscriptionSummary } from './group-subscriptions/group-notifier.ts';
