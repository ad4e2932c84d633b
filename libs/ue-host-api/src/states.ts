/**
 * The states of a simulated MCS UE as the control API reports them (`state` of a snapshot) and
 * the names of the procedure steps (`error.step`). The UE host's transition table
 * (apps/ue/src/ue/transitions.ts) says which state follows which; docs/ue-host-api.md lists them.
 *
 * Online configuration (TS 24.484 clause 4.2.2.1.1):
 *   NONE → WITH_UE_INIT_CONFIG → AUTHENTICATED → SERVICE_AUTHORIZED → SUBSCRIBED → STABLE ⇄ UPDATING
 * Migration (TS 24.484 clause 4.2.2.1.2):
 *   STABLE → PARTNER_SELECTED → PROFILE_SELECTED → PARTNER_AUTHENTICATED → MIGRATION_AUTHORIZED → SUBSCRIBED → STABLE
 * Return home: STABLE → AUTHENTICATED → SERVICE_AUTHORIZED → SUBSCRIBED → STABLE (in the primary system)
 * Failures: RETRY_WAIT (transient failure, waiting for the next attempt), FAILED (not configured
 * anywhere), MIGRATION_FAILED (a move between systems failed; the UE stays configured in its
 * previous system, which still notifies it), STOPPED (deleted).
 * The state names follow the MCOP CMS client's (our choice, so that they read alike).
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

/**
 * Named procedure steps: the `error.step` of a snapshot. Online configuration (TS 24.484 clause
 * 4.2.2.1.1): `ue-init-config`, `login`, `service-authorization`, `subscribe-cms`, `subscribe-gms`;
 * migration (clause 4.2.2.1.2): `select-partner` (4.2.2.1.2.2), `select-profile` (4.2.2.1.2.3),
 * `migration-token` and `token-exchange` (partner authentication), `migration-service-authorization`,
 * `subscribe-partner-cms`, `subscribe-partner-gms`; `fetch` (a document GET outside those).
 */
export const STEP_NAMES = [
  'ue-init-config',
  'login',
  'service-authorization',
  'subscribe-cms',
  'subscribe-gms',
  'fetch',
  'select-partner',
  'select-profile',
  'migration-token',
  'token-exchange',
  'migration-service-authorization',
  'subscribe-partner-cms',
  'subscribe-partner-gms',
] as const;
export type StepName = (typeof STEP_NAMES)[number];
