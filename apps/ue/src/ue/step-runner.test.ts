// The step runner: steps in order, each success an event for the state machine; a transient
// failure cleans up, waits (RETRY_WAIT) and runs the attempt again; a definitive one, or the last
// transient one, ends the procedure with the failed step's name and reason.
import { describe, expect, it } from 'vitest';
import type { UeEvent } from './state-handlers.ts';
import { StepError, type StepName } from './states.ts';
import { runProcedure, SUPERSEDED, type Procedure, type RunnerUe, type Step } from './step-runner.ts';

interface Ctx {
  log: string[];
  failures: Partial<Record<StepName, Array<Error | StepError>>>;
}

function step(name: StepName, event?: UeEvent['type']): Step<Ctx> {
  return {
    name,
    clause: 'test',
    async run(ctx) {
      ctx.log.push(name);
      const fail = ctx.failures[name]?.shift();
      if (fail) throw fail;
      return event ? { event, text: `${name} done` } : undefined;
    },
  };
}

function ue(): RunnerUe & { events: UeEvent[]; slept: number[] } {
  const events: UeEvent[] = [];
  const slept: number[] = [];
  return {
    events,
    slept,
    stopped: false,
    dispatch: (e) => (events.push(e), true),
    sleep: async (ms) => void slept.push(ms),
  };
}

const procedure: Procedure<Ctx> = {
  describe: () => 'test procedure',
  prepare: [step('select-partner', 'PARTNER_SELECTED')],
  begin: (ctx) => void ctx.log.push('begin'),
  attempt: [step('migration-token'), step('token-exchange', 'PARTNER_AUTHENTICATED'), { concurrently: [step('subscribe-partner-cms'), step('subscribe-partner-gms')], done: () => ({ event: 'SUBSCRIBED', text: 'both' }) }],
  cleanup: async (ctx) => void ctx.log.push('cleanup'),
};
const retry = { baseMs: 100, capMs: 150, attempts: 2 };

/** The runner's result as the StepError it must be. */
function failedWith(result: Awaited<ReturnType<typeof runProcedure>>): StepError {
  expect(result).toBeInstanceOf(StepError);
  return result as StepError;
}

describe('runProcedure', () => {
  it('runs the steps in order and dispatches the event of each that names one', async () => {
    const ctx: Ctx = { log: [], failures: {} };
    const u = ue();
    expect(await runProcedure(procedure, ctx, u, retry)).toBeUndefined();
    expect(ctx.log).toEqual(['select-partner', 'begin', 'migration-token', 'token-exchange', 'subscribe-partner-cms', 'subscribe-partner-gms']);
    expect(u.events.map((e) => [e.type, e.text])).toEqual([
      ['PARTNER_SELECTED', 'select-partner done'],
      ['PARTNER_AUTHENTICATED', 'token-exchange done'],
      ['SUBSCRIBED', 'both'],
    ]);
  });

  it('retries the attempt after a transient failure, with cleanup and a capped backoff', async () => {
    const ctx: Ctx = { log: [], failures: { 'token-exchange': [new StepError('token-exchange', 'unreachable', true)] } };
    const u = ue();
    expect(await runProcedure(procedure, ctx, u, retry)).toBeUndefined();
    expect(ctx.log.slice(0, 6)).toEqual(['select-partner', 'begin', 'migration-token', 'token-exchange', 'cleanup', 'begin']);
    const wait = u.events.find((e) => e.type === 'TRANSIENT_FAILURE')!;
    expect([wait.error?.step, wait.text]).toEqual(['token-exchange', expect.stringMatching(/^test procedure: token-exchange failed \(unreachable\); retry 1\/2 in \d+ ms$/)]);
    expect(u.slept).toHaveLength(1);
    expect(u.slept[0]).toBeGreaterThanOrEqual(50);
    expect(u.slept[0]).toBeLessThanOrEqual(100);
  });

  it('ends with the failed step after the last transient failure', async () => {
    const down = () => new StepError('subscribe-partner-gms', 'no initial NOTIFY', true);
    const ctx: Ctx = { log: [], failures: { 'subscribe-partner-gms': [down(), down(), down()] } };
    const u = ue();
    const error = failedWith(await runProcedure(procedure, ctx, u, retry));
    expect([error.step, error.reason]).toEqual(['subscribe-partner-gms', 'no initial NOTIFY']);
    expect(u.events.filter((e) => e.type === 'TRANSIENT_FAILURE')).toHaveLength(2);
    expect(ctx.log.filter((l) => l === 'cleanup')).toHaveLength(3);
  });

  it('does not retry a definitive failure, and names the step of an unexpected error', async () => {
    const ctx: Ctx = { log: [], failures: { 'migration-token': [new Error('boom')] } };
    const u = ue();
    const error = failedWith(await runProcedure(procedure, ctx, u, retry));
    expect([error.step, error.reason, error.transient]).toEqual(['migration-token', 'boom', false]);
    expect(ctx.log).toEqual(['select-partner', 'begin', 'migration-token', 'cleanup']);
    expect(u.slept).toEqual([]);
  });

  it('re-evaluates at each retry: a procedure no longer wanted after the wait is dropped without another attempt', async () => {
    const down = () => new StepError('token-exchange', 'unreachable', true);
    const ctx: Ctx = { log: [], failures: { 'token-exchange': [down(), down()] } };
    let wanted = true;
    const u = ue();
    u.sleep = async (ms) => {
      u.slept.push(ms);
      wanted = false; // the registered PLMN changed during the wait
    };
    expect(await runProcedure(procedure, ctx, u, retry, () => wanted)).toBe(SUPERSEDED);
    expect(ctx.log).toEqual(['select-partner', 'begin', 'migration-token', 'token-exchange', 'cleanup']);
    expect([u.slept.length, u.events.map((e) => e.type)]).toEqual([1, ['PARTNER_SELECTED', 'TRANSIENT_FAILURE']]);
  });

  it('does not wait for a retry that is no longer wanted', async () => {
    const ctx: Ctx = { log: [], failures: { 'migration-token': [new StepError('migration-token', 'unreachable', true)] } };
    const u = ue();
    expect(await runProcedure(procedure, ctx, u, retry, () => false)).toBe(SUPERSEDED);
    expect([u.slept, ctx.log.filter((l) => l === 'begin')]).toEqual([[], ['begin']]);
  });

  it("waits at least the server's Retry-After before the next attempt", async () => {
    const busy = new StepError('token-exchange', 'temporarily_unavailable', true, 5000);
    const ctx: Ctx = { log: [], failures: { 'token-exchange': [busy] } };
    const u = ue();
    expect(await runProcedure(procedure, ctx, u, retry)).toBeUndefined();
    expect(u.slept).toHaveLength(1);
    expect(u.slept[0]).toBeGreaterThanOrEqual(5000);
    expect(u.slept[0]).toBeLessThanOrEqual(7500);
  });

  it('keeps retrying a transient failure until it clears, within the wait budget, and fails once the next wait would exceed it', async () => {
    const down = () => new StepError('migration-token', 'temporarily_unavailable: the database is unavailable; retry later', true, 2000);
    const long = { baseMs: 500, capMs: 8000, attempts: 100, maxWaitMs: 120_000 };
    // Down for 10 attempts (a database outage), then back: the procedure completes.
    const outage: Ctx = { log: [], failures: { 'migration-token': Array.from({ length: 10 }, down) } };
    const u = ue();
    expect(await runProcedure(procedure, outage, u, long)).toBeUndefined();
    expect(u.slept).toHaveLength(10);
    // Down for good: it gives up with the step's reason, having waited no more than the budget.
    const forever: Ctx = { log: [], failures: { 'migration-token': Array.from({ length: 1000 }, down) } };
    const v = ue();
    const error = failedWith(await runProcedure(procedure, forever, v, long));
    expect([error.step, error.transient]).toEqual(['migration-token', true]);
    const waited = v.slept.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(120_000);
    expect(waited).toBeGreaterThan(120_000 - 8000 * 1.5);
  });

  it('a failed preparation step ends the procedure before any attempt', async () => {
    const ctx: Ctx = { log: [], failures: { 'select-partner': [new StepError('select-partner', 'no partner MC system matches', false)] } };
    const error = failedWith(await runProcedure(procedure, ctx, ue(), retry));
    expect([error.step, error.reason]).toEqual(['select-partner', 'no partner MC system matches']);
    expect(ctx.log).toEqual(['select-partner']);
  });

  it('names the running step to the UE (its message log tags with it), cleanup included, and none once the procedure ended', async () => {
    const ctx: Ctx = { log: [], failures: { 'token-exchange': [new StepError('token-exchange', 'unreachable', true)] } };
    const tags: Array<string | undefined> = [];
    const u = { ...ue(), onStep: (t: { procedure: string; step: string; clause: string } | undefined) => void tags.push(t && `${t.procedure}: ${t.step} (${t.clause})`) };
    expect(await runProcedure(procedure, ctx, u, retry)).toBeUndefined();
    const attempt = ['migration-token', 'token-exchange'].map((s) => `test procedure: ${s} (test)`);
    expect(tags).toEqual([
      'test procedure: select-partner (test)',
      ...attempt,
      'test procedure: cleanup (RFC 6665 4.1.2.3; RFC 3261 10.2.2)',
      undefined,
      ...attempt,
      'test procedure: subscribe-partner-cms + subscribe-partner-gms (test)',
      undefined,
    ]);
  });
});
