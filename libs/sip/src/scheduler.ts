/**
 * One shared timer heap for all SIP timers (transaction timers of RFC 3261 clause 17,
 * subscription expiry and refresh of RFC 6665). Thousands of subscriptions cost heap entries,
 * not Node timers: a single `setTimeout` is armed for the earliest deadline.
 *
 * Delays are clamped to what setTimeout accepts (2**31-1 ms); longer deadlines (an Expires of
 * 4294967295 s, TS 24.379) simply re-arm until they are due.
 */

export interface TimerHandle {
  cancel(): void;
  readonly due: number;
}

interface Entry extends TimerHandle {
  due: number;
  seq: number;
  fn: (() => void) | undefined;
}

const MAX_TIMEOUT = 2 ** 31 - 1;

export class Scheduler {
  private heap: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;
  private seq = 0;
  private cancelled = 0;

  constructor(
    private readonly onError: (err: unknown) => void = (err) => console.error('sip scheduler: timer callback failed', err),
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs `fn` after `delayMs` (any finite size; a negative delay means overdue: as soon as possible). */
  schedule(delayMs: number, fn: () => void): TimerHandle {
    const due = this.now() + (Number.isFinite(delayMs) ? delayMs : Number.MAX_SAFE_INTEGER / 2);
    const entry: Entry = {
      due,
      seq: this.seq++,
      fn,
      cancel: () => {
        if (entry.fn) {
          entry.fn = undefined;
          this.cancelled++;
          if (this.cancelled > 1024 && this.cancelled > this.heap.length / 2) this.compact();
        }
      },
    };
    this.push(entry);
    if (due < this.armedFor) this.arm();
    return entry;
  }

  /** Number of live timers (for tests and leak checks). */
  get size(): number {
    return this.heap.length - this.cancelled;
  }

  /** Cancels the pending Node timer; entries stay but never fire. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
    this.heap = [];
    this.cancelled = 0;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const top = this.heap[0];
    if (!top) {
      this.armedFor = Infinity;
      return;
    }
    this.armedFor = top.due;
    const delay = Math.min(MAX_TIMEOUT, Math.max(0, top.due - this.now()));
    this.timer = setTimeout(() => this.run(), delay);
    this.timer.unref();
  }

  private run(): void {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.now();
    for (;;) {
      const top = this.heap[0];
      if (!top || top.due > now) break;
      this.pop();
      const fn = top.fn;
      if (!fn) {
        this.cancelled--;
        continue;
      }
      top.fn = undefined;
      try {
        fn();
      } catch (err) {
        this.onError(err);
      }
    }
    this.arm();
  }

  private compact(): void {
    this.heap = this.heap.filter((e) => e.fn !== undefined);
    this.cancelled = 0;
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  private less(a: Entry, b: Entry): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    this.down(0);
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
