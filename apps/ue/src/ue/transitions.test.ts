// The UE's transition table (state × event → state) and its dispatch to one handler per state:
// the procedures of TS 24.484 4.2.2.1.1 / 4.2.2.1.2 are paths through the table, anything else
// is refused, logged and counted without changing the state.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { STATE_HANDLERS } from './state-handlers.ts';
import { UeStateMachine } from './state-machine.ts';
import { StepError, UE_STATES, type UeState } from './states.ts';
import { nextState, TRANSITIONS, UE_EVENTS, type UeEventName } from './transitions.ts';

function machine() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  let changes = 0;
  const m = new UeStateMachine('ue-1', logger, () => (changes += 1));
  return { m, lines, changes: () => changes };
}

function walk(m: UeStateMachine, events: UeEventName[]): UeState[] {
  return events.map((type) => {
    expect(m.dispatch({ type }), `${type} in ${m.state}`).toBe(true);
    return m.state;
  });
}

describe('transition table', () => {
  it('has a row and a handler for every state, and every entry leads to a state', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...UE_STATES].sort());
    expect(Object.keys(STATE_HANDLERS).sort()).toEqual([...UE_STATES].sort());
    for (const row of Object.values(TRANSITIONS)) {
      for (const [event, to] of Object.entries(row)) {
        expect(UE_EVENTS).toContain(event);
        expect(UE_STATES).toContain(to);
      }
    }
  });

  it('each state handler follows its row of the table', () => {
    for (const state of UE_STATES) {
      for (const type of UE_EVENTS) {
        expect(STATE_HANDLERS[state]({ error: null }, { type }), `${state} × ${type}`).toBe(nextState(state, type));
      }
    }
  });

  it('reaches every state from NONE, and STOPPED from every other state', () => {
    const seen = new Set<UeState>(['NONE']);
    const frontier: UeState[] = ['NONE'];
    while (frontier.length) {
      for (const to of Object.values(TRANSITIONS[frontier.pop()!])) {
        if (seen.has(to)) continue;
        seen.add(to);
        frontier.push(to);
      }
    }
    expect([...seen].sort()).toEqual([...UE_STATES].sort());
    for (const state of UE_STATES.filter((s) => s !== 'STOPPED')) expect(nextState(state, 'DELETED')).toBe('STOPPED');
    expect(TRANSITIONS.STOPPED).toEqual({});
  });

  it('online configuration (TS 24.484 4.2.2.1.1), a NOTIFY, a migration (4.2.2.1.2) and the return home are paths through it', () => {
    const { m } = machine();
    expect(walk(m, ['UE_INIT_CONFIG_OBTAINED', 'USER_AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'CONFIGURED'])).toEqual([
      'WITH_UE_INIT_CONFIG', 'AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'STABLE',
    ]);
    expect(walk(m, ['NOTIFY_RECEIVED', 'NOTIFY_APPLIED'])).toEqual(['UPDATING', 'STABLE']);
    expect(walk(m, ['PARTNER_SELECTED', 'PROFILE_SELECTED', 'PARTNER_AUTHENTICATED', 'MIGRATION_SERVICE_AUTHORIZED', 'SUBSCRIBED', 'CONFIGURED'])).toEqual([
      'PARTNER_SELECTED', 'PROFILE_SELECTED', 'PARTNER_AUTHENTICATED', 'MIGRATION_AUTHORIZED', 'SUBSCRIBED', 'STABLE',
    ]);
    expect(walk(m, ['USER_AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'CONFIGURED'])).toEqual(['AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'STABLE']);
    expect(m.history.map((h) => h.state)).toHaveLength(17);
    expect(m.refused).toBe(0);
  });

  it('refuses an illegal transition: the state does not change, the refusal is logged with state and event and counted', () => {
    const { m, lines, changes } = machine();
    walk(m, ['UE_INIT_CONFIG_OBTAINED', 'USER_AUTHENTICATED']);
    const before = { history: m.history.length, changes: changes() };
    // AUTHENTICATED → STABLE would skip the service authorization and the subscriptions.
    expect(m.dispatch({ type: 'CONFIGURED', text: 'configured' })).toBe(false);
    expect(m.state).toBe('AUTHENTICATED');
    expect([m.history.length, changes(), m.refused, m.lastEvent?.text]).toEqual([before.history, before.changes, 1, undefined]);
    const refusal = lines.find((l) => l['level'] === 40)!;
    expect(refusal).toMatchObject({ ue: 'ue-1', state: 'AUTHENTICATED', event: 'CONFIGURED', refused: 1 });
    expect(refusal['msg']).toBe('event CONFIGURED refused in state AUTHENTICATED');
    // A deleted UE takes nothing.
    expect(m.dispatch({ type: 'DELETED' })).toBe(true);
    expect(m.dispatch({ type: 'USER_AUTHENTICATED' })).toBe(false);
    expect([m.state, m.refused]).toEqual(['STOPPED', 2]);
  });

  it('a failed or pending move ends STABLE, its failure cleared, when the PLMN is served where the UE is configured (PLMN_SERVED)', () => {
    const { m } = machine();
    walk(m, ['UE_INIT_CONFIG_OBTAINED', 'USER_AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED', 'CONFIGURED', 'PARTNER_SELECTED', 'PROFILE_SELECTED']);
    expect(m.dispatch({ type: 'MIGRATION_FAILED', error: new StepError('token-exchange', 'invalid_grant', false) })).toBe(true);
    expect([m.state, m.error?.step]).toEqual(['MIGRATION_FAILED', 'token-exchange']);
    expect(m.dispatch({ type: 'PLMN_SERVED', text: 'registered PLMN 00101 is served by mcx-a' })).toBe(true);
    expect([m.state, m.error, m.lastEvent?.text]).toEqual(['STABLE', null, 'registered PLMN 00101 is served by mcx-a']);
    walk(m, ['PARTNER_SELECTED', 'PROFILE_SELECTED']);
    expect(m.dispatch({ type: 'TRANSIENT_FAILURE', error: new StepError('token-exchange', 'unreachable', true) })).toBe(true);
    expect(walk(m, ['PLMN_SERVED'])).toEqual(['STABLE']);
    expect(m.error).toBeNull();
    // Already STABLE, or in the middle of a procedure: nothing to end.
    for (const state of ['STABLE', 'UPDATING', 'PARTNER_SELECTED', 'NONE', 'FAILED'] as const) expect(nextState(state, 'PLMN_SERVED'), state).toBeUndefined();
  });

  it('a failure event records its step and reason; the end of a later procedure clears it', () => {
    const { m } = machine();
    expect(m.dispatch({ type: 'TRANSIENT_FAILURE', error: new StepError('ue-init-config', 'unreachable: ECONNREFUSED', true), text: 'retry 1/4' })).toBe(true);
    expect([m.state, m.error?.step, m.error?.reason, m.lastEvent?.text]).toEqual(['RETRY_WAIT', 'ue-init-config', 'unreachable: ECONNREFUSED', 'retry 1/4']);
    // A refused failure event records nothing.
    expect(m.dispatch({ type: 'CONFIGURED', error: new StepError('login', 'x', false) })).toBe(false);
    expect(m.error?.step).toBe('ue-init-config');
    walk(m, ['UE_INIT_CONFIG_OBTAINED', 'USER_AUTHENTICATED', 'SERVICE_AUTHORIZED', 'SUBSCRIBED']);
    expect(m.error?.step).toBe('ue-init-config');
    walk(m, ['CONFIGURED']);
    expect(m.error).toBeNull();
    expect(m.dispatch({ type: 'MIGRATION_FAILED', error: new StepError('select-partner', 'no partner', false) })).toBe(true);
    expect([m.state, m.error?.step]).toEqual(['MIGRATION_FAILED', 'select-partner']);
  });
});
