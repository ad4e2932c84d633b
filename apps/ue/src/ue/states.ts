/**
 * The states of a simulated MCS UE and the names of its procedure steps are wire types of the
 * control API (libs/ue-host-api, docs/ue-host-api.md); which state follows which is the
 * transition table (transitions.ts). A failed step is a {@link StepError}.
 */
import type { StepName } from '@mcx/ue-host-api';

export { UE_STATES, STEP_NAMES, type UeState, type StepName } from '@mcx/ue-host-api';

/** A failed step: definitive (no retry: invalid_grant, 403) or transient (retried with backoff). */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly step: StepName,
    readonly reason: string,
    readonly transient: boolean,
    /** The peer's Retry-After (RFC 9110 clause 10.2.3; SIP: RFC 3261 clause 20.33) in ms, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(`${step}: ${reason}`);
  }
}
