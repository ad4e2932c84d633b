/**
 * The messages between `mcx up` (the parent) and a system process (one MC system's IdMS, CMS, GMS
 * and MCS in a child process: `processes: per-system`), over the IPC channel of
 * child_process.fork (JSON, advanced serialization not needed). Our choice. Everything else the
 * parent and the servers say to each other goes over the servers' HTTP and SIP sockets.
 *
 * start → started (or failed) → share → shared → ... → stop (the child closes and exits 0). A child
 * also stops when the channel goes (its parent died), and reports a signal it got instead of
 * acting on it, so the parent stops every process once.
 */
import type { Ecosystem } from '@mcx/ecosystem';
import type { SipTimers } from '@mcx/mc-system';
import type { LegEvent } from '@mcx/mcs';
import type { SystemData } from './systems-view.ts';

export interface StartSystem {
  type: 'start';
  systemId: string;
  /** The prepared ecosystem (prepareMcSystems: fixed ports, admin credentials filled in). */
  ecosystem: Ecosystem;
  dataDir: string;
  database?: string;
  throwAwayDatabases?: boolean;
  scryptCost?: number;
  sipTimers?: SipTimers;
  /** pino level of the servers' logger (on standard error). */
  logLevel: string;
  /**
   * Replicas (issue #17): run instance `replica` (> 1) of the CMS, GMS and MCS of every replicated
   * system instead of one whole system (`systemId` is then only a label); answered `replica-started`.
   */
  replica?: number;
}

export type ToSystemProcess =
  | StartSystem
  /** Step 5 of the composition (CSC-17 sharing), once every system listens. */
  | { type: 'share' }
  /** CPU time and peak RSS of the child; `reset` starts the peak again from now (sampled every 100 ms). */
  | { type: 'usage'; reset?: boolean }
  /** Start a V8 CPU profile of the child into `file`, or (null) stop it and write it (`mcx bench migration --profile`). */
  | { type: 'profile'; file: string | null }
  | { type: 'stop' };

export type FromSystemProcess =
  | { type: 'started'; system: SystemData }
  | { type: 'replica-started'; replica: number }
  | { type: 'shared' }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'log'; line: string }
  /** A message of the MCS-to-MCS leg (TS 23.280 10.6.3) for the UE host's message log. */
  | { type: 'leg'; event: LegEvent }
  | { type: 'usage'; cpuMicros: number; peakRssBytes: number }
  /** The answer to `profile`: bytes written (0 on a start), or why it failed. */
  | { type: 'profiled'; bytes: number; error?: string }
  /** The child got this signal: the parent decides (it stops everything). */
  | { type: 'signal'; signal: string };
