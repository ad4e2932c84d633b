/**
 * One case of `mcx bench faults`: a fault injected into a running ecosystem (a database outage,
 * kill -9, a large upload...) and what it did, as counts. A case prints only what it measured;
 * `ok` says whether the outcome met the goal the case states in `goal`.
 */
export interface FaultCaseOptions {
  /** The ecosystem file (`--config`); a case boots its own systems from it on free ports. */
  config?: string;
  /** `--ues N` when the case drives UEs (each case has its own default). */
  ues?: number;
  /** Progress lines for the terminal (standard error). */
  progress: (line: string) => void;
}

export interface FaultReport {
  case: string;
  /** The goal the case checks, in words (from the issue or the spec it comes from). */
  goal: string;
  ok: boolean;
  [measure: string]: unknown;
}

export interface FaultCase {
  name: string;
  summary: string;
  run(options: FaultCaseOptions): Promise<FaultReport>;
}
