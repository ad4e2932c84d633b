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
  summary: string;
  startLine: string;
  /** Secrets redacted. */
  headers: Record<string, string>;
  /** Secrets redacted; cut at the host's `messageLog.maxBody`. */
  body: string;
}
