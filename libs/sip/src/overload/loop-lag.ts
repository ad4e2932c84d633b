/**
 * How late the event loop runs: a repeating timer that measures how much later than asked it
 * fires. A server whose loop lags is saturated: every request it accepts now waits at least that
 * long before anything else is done for it. Used by SIP overload control (`overload-control.ts`,
 * RFC 3261 clause 21.5.4) and by HTTP servers for their 503 + Retry-After (RFC 9110 clause 15.6.4).
 *
 * One monitor per interval is shared by the whole process (`sharedLoopLag`); its timer is unref'd,
 * so it never keeps a process alive.
 */
import { performance } from 'node:perf_hooks';

export class LoopLagMonitor {
  #timer: NodeJS.Timeout | undefined;
  #last = performance.now();
  #lag = 0;
  #previous = 0;
  #users = 0;

  constructor(
    /** Probe period in ms (default 20). */
    readonly intervalMs = 20,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts probing (counted: `stop` ends it when every `start` was matched). */
  start(): void {
    if (this.#users++ > 0) return;
    this.#last = this.now();
    this.#lag = 0;
    this.#previous = 0;
    this.#timer = setInterval(() => {
      const now = this.now();
      this.#previous = this.#lag;
      this.#lag = Math.max(0, now - this.#last - this.intervalMs);
      this.#last = now;
    }, this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#users === 0 || --this.#users > 0) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#lag = 0;
    this.#previous = 0;
  }

  /** The sustained lag of the event loop now, ms (see below). */
  get lagMs(): number {
    if (this.#timer === undefined) return 0;
    const overdue = this.now() - this.#last - this.intervalMs;
    // A loop that lags is late probe after probe: one long task (a GC pause, a large document
    // checked once, a process not scheduled for a moment) is not saturation. The lag counted is
    // the smaller of the last two probes' (or of the last one and the current overdue one).
    return overdue > 0 ? Math.min(this.#lag, overdue) : Math.min(this.#lag, this.#previous);
  }
}

const shared = new Map<number, LoopLagMonitor>();

/** The process-wide monitor probing every `intervalMs` (started by its users). */
export function sharedLoopLag(intervalMs = 20): LoopLagMonitor {
  let m = shared.get(intervalMs);
  if (m === undefined) shared.set(intervalMs, (m = new LoopLagMonitor(intervalMs)));
  return m;
}
