/** Timers E/F/K and J of the non-INVITE transactions (RFC 3261 clause 17.1.2.2, 17.2.2). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../scheduler.ts';
import type { Target } from '../transport/transport.ts';
import { ClientTransaction, type ClientFailure } from './client.ts';
import { ServerTransaction } from './server.ts';
import type { SipResponse } from '../message/message.ts';
import { SipHeaders } from '../message/headers.ts';

const target: Target = { protocol: 'udp', host: '127.0.0.1', port: 9 };
const timers = { t1: 10, t2: 40, t4: 20 };

function ctx(sent: number[]) {
  const scheduler = new Scheduler();
  return { scheduler, timers, send: async () => void sent.push(Date.now()) };
}
const response = (status: number): SipResponse => ({ kind: 'response', status, reason: '', headers: new SipHeaders(), body: '' });
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
};

it('client: retransmits over UDP until answered, then absorbs the retransmitted final response', async () => {
  const sent: number[] = [];
  const got: number[] = [];
  let terminated = false;
  const tx = new ClientTransaction(ctx(sent), 'k', Buffer.from('x'), target, false, {
    onResponse: (r) => got.push(r.status), onFailure: () => undefined, onTerminated: () => (terminated = true),
  });
  tx.start();
  await until(() => sent.length >= 3);
  tx.receive(response(200));
  tx.receive(response(200));
  expect(got).toEqual([200]);
  expect(tx.state).toBe('completed');
  const count = sent.length;
  await until(() => terminated); // Timer K
  expect(sent.length).toBe(count);
});

/**
 * RFC 3261 clause 17.1.2.2: over UDP, Timer E starts at T1 and doubles on each retransmission up to
 * T2 (once Proceeding, it is T2); Timer F fires at 64*T1. The expected send times are computed from
 * that rule, and the transaction runs on fake timers so the schedule is compared to the millisecond.
 */
function sendTimes(next: (interval: number) => number): number[] {
  const times = [0];
  let at = 0;
  let interval = timers.t1;
  while (at + interval < 64 * timers.t1) {
    at += interval;
    times.push(at);
    interval = next(interval);
  }
  return times;
}
const doublingCappedAtT2 = (interval: number) => Math.min(2 * interval, timers.t2);

describe('client: Timer E schedule and Timer F (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function run(reliable: boolean) {
    const sent: number[] = [];
    const failures: { reason: ClientFailure; at: number }[] = [];
    const scheduler = new Scheduler(undefined, () => Date.now());
    const tx = new ClientTransaction({ scheduler, timers, send: async () => void sent.push(Date.now()) }, 'k', Buffer.from('x'),
      reliable ? { ...target, protocol: 'tcp' } : target, reliable, {
        onResponse: () => undefined, onFailure: (reason) => failures.push({ reason, at: Date.now() }), onTerminated: () => undefined,
      });
    return { sent, failures, tx };
  }

  it('retransmits at T1, 2*T1, ... capped at T2 over UDP, then Timer F reports a timeout at 64*T1', async () => {
    const { sent, failures, tx } = run(false);
    tx.start();
    await vi.advanceTimersByTimeAsync(64 * timers.t1 + 5 * timers.t2);
    expect(sent).toEqual(sendTimes(doublingCappedAtT2));
    // The intervals double from T1 and then stay at T2: 10, 20, 40, 40, ... (T2 = 4*T1 here).
    const intervals = sent.slice(1).map((t, i) => t - sent[i]!);
    expect(intervals.slice(0, 4)).toEqual([timers.t1, 2 * timers.t1, timers.t2, timers.t2]);
    expect(Math.max(...intervals)).toBe(timers.t2);
    expect(failures).toEqual([{ reason: 'timeout', at: 64 * timers.t1 }]);
    expect(tx.state).toBe('terminated');
  });

  it('retransmits every T2 once a provisional response moved it to Proceeding', async () => {
    const { sent, tx } = run(false);
    tx.start();
    await vi.advanceTimersByTimeAsync(timers.t1 / 2);
    tx.receive(response(100));
    await vi.advanceTimersByTimeAsync(64 * timers.t1);
    expect(sent).toEqual(sendTimes(() => timers.t2));
    expect(sent.slice(0, 4)).toEqual([0, timers.t1, timers.t1 + timers.t2, timers.t1 + 2 * timers.t2]);
  });

  it('sends once over a reliable transport and still times out at 64*T1', async () => {
    const { sent, failures, tx } = run(true);
    tx.start();
    await vi.advanceTimersByTimeAsync(64 * timers.t1 + 5 * timers.t2);
    expect(sent).toEqual([0]);
    expect(failures).toEqual([{ reason: 'timeout', at: 64 * timers.t1 }]);
  });
});

it('client: a transport error is reported at once', async () => {
  const failures: ClientFailure[] = [];
  const scheduler = new Scheduler();
  const tx = new ClientTransaction({ scheduler, timers, send: async () => { throw new Error('ECONNREFUSED'); } }, 'k', Buffer.from('x'), target, true, {
    onResponse: () => undefined, onFailure: (f) => failures.push(f), onTerminated: () => undefined,
  });
  tx.start();
  await until(() => failures.length > 0);
  expect(failures).toEqual(['transport']);
});

it('server: absorbs retransmissions while Trying, repeats the final response while Completed, ends after Timer J', async () => {
  const sent: number[] = [];
  let terminated = false;
  const tx = new ServerTransaction(ctx(sent), 'k', target, false, () => (terminated = true));
  tx.retransmission();
  expect(sent).toHaveLength(0);
  expect(tx.respond(Buffer.from('SIP/2.0 200 OK'), 200)).toBe(true);
  expect(tx.respond(Buffer.from('SIP/2.0 500 no'), 500)).toBe(false);
  tx.retransmission();
  await until(() => sent.length === 2);
  await until(() => terminated);
  expect(tx.state).toBe('terminated');
});
