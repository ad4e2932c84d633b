/** The loop lag monitor: late probe after probe is saturation; one long task alone is not. */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { LoopLagMonitor } from './loop-lag.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});
afterEach(() => {
  vi.useRealTimers();
});

it('counts the smaller lag of the last two probes, and the probe overdue now', () => {
  let t = 0;
  const monitor = new LoopLagMonitor(10, () => t);
  expect(monitor.lagMs).toBe(0); // not started
  monitor.start();
  /** The loop is busy `busy` ms more than the probe period, then the probe runs. */
  const probe = (busy: number) => {
    t += 10 + busy;
    vi.advanceTimersByTime(10);
  };
  probe(0);
  expect(monitor.lagMs).toBe(0);
  probe(150); // one long task
  expect(monitor.lagMs).toBe(0);
  probe(120); // and another: saturated
  expect(monitor.lagMs).toBe(120);
  probe(300);
  expect(monitor.lagMs).toBe(120);
  // Still busy, the next probe 80 ms overdue: counted as the smaller of 300 and 80.
  t += 10 + 80;
  expect(monitor.lagMs).toBe(80);
  vi.advanceTimersByTime(10);
  probe(0);
  expect(monitor.lagMs).toBe(0);
  monitor.stop();
  expect(monitor.lagMs).toBe(0);
});

it('is shared: stop ends the probe only when every start was matched', () => {
  const t = 0;
  const monitor = new LoopLagMonitor(10, () => t);
  monitor.start();
  monitor.start();
  monitor.stop();
  expect(vi.getTimerCount()).toBe(1);
  monitor.stop();
  expect(vi.getTimerCount()).toBe(0);
});
