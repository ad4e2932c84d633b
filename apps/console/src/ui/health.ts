/**
 * Whether the ecosystem answers, polled by the page (our choice: every 2 s, each poll given 3 s).
 * The console server runs inside `mcx up`, so when the ecosystem stops, the poll itself fails: a
 * failed or late poll means "the ecosystem is not running", and every badge turns grey ("unknown")
 * instead of staying as it was last seen. A server that the console reports down is red.
 */
import type { ServerHealth, SystemView } from './api.ts';

export const HEALTH_POLL_INTERVAL_MS = 2000;
export const HEALTH_POLL_TIMEOUT_MS = 3000;

export type HealthPoll =
  | { kind: 'up'; systems: SystemView[] }
  /** The console server did not answer (or not in time): the ecosystem is gone. */
  | { kind: 'unreachable'; reason: string }
  /** The session is gone (the console restarted): log in again. */
  | { kind: 'login' };

export const ECOSYSTEM_DOWN_TEXT = 'The ecosystem is not running (start it with npm start).';

/** One poll of the console server's `/api/systems`. */
export async function pollHealth(url = 'api/systems', timeoutMs = HEALTH_POLL_TIMEOUT_MS): Promise<HealthPoll> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
    if (res.status === 401) return { kind: 'login' };
    if (!res.ok) return { kind: 'unreachable', reason: `the console answered ${res.status}` };
    return { kind: 'up', systems: (await res.json()) as SystemView[] };
  } catch (err) {
    const e = err as Error;
    return { kind: 'unreachable', reason: e.name === 'TimeoutError' ? `the console gave no answer within ${timeoutMs} ms` : 'the console does not answer' };
  }
}

export type Badge = 'up' | 'down' | 'unknown';

/** A server's badge: unknown while the ecosystem does not answer, else what its health check said. */
export function badgeOf(server: ServerHealth, reachable: boolean): Badge {
  if (!reachable) return 'unknown';
  return server.up ? 'up' : 'down';
}
