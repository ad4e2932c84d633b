/**
 * The MCS-to-MCS leg as this MCS saw it (sent and received MESSAGEs), reported to listeners
 * (`McsHandle.onLegMessage`): the UE's SIP tap never sees a server-to-server message, so the
 * console draws the MCS-B → MCS-A leg from these reports.
 */
export interface LegEvent {
  direction: 'in' | 'out';
  method: string;
  /** The other MC system. */
  peer: string;
  /** The user's MCPTT ID in its primary system (who the leg is about). */
  user: string;
  /** `MESSAGE <Request-URI> SIP/2.0`. */
  startLine: string;
  summary: string;
  body: string;
}
