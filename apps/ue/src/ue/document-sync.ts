/**
 * Document synchronization: the UE's subscriptions to the configuration documents of a system and
 * the NOTIFYs they bring (TS 24.484 clause 6.3.13: "the CMC updates its local document copies";
 * NOTE 2 of clause 4.2.2.1.2: at any time, also in a partner system). A NOTIFY of the current
 * system takes a STABLE UE to UPDATING and back; one of a system being configured (the initial
 * NOTIFY) or left behind changes only the copies. A document GET that fails transiently is retried
 * with backoff (synchronize.ts `DocumentRetry`); one that still fails makes `onNotify` throw, so
 * that the subscribing step fails instead of the UE becoming STABLE without the document.
 */
import type { IncomingNotify, TerminationInfo } from '@mcx/sip';
import type { LocalCopies } from '../online-configuration/local-copies.ts';
import { applyNotify, type DocumentRetry, type NotifyOutcome } from '../online-configuration/synchronize.ts';
import type { HostServices } from './host-services.ts';
import type { SystemSession } from './session.ts';
import type { UeEvent } from './state-handlers.ts';
import type { UeState } from './states.ts';
import { backoff } from './step-runner.ts';

/** Retries of one document GET within a step, at most (our choice; see documentRetryOf). */
const DOCUMENT_GET_RETRIES = 4;

/** What document synchronization needs of its UE. */
export interface SyncUe {
  readonly id: string;
  readonly host: HostServices;
  readonly copies: LocalCopies;
  readonly state: UeState;
  readonly current: SystemSession | undefined;
  readonly stopped: boolean;
  dispatch(event: UeEvent): boolean;
  note(text: string, notify?: boolean): void;
  /** Something changed that a snapshot shows. */
  changed(): void;
  /** Per-step durations of the procedure running (ue/step-runner.ts); a subscription adds its phases. */
  readonly timings?: { steps?: Record<string, number> };
}

/** The retry of a document GET for `ue`: the host's retry policy, waiting through the host's scheduler. */
export function documentRetryOf(ue: SyncUe, server: 'cms' | 'gms', session: SystemSession): DocumentRetry {
  const policy = ue.host.config.retry;
  return {
    // Our choice: a few retries within the step (a NOTIFY is answered within the notifier's
    // transaction timeout); longer outages are the procedure's retry (step-runner.ts).
    attempts: Math.min(policy.attempts, DOCUMENT_GET_RETRIES),
    backoff: (attempt) => backoff(policy, attempt),
    maxRetryAfterMs: policy.capMs,
    sleep: (ms) => new Promise<void>((resolve) => void ue.host.endpoint.scheduler.schedule(ms, resolve)),
    onRetry: (sel, error, delay) => ue.note(`GET ${sel} at the ${server.toUpperCase()} of ${session.systemId} failed (${error.reason}); retry in ${Math.round(delay)} ms`, false),
  };
}

/**
 * A NOTIFY (xcap-diff): patch or re-fetch the copies it names (online-configuration/synchronize.ts).
 * Resolves with what was done to each document; throws when a document could not be fetched.
 */
export async function onNotify(ue: SyncUe, session: SystemSession, server: 'cms' | 'gms', n: IncomingNotify): Promise<NotifyOutcome[]> {
  if (session.closed || ue.stopped || !n.body) return [];
  // Only a NOTIFY of the system the UE is configured in, while nothing else runs, is an UPDATING.
  let updating = false;
  if (session === ue.current && ue.state === 'STABLE') updating = ue.dispatch({ type: 'NOTIFY_RECEIVED' });
  try {
    const results = await applyNotify(ue.copies, session, server, n.body, (sel) => ue.note(`local copy ${sel} failed its integrity check: re-fetching`, false), documentRetryOf(ue, server, session));
    // The copies are on disk before the UE is STABLE again (NOTIFY_APPLIED) and the NOTIFY is answered.
    await ue.copies.flush();
    const changed = results.filter((r) => r.action !== 'up-to-date');
    if (changed.length) ue.note(`NOTIFY from ${server.toUpperCase()} of ${session.systemId}: ${changed.map((r) => `${r.sel.split('/').pop()} ${r.action}`).join(', ')}`, false);
    return results;
  } catch (err) {
    ue.note(`NOTIFY from ${server.toUpperCase()} of ${session.systemId} could not be applied: ${(err as Error).message}`, false);
    throw err;
  } finally {
    if (updating && ue.state === 'UPDATING') ue.dispatch({ type: 'NOTIFY_APPLIED' });
    else ue.changed();
  }
}

/** The notifier ended a subscription (RFC 6665 clause 4.1.3); the SIP layer re-subscribes when it may. */
export function onTerminated(ue: SyncUe, session: SystemSession, server: 'cms' | 'gms', info: TerminationInfo): void {
  if (session.closed || ue.stopped) return;
  ue.note(`${server.toUpperCase()} subscription in ${session.systemId} terminated (${info.reason})${info.willResubscribe ? '; re-subscribing' : ''}`);
}
