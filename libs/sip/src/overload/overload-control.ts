/**
 * Overload control of a SIP server (RFC 3261 clause 21.5.4, 20.33): a server that cannot keep up
 * answers new requests `503 Service Unavailable` with `Retry-After` instead of letting them wait
 * until the client's Timer F fires (a 408 after 64*T1, having retransmitted all along over UDP,
 * each retransmission adding to the load).
 *
 * Saturated means: more requests wait for their final response than `maxPendingRequests`, or the
 * event loop lags more than `maxLoopLagMs`. Only out-of-dialog requests (no To tag: new
 * subscriptions, registrations...) are refused; requests within a dialog (refreshes, un-subscribes,
 * NOTIFYs) are served, so that work already accepted finishes (our choice, as RFC 5390 clause 4
 * asks a server to prefer the sessions it carries over new ones). A retransmission of a refused
 * request gets the same 503 from its server transaction (RFC 3261 clause 17.2.2).
 */
import { sharedLoopLag, type LoopLagMonitor } from './loop-lag.ts';

export interface OverloadOptions {
  /** New out-of-dialog requests are refused while more requests than this await their final response (default 200). */
  maxPendingRequests?: number;
  /** ... or while the event loop lags more than this many ms (default 200). */
  maxLoopLagMs?: number;
  /** The `Retry-After` of the 503, seconds (default 1). */
  retryAfter?: number;
  /** The loop lag source (default: the process-wide monitor). */
  loopLag?: Pick<LoopLagMonitor, 'lagMs' | 'start' | 'stop'>;
}

/** Why a request is refused, or undefined when it is served. */
export type OverloadCause = 'pending-requests' | 'loop-lag';

export class OverloadControl {
  readonly maxPendingRequests: number;
  readonly maxLoopLagMs: number;
  readonly retryAfter: number;
  readonly #lag: Pick<LoopLagMonitor, 'lagMs' | 'start' | 'stop'>;
  /** Requests refused so far (metrics, tests). */
  refused = 0;

  constructor(options: OverloadOptions = {}) {
    this.maxPendingRequests = options.maxPendingRequests ?? 200;
    this.maxLoopLagMs = options.maxLoopLagMs ?? 200;
    this.retryAfter = options.retryAfter ?? 1;
    this.#lag = options.loopLag ?? sharedLoopLag();
    this.#lag.start();
  }

  /** Whether a new out-of-dialog request is refused now, given how many requests are unanswered. */
  check(pendingRequests: number): OverloadCause | undefined {
    const cause: OverloadCause | undefined =
      pendingRequests >= this.maxPendingRequests ? 'pending-requests' : this.#lag.lagMs > this.maxLoopLagMs ? 'loop-lag' : undefined;
    if (cause) this.refused++;
    return cause;
  }

  close(): void {
    this.#lag.stop();
  }
}
