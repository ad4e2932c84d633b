/**
 * Expires values of SUBSCRIBE (RFC 3261 clause 20.19: delta-seconds, RFC 6665 clause 4.2.1.1)
 * up to 4294967295 (2**32-1, TS 24.379 uses it) kept as safe-integer numbers; timers derived
 * from them go through the scheduler, which clamps Node's 2**31-1 ms limit.
 */
export const MAX_EXPIRES = 4294967295;

export class ExpiresError extends Error {}

/** Parses an Expires value; undefined when absent. Throws on non-digits or > 2**32-1. */
export function parseExpires(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim();
  if (!/^\d{1,10}$/.test(t)) throw new ExpiresError(`Invalid Expires "${value}"`);
  const n = Number(t);
  if (n > MAX_EXPIRES) throw new ExpiresError(`Expires out of range "${value}"`);
  return n;
}

/** Seconds left until `expiresAt` (ms), rounded down, never negative. */
export function secondsLeft(expiresAt: number, now = Date.now()): number {
  return Math.max(0, Math.floor((expiresAt - now) / 1000));
}
