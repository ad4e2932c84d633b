// Public surface of @mcx/ue-host-api: the wire types of the UE host control API (docs/ue-host-api.md) and a typed client.
export { UE_STATES, STEP_NAMES, type UeState, type StepName } from './states.ts';
export type { UeSnapshot, SnapshotDocument } from './snapshot.ts';
export type { Message } from './message.ts';
export type {
  CreateUeRequest,
  CreateBulkRequest,
  BulkPlmnRequest,
  BulkResponse,
  SyncResult,
  SyncResponse,
  UploadRequest,
  UploadResult,
  LocalCopy,
  UeHostHealth,
  UeSummary,
  Problem,
} from './requests.ts';
export { UeHostClient, UeHostApiError, type UeHostClientOptions } from './client.ts';
