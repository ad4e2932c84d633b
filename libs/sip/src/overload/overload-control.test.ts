/** Overload decisions and the Retry-After that grows with the refusals of the last second. */
import { expect, it } from 'vitest';
import { OverloadControl } from './overload-control.ts';

const lag = (lagMs: number) => ({ lagMs, start: () => undefined, stop: () => undefined });

it('refuses beyond the pending-request bound or the loop lag bound, and says which', () => {
  const busy = lag(0);
  const control = new OverloadControl({ maxPendingRequests: 3, maxLoopLagMs: 100, loopLag: busy });
  expect(control.check(2)).toBeUndefined();
  expect(control.check(3)).toBe('pending-requests');
  busy.lagMs = 101;
  expect(control.check(0)).toBe('loop-lag');
  expect(control.refused).toBe(2);
});

it('gives Retry-After one more step for every maxPendingRequests refusals of the last second, up to maxRetryAfter', () => {
  const control = new OverloadControl({ maxPendingRequests: 2, retryAfter: 1, maxRetryAfter: 3, loopLag: lag(0) });
  expect(control.retryAfterNow()).toBe(1);
  control.check(2);
  expect(control.retryAfterNow()).toBe(1);
  control.check(2);
  expect(control.retryAfterNow()).toBe(2);
  for (let i = 0; i < 4; i++) control.check(2);
  expect(control.retryAfterNow()).toBe(3);
  // Two seconds without refusals: back to the base value.
  expect(control.retryAfterNow(Date.now() + 2_500)).toBe(1);
});
