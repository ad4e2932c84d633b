// Public surface of @mcx/ue: the UE host (simulated MCS UEs), its policies and the migration benchmark.
export { startUeHost, type UeHostHandle, type CreateUeInput, type UeHostDeps } from './host/ue-host.ts';
export { ueHostConfigSchema, laneOf, type UeHostConfig, type UeHostConfigInput, type UeHostSystem, type UeHostSystemInput, type UeHostUser } from './config/config.ts';
export { Ue, type UeUser } from './ue/ue.ts';
export type { UeSnapshot, Message } from '@mcx/ue-host-api';
export { UE_STATES, StepError, type UeState, type StepName } from './ue/states.ts';
export { TRANSITIONS, UE_EVENTS, nextState, type UeEventName } from './ue/transitions.ts';
export type { PartnerSelectionPolicy, ProfileSelectionPolicy, ProfileView, PartnerCandidate, Selection } from './migration/policies.ts';
export { plmnMatchPartnerPolicy } from './migration/select-partner.ts';
export { preSelectedFirstProfilePolicy } from './migration/select-profile.ts';
export { ProtectedStore, loadHostSecret, type StoredCopy } from './at-rest/protected-store.ts';
export { CopyLog } from './at-rest/copy-log.ts';
export { runMigrationBench, sharesOf, type MigrationBenchResult, type MigrationBenchOptions, type BenchUeHost, type UeHostShare } from './bench/migration-bench.ts';
