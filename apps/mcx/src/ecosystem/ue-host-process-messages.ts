/**
 * The messages between a parent (`mcx bench migration --ue-hosts N`) and a UE host process (a UE
 * host in a child process of its own: ue-host-process.ts), over the IPC channel of
 * child_process.fork (JSON). Our choice, as for the system processes (system-process-messages.ts).
 * The UEs are driven over the host's own control API (docs/ue-host-api.md), as any client does.
 *
 * start → started (or failed) → usage / profile ... → stop (the child closes and exits 0). A child also stops
 * when the channel goes (its parent died), and reports a signal it got instead of acting on it.
 */
import type { UeHostConfigInput } from '@mcx/ue';

export interface StartUeHost {
  type: 'start';
  /** startUeHost's options (plain data: systems, users, ueClient, controlToken, dataDir, host, port, sipTimers). */
  config: UeHostConfigInput;
  /** The lab CA the MC systems' https certificates chain to (PEM): the child's fetch trusts it. */
  caPem?: string;
}

export type ToUeHostProcess =
  | StartUeHost
  /** CPU time and peak RSS of the child; `reset` starts the peak again from now (sampled every 100 ms). */
  | { type: 'usage'; reset?: boolean }
  /** Start a V8 CPU profile of the child into `file`, or (null) stop it and write it (`mcx bench migration --profile`). */
  | { type: 'profile'; file: string | null }
  | { type: 'stop' };

export type FromUeHostProcess =
  | { type: 'started'; url: string; sip: string }
  | { type: 'failed'; message: string }
  | { type: 'usage'; cpuMicros: number; peakRssBytes: number }
  /** The answer to `profile`: bytes written (0 on a start), or why it failed. */
  | { type: 'profiled'; bytes: number; error?: string }
  /** The child got this signal: the parent decides. */
  | { type: 'signal'; signal: string };
