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
  /** The `Retry-After` of the 503, seconds (default 1), while few requests are refused; see `retryAfterNow`. */
  retryAfter?: number;
  /** The largest `Retry-After` given, seconds (default 10). */
  maxRetryAfter?: number;
  /** The loop lag source (default: the process-wide monitor). */
  loopLag?: Pick<LoopLagMonitor, 'lagMs' | 'start' | 'stop'>;
}

/** Why a request is refused, or undefined when it is served. */
export type OverloadCause = 'pending-requests' | 'loop-lag';

export class OverloadControl {
  readonly maxPendingRequests: number;
  readonly maxLoopLagMs: number;
  readonly retryAfter: number;
  readonly maxRetryAfter: number;
  /** Refusals in the current and the previous second (the current second's start, ms). */
  #bucketStart = 0;
  #bucket = 0;
  #previousBucket = 0;
  readonly #lag: Pick<LoopLagMonitor, 'lagMs' | 'start' | 'stop'>;
  /** Requests refused so far (metrics, tests). */
  refused = 0;

  constructor(options: OverloadOptions = {}) {
    this.maxPendingRequests = options.maxPendingRequests ?? 200;
    this.maxLoopLagMs = options.maxLoopLagMs ?? 200;
    this.retryAfter = options.retryAfter ?? 1;
    this.maxRetryAfter = Math.max(this.retryAfter, options.maxRetryAfter ?? 10);
    this.#lag = options.loopLag ?? sharedLoopLag();
    this.#lag.start();
  }

  /** Whether a new out-of-dialog request is refused now, given how many requests are unanswered. */
  check(pendingRequests: number): OverloadCause | undefined {
    const cause: OverloadCause | undefined =
      pendingRequests >= this.maxPendingRequests ? 'pending-requests' : this.#lag.lagMs > this.maxLoopLagMs ? 'loop-lag' : undefined;
    if (cause) {
      this.refused++;
      this.#count();
    }
    return cause;
  }

  #count(now = Date.now()): void {
    if (now - this.#bucketStart >= 1000) {
      this.#previousBucket = now - this.#bucketStart >= 2000 ? 0 : this.#bucket;
      this.#bucket = 0;
      this.#bucketStart = now;
    }
    this.#bucket++;
  }

  /**
   * The `Retry-After` to give now, seconds: `retryAfter`, one more step of it for every
   * `maxPendingRequests` refusals in the last second, at most `maxRetryAfter`. Clients refused
   * together then come back spread over a longer time, and refusing them does not become the
   * server's main work (our choice; RFC 3261 clause 21.5.4 leaves the value to the server).
   */
  retryAfterNow(now = Date.now()): number {
    const recent = now - this.#bucketStart < 1000 ? this.#bucket + this.#previousBucket : now - this.#bucketStart < 2000 ? this.#bucket : 0;
    return Math.min(this.maxRetryAfter, this.retryAfter * (1 + Math.floor(recent / this.maxPendingRequests)));
  }

  close(): void {
    this.#lag.stop();
  }
}
