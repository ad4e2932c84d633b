/** Request and response bodies of the control API endpoints other than snapshots and messages (docs/ue-host-api.md "Endpoints"). */
import type { UeState } from './states.ts';

/** `POST /api/ues`. */
export interface CreateUeRequest {
  id?: string;
  user: string;
  password?: string;
  /** Registered PLMN at start (MCC + MNC). */
  plmn?: string;
}

/** `POST /api/ues/bulk`: `count` UEs `<prefix>-1..count`, users taken in turn. */
export interface CreateBulkRequest {
  count: number;
  user?: string;
  users?: string[];
  prefix?: string;
  plmn?: string;
}

/** `POST /api/ues/bulk/plmn`: the UEs named, else those whose id starts with `prefix` (all without either). */
export interface BulkPlmnRequest {
  ids?: string[];
  prefix?: string;
  plmn: string;
}

/** Answer of both bulk endpoints. */
export interface BulkResponse {
  ids: string[];
}

/** One document of `POST /api/ues/:id/sync` (get-with-version: 304 = already synchronized, 200 = newer version stored). */
export interface SyncResult {
  selector: string;
  status: number;
  /** The server asked for the UE's newer copy and got it. */
  uploaded?: { status: number; etag: string | null };
}

export interface SyncResponse {
  results: SyncResult[];
}

/** `POST /api/ues/:id/upload` (a conditional PUT of the active profile unless `selector` says otherwise). */
export interface UploadRequest {
  selector?: string;
  xml?: string;
}

export interface UploadResult {
  status: number;
  etag: string | null;
  selector: string;
  /** On 412: the server's copy was fetched. */
  refetched?: boolean;
}

/** `GET /api/ues/:id/documents/:n`: the decrypted local copy. */
export interface LocalCopy {
  contentType: string;
  etag: string | null;
  body: string;
}

/** `GET /healthz`. */
export interface UeHostHealth {
  ok: boolean;
  app: 'ue-host';
  ues: number;
}

/**
 * `GET /api/ues/summary` (extension, our choice): counts of the UEs (whose id starts with `?prefix=`), so that a bench
 * or a scenario waiting for thousands of UEs polls a few bytes instead of every snapshot.
 */
export interface UeSummary {
  total: number;
  /** UEs per state (states without UEs are left out). */
  states: Partial<Record<UeState, number>>;
  /** UEs `STABLE` in a partner MC system whose last migration is timed (`timings.migrationMs` set). */
  migrated: number;
}

/** Every error answer: 400 (bad input), 404 (no such UE), 409 (duplicate id, UE not configured), 422 (tampered copy). */
export interface Problem {
  error: string;
  detail: string;
}
