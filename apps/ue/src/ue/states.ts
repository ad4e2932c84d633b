/**
 * The states of a simulated MCS UE (after the CMS client of the Mission Critical Open Platform
 * SDK, our choice of model; each transition is a procedure step of TS 24.484 / TS 23.280;
 * docs/ue-host-api.md).
 *
 * Online configuration (TS 24.484 clause 4.2.2.1.1):
 *   NONE → WITH_UE_INIT_CONFIG → AUTHENTICATED → SERVICE_AUTHORIZED → SUBSCRIBED → STABLE ⇄ UPDATING
 * Migration (clause 4.2.2.1.2):
 *   STABLE → PARTNER_SELECTED → PROFILE_SELECTED → PARTNER_AUTHENTICATED → MIGRATION_AUTHORIZED → SUBSCRIBED → STABLE
 * Return home: STABLE → AUTHENTICATED → SERVICE_AUTHORIZED → SUBSCRIBED → STABLE (in the primary system)
 * Failures: RETRY_WAIT (transient failure, waiting for the next attempt), FAILED (not configured
 * anywhere), MIGRATION_FAILED (a move between systems failed; the UE stays configured in its
 * previous system, which still notifies it), STOPPED (deleted).
 */
export const UE_STATES = [
  'NONE',
  'WITH_UE_INIT_CONFIG',
  'AUTHENTICATED',
  'SERVICE_AUTHORIZED',
  'SUBSCRIBED',
  'STABLE',
  'UPDATING',
  'PARTNER_SELECTED',
  'PROFILE_SELECTED',
  'PARTNER_AUTHENTICATED',
  'MIGRATION_AUTHORIZED',
  'RETRY_WAIT',
  'FAILED',
  'MIGRATION_FAILED',
  'STOPPED',
] as const;
export type UeState = (typeof UE_STATES)[number];

/** Named steps (the `error.step` of a snapshot). */
export type StepName =
  | 'ue-init-config'
  | 'login'
  | 'service-authorization'
  | 'subscribe-cms'
  | 'subscribe-gms'
  | 'fetch'
  | 'select-partner'
  | 'select-profile'
  | 'migration-token'
  | 'token-exchange'
  | 'migration-service-authorization'
  | 'subscribe-partner-cms'
  | 'subscribe-partner-gms'
  | 'return-home';

/** A failed step: definitive (no retry: invalid_grant, 403) or transient (retried with backoff). */
export class StepError extends Error {
  override readonly name = 'StepError';
  constructor(
    readonly step: StepName,
    readonly reason: string,
    readonly transient: boolean,
  ) {
    super(`${step}: ${reason}`);
  }
}
