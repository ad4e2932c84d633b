/**
 * One handler per state, as Open5GS's AMF does it (`gmm-sm.c`: an event is dispatched to the
 * function of the current state, which decides the transition): each function reads the next state
 * from its row of the transition table (transitions.ts) and does what that state does with the
 * event. A handler that returns undefined refuses the event; the state machine logs and counts it.
 */
import type { StepError, UeState } from './states.ts';
import { TRANSITIONS, type TransitionRow, type UeEventName } from './transitions.ts';

export interface UeEvent {
  readonly type: UeEventName;
  /** What happened, for the history, `lastEvent` and the log. */
  readonly text?: string;
  /** A failure event: the failed step and its reason. */
  readonly error?: StepError;
}

/** What a handler may change besides the state: the failure shown in the snapshot. */
export interface HandlerRecord {
  error: { step: StepError['step']; reason: string; at: string } | null;
}

export type StateHandler = (ue: HandlerRecord, event: UeEvent) => UeState | undefined;

/** The row's transition for the event; a failure event records its step and reason (TRANSIENT_FAILURE too: the snapshot shows why the UE waits). */
function follow(row: TransitionRow, ue: HandlerRecord, event: UeEvent): UeState | undefined {
  const to = row[event.type];
  if (to && event.error) ue.error = { step: event.error.step, reason: event.error.reason, at: new Date().toISOString() };
  return to;
}

/** NONE: created; the online configuration (TS 24.484 4.2.2.1.1) starts with the UE initial configuration. */
function none(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.NONE, ue, e);
}

/** WITH_UE_INIT_CONFIG: the UE knows its IdMS, CMS, GMS and MCS; next the user authenticates (4.2.2.1.1). */
function withUeInitConfig(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.WITH_UE_INIT_CONFIG, ue, e);
}

/** AUTHENTICATED: tokens from the primary IdMS; next the service authorization (4.2.2.1.1). */
function authenticated(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.AUTHENTICATED, ue, e);
}

/** SERVICE_AUTHORIZED: registered at the MCS; next the subscriptions to the documents (4.2.2.1.1). */
function serviceAuthorized(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.SERVICE_AUTHORIZED, ue, e);
}

/** SUBSCRIBED: the documents of the new system are held; CONFIGURED ends the procedure and clears the failure of an earlier attempt. */
function subscribed(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  const to = follow(TRANSITIONS.SUBSCRIBED, ue, e);
  if (e.type === 'CONFIGURED' && to) ue.error = null;
  return to;
}

/** STABLE: configured; NOTIFYs update the copies (6.3.13), a PLMN change starts a migration (4.2.2.1.2) or the return home. */
function stable(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.STABLE, ue, e);
}

/** UPDATING: a NOTIFY of the current system is being applied. */
function updating(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.UPDATING, ue, e);
}

/** PARTNER_SELECTED: partner MC system selection done (4.2.2.1.2.2); next the user profile (4.2.2.1.2.3). */
function partnerSelected(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.PARTNER_SELECTED, ue, e);
}

/** PROFILE_SELECTED: next the authentication at the partner IdMS (4.2.2.1.2.1). */
function profileSelected(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.PROFILE_SELECTED, ue, e);
}

/** PARTNER_AUTHENTICATED: a partner token; next the migration service authorization (4.2.2.1.2.1). */
function partnerAuthenticated(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.PARTNER_AUTHENTICATED, ue, e);
}

/** MIGRATION_AUTHORIZED: registered at the partner MCS; next the subscriptions in the partner (4.2.2.1.2.1). */
function migrationAuthorized(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.MIGRATION_AUTHORIZED, ue, e);
}

/** A PLMN_SERVED transition ends a failed or pending move: the failure it showed is no longer true. */
function servedAgain(ue: HandlerRecord, e: UeEvent, to: UeState | undefined): UeState | undefined {
  if (e.type === 'PLMN_SERVED' && to) ue.error = null;
  return to;
}

/** RETRY_WAIT: a transient failure; the next attempt starts at the first retried step of its procedure, or the move is dropped (PLMN_SERVED). */
function retryWait(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return servedAgain(ue, e, follow(TRANSITIONS.RETRY_WAIT, ue, e));
}

/** FAILED: not configured anywhere (with the failed step); the next PLMN change configures again. */
function failed(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.FAILED, ue, e);
}

/** MIGRATION_FAILED: still configured in the previous system, which keeps notifying it; the next PLMN change tries again, or is served there (PLMN_SERVED: STABLE, the failure cleared). */
function migrationFailed(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return servedAgain(ue, e, follow(TRANSITIONS.MIGRATION_FAILED, ue, e));
}

/** STOPPED: deleted; every event is refused. */
function stopped(ue: HandlerRecord, e: UeEvent): UeState | undefined {
  return follow(TRANSITIONS.STOPPED, ue, e);
}

export const STATE_HANDLERS: { readonly [S in UeState]: StateHandler } = {
  NONE: none,
  WITH_UE_INIT_CONFIG: withUeInitConfig,
  AUTHENTICATED: authenticated,
  SERVICE_AUTHORIZED: serviceAuthorized,
  SUBSCRIBED: subscribed,
  STABLE: stable,
  UPDATING: updating,
  PARTNER_SELECTED: partnerSelected,
  PROFILE_SELECTED: profileSelected,
  PARTNER_AUTHENTICATED: partnerAuthenticated,
  MIGRATION_AUTHORIZED: migrationAuthorized,
  RETRY_WAIT: retryWait,
  FAILED: failed,
  MIGRATION_FAILED: migrationFailed,
  STOPPED: stopped,
};
