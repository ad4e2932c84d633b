/** One protocol message a UE sent or received: one arrow of the console's sequence diagram (docs/ue-host-api.md "Message"). */
export interface Message {
  seq: number;
  ue: string;
  at: string;
  /** out = sent by the UE, in = received by the UE. */
  direction: 'in' | 'out';
  protocol: 'HTTP' | 'SIP';
  /** Lane: IdMS-A, CMS-B, MCS-A, ... (or host:port when unknown). */
  peer: string;
  /**
   * Set only for a server-to-server message the UE never sees, reported by the server that sent
   * it (the MCS-B → MCS-A leg of migration service authorization, TS 23.280 clause 10.6.3): the
   * sender's lane; `peer` is then the receiver's lane.
   */
  from?: string;
  /**
   * The procedure the UE was running when the message was recorded, as the UE host describes it
   * ("migration to mcx-b", "online configuration"); absent outside a procedure.
   */
  procedure?: string;
  /**
   * The step of that procedure (its `StepName`, e.g. `token-exchange`; two steps that run
   * concurrently joined by " + "; `cleanup` while a failed attempt releases what it built).
   */
  step?: string;
  /** The clause the step realises, e.g. `TS 24.484 4.2.2.1.2.1`. */
  clause?: string;
  summary: string;
  startLine: string;
  /** Secrets redacted. */
  headers: Record<string, string>;
  /** Secrets redacted; cut at the host's `messageLog.maxBody`. */
  body: string;
}
