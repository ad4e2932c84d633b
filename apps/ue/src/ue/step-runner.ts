/**
 * The step runner. A procedure is an ordered list of small named steps, each in its own file
 * citing its clause, composed by the procedure's index (online-configuration/index.ts,
 * migration/index.ts), as node-oidc-provider composes an action from its steps
 * (`lib/actions/authorization/index.js`). A step that succeeds may name the event the state
 * machine takes (transitions.ts); a step that fails throws a StepError naming itself.
 *
 * Retries are our own choice (docs/ue-host-api.md "RETRY_WAIT"): the `attempt` steps of a
 * procedure are retried together after a transient failure (unreachable, 5xx, 503 + Retry-After
 * while a server's database is away, SIP 408/480/5xx: ue/classify.ts), with capped exponential
 * backoff and jitter, or after the server's Retry-After when it sent one, up to `retry.attempts`
 * times and `retry.maxWaitMs` of waiting in all; the `prepare` steps (selections) run once. A
 * definitive refusal (invalid_grant, 403...) ends the procedure at once. Before each retry the
 * UE re-evaluates its situation (`stillWanted`): a procedure the registered PLMN no longer asks for
 * is dropped ({@link SUPERSEDED}) instead of retried.
 */
import { classify } from './classify.ts';
import type { UeEvent } from './state-handlers.ts';
import { StepError, type StepName } from './states.ts';
import type { UeEventName } from './transitions.ts';

/** A step's success: the event for the state machine and what to tell. */
export interface StepDone {
  event: UeEventName;
  text: string;
}

export interface Step<C> {
  /** `error.step` when it fails. */
  readonly name: StepName;
  /** The clause the step realises, e.g. `TS 24.484 4.2.2.1.2.2`. */
  readonly clause: string;
  /** Does the step; undefined when there is no transition to take (nothing to do, or a part of a larger step). */
  run(ctx: C): Promise<StepDone | undefined>;
}

/** Steps that run at the same time (e.g. the CMS and the GMS subscriptions); done when all are. */
export interface ConcurrentSteps<C> {
  readonly concurrently: readonly Step<C>[];
  done(ctx: C): StepDone;
}

export type ProcedureStep<C> = Step<C> | ConcurrentSteps<C>;

export interface Procedure<C> {
  /** What the UE is doing, for the retry messages ("online configuration", "migration to mcx-b"). */
  describe(ctx: C): string;
  /** Run once, in order; a failure is definitive. */
  readonly prepare: readonly ProcedureStep<C>[];
  /** Run in order, all of them again after a transient failure. */
  readonly attempt: readonly ProcedureStep<C>[];
  /** Before each attempt. */
  begin?(ctx: C): void;
  /** After a failed attempt: releases what it built (subscriptions, registration). */
  cleanup(ctx: C): Promise<void>;
}

/** What the runner needs of its UE. */
export interface RunnerUe {
  dispatch(event: UeEvent): boolean;
  readonly stopped: boolean;
  /** Waits through the host's scheduler; resolves early when the UE stops or its registered PLMN changes. */
  sleep(ms: number): Promise<void>;
  /** Where the duration of each step of the last procedure is recorded (ms by step name; benchmarks read it). */
  readonly timings?: { steps?: Record<string, number> };
  /**
   * The step that runs from now on (undefined: the procedure ended): the UE's message log tags
   * what is sent and received meanwhile with it (docs/ue-host-api.md "Message" `step`).
   */
  onStep?(tag: { procedure: string; step: string; clause: string } | undefined): void;
}

/** The step tag of an entry: a step's name and clause; concurrent steps' names joined by " + " (our choice). */
function tagOf<C>(entry: ProcedureStep<C>): { step: string; clause: string } {
  const steps = 'concurrently' in entry ? entry.concurrently : [entry];
  return { step: steps.map((s) => s.name).join(' + '), clause: [...new Set(steps.map((s) => s.clause))].join('; ') };
}

export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  /** Retries after the first attempt, at most. */
  attempts: number;
  /** The waits between attempts add up to this much at most (ms); the procedure fails rather than wait longer. */
  maxWaitMs?: number;
}

async function runStep<C>(step: Step<C>, ctx: C, ue: RunnerUe): Promise<StepDone | undefined> {
  const started = performance.now();
  try {
    return await step.run(ctx);
  } catch (err) {
    throw classify(step.name, err);
  } finally {
    if (ue.timings?.steps) ue.timings.steps[step.name] = Math.round((performance.now() - started) * 10) / 10;
  }
}

async function runEntry<C>(entry: ProcedureStep<C>, ctx: C, ue: RunnerUe, procedure: Procedure<C>): Promise<void> {
  ue.onStep?.({ procedure: procedure.describe(ctx), ...tagOf(entry) });
  let done: StepDone | undefined;
  if ('concurrently' in entry) {
    await Promise.all(entry.concurrently.map((s) => runStep(s, ctx, ue)));
    done = entry.done(ctx);
  } else done = await runStep(entry, ctx, ue);
  if (done) ue.dispatch({ type: done.event, text: done.text });
}

/** The delay before retry `attempt` (0-based): min(cap, base·2^attempt), jittered to 50-100 %. */
export function backoff(retry: RetryPolicy, attempt: number): number {
  return Math.min(retry.capMs, retry.baseMs * 2 ** attempt) * (0.5 + Math.random() / 2);
}

/**
 * The wait before retry `attempt` after `error`: the backoff, or at least the peer's Retry-After
 * (RFC 9110 clause 10.2.3) plus up to 50 % jitter (our choice, so that the UEs a 503 turned away
 * together do not come back together).
 */
export function retryDelay(retry: RetryPolicy, attempt: number, error: StepError): number {
  const delay = backoff(retry, attempt);
  return error.retryAfterMs === undefined ? delay : Math.max(delay, error.retryAfterMs * (1 + Math.random() / 2));
}

/** A procedure dropped at a retry: the UE's situation no longer asks for it (the UE stays in RETRY_WAIT until it re-evaluates). */
export const SUPERSEDED = 'superseded';

/**
 * Runs a procedure's steps in order. Resolves with undefined when every step succeeded, else with
 * the StepError of the step that failed (definitive, or transient after the last attempt); each
 * transient failure before that is a TRANSIENT_FAILURE event (RETRY_WAIT) with its reason. When
 * `stillWanted` answers false after a transient failure (before or after the wait), it resolves
 * with {@link SUPERSEDED} without another attempt.
 */
export async function runProcedure<C>(
  procedure: Procedure<C>,
  ctx: C,
  ue: RunnerUe,
  retry: RetryPolicy,
  stillWanted: () => boolean = () => true,
): Promise<StepError | typeof SUPERSEDED | undefined> {
  try {
    return await runSteps(procedure, ctx, ue, retry, stillWanted);
  } finally {
    ue.onStep?.(undefined);
  }
}

async function runSteps<C>(
  procedure: Procedure<C>,
  ctx: C,
  ue: RunnerUe,
  retry: RetryPolicy,
  stillWanted: () => boolean,
): Promise<StepError | typeof SUPERSEDED | undefined> {
  if (ue.timings) ue.timings.steps = {};
  try {
    for (const entry of procedure.prepare) await runEntry(entry, ctx, ue, procedure);
  } catch (err) {
    return asStepError(procedure.prepare[0], err);
  }
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    try {
      procedure.begin?.(ctx);
      for (const entry of procedure.attempt) await runEntry(entry, ctx, ue, procedure);
      return undefined;
    } catch (err) {
      // Anything but a StepError came from `begin`: it is charged to the first step of the attempt.
      const e = asStepError(procedure.attempt[0], err);
      ue.onStep?.({ procedure: procedure.describe(ctx), step: 'cleanup', clause: 'RFC 6665 4.1.2.3; RFC 3261 10.2.2' });
      await procedure.cleanup(ctx);
      ue.onStep?.(undefined);
      if (!e.transient || attempt >= retry.attempts || ue.stopped) return e;
      const delay = retryDelay(retry, attempt, e);
      if (retry.maxWaitMs !== undefined && waited + delay > retry.maxWaitMs) return e;
      waited += delay;
      ue.dispatch({
        type: 'TRANSIENT_FAILURE',
        error: e,
        text: `${procedure.describe(ctx)}: ${e.step} failed (${e.reason}); retry ${attempt + 1}/${retry.attempts} in ${Math.round(delay)} ms`,
      });
      if (!stillWanted()) return SUPERSEDED;
      await ue.sleep(delay);
      if (ue.stopped) return e;
      if (!stillWanted()) return SUPERSEDED;
    }
  }
}

function asStepError<C>(first: ProcedureStep<C> | undefined, err: unknown): StepError {
  if (err instanceof StepError) return err;
  const name: StepName = first === undefined ? 'fetch' : 'concurrently' in first ? first.concurrently[0]!.name : first.name;
  return classify(name, err);
}
