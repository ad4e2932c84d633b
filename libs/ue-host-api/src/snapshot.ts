/** The UE snapshot: what `GET /api/ues/:id` returns and the `ue` event of the stream carries (docs/ue-host-api.md). */
import type { StepName, UeState } from './states.ts';

export interface UeSnapshot {
  id: string;
  /** IdM username. */
  user: string;
  /**
   * The MCPTT ID the UE uses in the system it is configured in: in a partner system the one that
   * system assigned it (TS 23.280 clause 10.16.5), else its primary one.
   */
  mcpttId: string | null;
  /** The user's MCPTT ID in its primary MC system. */
  primaryMcpttId: string | null;
  state: UeState;
  /** The MC system the UE is configured in (null before the first configuration). */
  system: string | null;
  homeSystem: string;
  /** Registered PLMN (MCC + MNC). */
  plmn: string;
  /** True while configured in a partner MC system. */
  migrated: boolean;
  activeProfile: { system: string; index: number; name: string | null; selector: string; etag: string } | null;
  /** Migration only: the primary-configured profile used for access (TS 24.484 4.2.2.1.2 NOTE 1). */
  accessProfile: { index: number; selector: string } | null;
  /** Local copies, current system first; `active: false` = a dormant copy of another system. */
  documents: SnapshotDocument[];
  /** Per system: the access token (redacted). One token covers CMS, GMS and MCS of a system (aud = all three). */
  tokens: Record<string, { access: string; cms: string; gms: string; mcs: string; expiresAt: string }>;
  lastEvent: { at: string; text: string } | null;
  /** In a failure state: the step that failed and why. */
  error: { step: StepName; reason: string; at: string } | null;
  /** The last state transitions, oldest first (at most 30). */
  history: Array<{ at: string; state: UeState; text?: string }>;
  /** Durations of the last procedures (ms), for scenarios and benchmarks. */
  timings: {
    configuredMs?: number;
    migrationMs?: number;
    plmnChangedAt?: string;
    configuredAt?: string;
    /**
     * Duration (ms) of each step of the last procedure, by step name (`error.step` names); a
     * subscribing step is split into `<step>/SUBSCRIBE` (sent → 2xx), `<step>/NOTIFY` (sent → the
     * initial NOTIFY) and `<step>/GET` (the initial NOTIFY applied: its document GETs).
     */
    steps?: Record<string, number>;
  };
}

export interface SnapshotDocument {
  /** Position in the list: `GET /api/ues/:id/documents/:n`. */
  n: number;
  system: string;
  server: 'cms' | 'gms';
  selector: string;
  etag: string;
  kind: string;
  updatedAt: string;
  active: boolean;
}
