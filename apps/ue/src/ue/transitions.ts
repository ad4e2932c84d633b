/**
 * The UE's transition table: state × event → state, as data. An event is the outcome of a
 * procedure step (TS 24.484 clause 4.2.2.1.1 online configuration, clause 4.2.2.1.2 migration),
 * a NOTIFY (clause 6.3.13) or the deletion of the UE. An event with no entry for the current
 * state is refused (state-machine.ts): the state does not change and the refusal is logged.
 *
 * Which procedure runs from which state: online configuration from NONE or FAILED (not configured
 * anywhere); migration and the return home from STABLE (or UPDATING, a NOTIFY being applied) and
 * from MIGRATION_FAILED (still configured in the previous system, TS 24.484 4.2.2.1.2).
 *
 * The UE re-evaluates its situation on every registered-PLMN change and before every retry (our
 * own choice): when the system it is configured in (its primary, or the
 * partner it migrated to) serves the registered PLMN again, a failed or pending move is over and
 * it is STABLE there (PLMN_SERVED), without waiting for a restart or the end of the retries.
 */
import type { UeState } from './states.ts';

export const UE_EVENTS = [
  // Online configuration (TS 24.484 4.2.2.1.1) and the return home (the same procedure in the primary system).
  'UE_INIT_CONFIG_OBTAINED',
  'USER_AUTHENTICATED',
  'SERVICE_AUTHORIZED',
  'SUBSCRIBED',
  'CONFIGURED',
  // Document synchronization (TS 24.484 6.3.13; NOTE 2 of 4.2.2.1.2: also in a partner system).
  'NOTIFY_RECEIVED',
  'NOTIFY_APPLIED',
  // Migration (TS 24.484 4.2.2.1.2).
  'PARTNER_SELECTED',
  'PROFILE_SELECTED',
  'PARTNER_AUTHENTICATED',
  'MIGRATION_SERVICE_AUTHORIZED',
  // Failures: transient (retried with backoff), definitive in online configuration, definitive in a migration or the return home.
  'TRANSIENT_FAILURE',
  'CONFIGURATION_FAILED',
  'MIGRATION_FAILED',
  // The registered PLMN is served by the system the UE is configured in: nothing to move, it stays there.
  'PLMN_SERVED',
  // The UE is deleted.
  'DELETED',
] as const;
export type UeEventName = (typeof UE_EVENTS)[number];

export type TransitionRow = { readonly [E in UeEventName]?: UeState };
export type TransitionTable = { readonly [S in UeState]: TransitionRow };

/** Events that start the migration or the return home, and their definitive failure, from a configured UE. */
const FROM_CONFIGURED = {
  PARTNER_SELECTED: 'PARTNER_SELECTED',
  USER_AUTHENTICATED: 'AUTHENTICATED',
  TRANSIENT_FAILURE: 'RETRY_WAIT',
  MIGRATION_FAILED: 'MIGRATION_FAILED',
  DELETED: 'STOPPED',
} as const satisfies TransitionRow;

export const TRANSITIONS: TransitionTable = {
  // TS 24.484 4.2.2.1.1: step 1 is the MCS UE initial configuration.
  NONE: {
    UE_INIT_CONFIG_OBTAINED: 'WITH_UE_INIT_CONFIG',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.1: MCS user authentication at the IdMS the initial configuration names.
  WITH_UE_INIT_CONFIG: {
    USER_AUTHENTICATED: 'AUTHENTICATED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.1: service authorization at the MC service server (also on the return home, whose failure is a failed move).
  AUTHENTICATED: {
    SERVICE_AUTHORIZED: 'SERVICE_AUTHORIZED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.1: subscription to the configuration documents (CMS subscription proxy, GMS).
  SERVICE_AUTHORIZED: {
    SUBSCRIBED: 'SUBSCRIBED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // Subscribed in the system being configured: the UE moves there (the previous session ends).
  SUBSCRIBED: {
    CONFIGURED: 'STABLE',
    DELETED: 'STOPPED',
  },
  // Configured: a NOTIFY updates the copies; a registered-PLMN change starts a migration or the return home.
  STABLE: {
    NOTIFY_RECEIVED: 'UPDATING',
    ...FROM_CONFIGURED,
  },
  // A NOTIFY of the current system is being applied; a queued procedure may start meanwhile.
  UPDATING: {
    NOTIFY_APPLIED: 'STABLE',
    ...FROM_CONFIGURED,
  },
  // 4.2.2.1.2.3: user profile selection for the selected partner.
  PARTNER_SELECTED: {
    PROFILE_SELECTED: 'PROFILE_SELECTED',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.2.1: authentication at the partner IdMS with the primary's token.
  PROFILE_SELECTED: {
    PARTNER_AUTHENTICATED: 'PARTNER_AUTHENTICATED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.2.1: migration service authorization at the partner MC service server.
  PARTNER_AUTHENTICATED: {
    MIGRATION_SERVICE_AUTHORIZED: 'MIGRATION_AUTHORIZED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // 4.2.2.1.2.1: subscription to the partner's documents.
  MIGRATION_AUTHORIZED: {
    SUBSCRIBED: 'SUBSCRIBED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // Waiting for the next attempt: it starts again at the first retried step of its procedure, unless
  // the PLMN changed meanwhile to one the system the UE is configured in serves (the move is dropped).
  RETRY_WAIT: {
    PLMN_SERVED: 'STABLE',
    UE_INIT_CONFIG_OBTAINED: 'WITH_UE_INIT_CONFIG',
    USER_AUTHENTICATED: 'AUTHENTICATED',
    PARTNER_AUTHENTICATED: 'PARTNER_AUTHENTICATED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    MIGRATION_FAILED: 'MIGRATION_FAILED',
    DELETED: 'STOPPED',
  },
  // Not configured anywhere: the next registered-PLMN change runs the online configuration again.
  FAILED: {
    UE_INIT_CONFIG_OBTAINED: 'WITH_UE_INIT_CONFIG',
    USER_AUTHENTICATED: 'AUTHENTICATED',
    TRANSIENT_FAILURE: 'RETRY_WAIT',
    CONFIGURATION_FAILED: 'FAILED',
    DELETED: 'STOPPED',
  },
  // Still configured in the previous system (which keeps notifying it): the next PLMN change tries
  // again, or, when that system serves the new PLMN, the UE is STABLE there again.
  MIGRATION_FAILED: {
    PLMN_SERVED: 'STABLE',
    ...FROM_CONFIGURED,
  },
  // Deleted: no event applies.
  STOPPED: {},
};

/** The state `event` leads to from `state`, or undefined when the table has no entry (refused). */
export function nextState(state: UeState, event: UeEventName): UeState | undefined {
  return TRANSITIONS[state][event];
}
