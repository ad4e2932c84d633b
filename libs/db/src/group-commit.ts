/**
 * Group commit for hot-path writes (issue #14: hot-path state written through in batches,
 * nothing acknowledged before it is durable). Callers enqueue operations; the queue hands them to
 * a `write` function in batches, and each caller's promise settles only once the batch holding
 * its operation has committed (rejects when it failed).
 *
 * The batching window is our choice: what is enqueued within one turn of the event loop
 * (setImmediate), plus whatever arrives while the previous batch is being written. One batch is
 * written at a time and batches are written in enqueue order, so writes reach the database in
 * call order. Operations enqueued with a key and a `merge` function collapse with a pending
 * operation of the same key (it keeps its place in the batch); without a key every operation
 * keeps its own place.
 *
 * When a batch of several operations fails, each is written alone in order, so one bad operation
 * rejects only its own caller; not when the database is unavailable (isDatabaseUnavailable): then
 * every caller of the batch gets the error at once.
 */
import { isDatabaseUnavailable } from './unavailable.ts';

export interface GroupCommitOptions<Op> {
  /**
   * Writes one batch atomically (one transaction), in the order given; resolves once it has
   * committed. Called again with one operation at a time when a batch of several failed.
   */
  write(ops: readonly Op[]): Promise<void>;
  /** The one operation left when `next` follows a pending `prev` of the same key. */
  merge?(prev: Op, next: Op): Op;
  /** Errors that fail the whole batch without a retry one by one (default: isDatabaseUnavailable). */
  isUnavailable?(err: unknown): boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface Entry<Op> {
  op: Op;
  waiters: Waiter[];
}

interface Batch<Op> {
  entries: Entry<Op>[];
  byKey: Map<string, Entry<Op>>;
}

const emptyBatch = <Op>(): Batch<Op> => ({ entries: [], byKey: new Map() });

export class GroupCommitQueue<Op> {
  #pending: Batch<Op> = emptyBatch();
  #scheduled = false;
  /** The batches being written; the next one waits for it. */
  #writing: Promise<void> | undefined;
  readonly #write: (ops: readonly Op[]) => Promise<void>;
  readonly #merge: ((prev: Op, next: Op) => Op) | undefined;
  readonly #isUnavailable: (err: unknown) => boolean;

  constructor(options: GroupCommitOptions<Op>) {
    this.#write = options.write;
    this.#merge = options.merge;
    this.#isUnavailable = options.isUnavailable ?? isDatabaseUnavailable;
  }

  /** Operations not yet handed to `write`. */
  get pending(): number {
    return this.#pending.entries.length;
  }

  /** Settles once the batch holding `op` (or what `op` was merged into) has committed. */
  enqueue(op: Op, key?: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const batch = this.#pending;
      const same = key === undefined || this.#merge === undefined ? undefined : batch.byKey.get(key);
      if (same) {
        same.op = this.#merge!(same.op, op);
        same.waiters.push({ resolve, reject });
      } else {
        const entry: Entry<Op> = { op, waiters: [{ resolve, reject }] };
        batch.entries.push(entry);
        if (key !== undefined && this.#merge !== undefined) batch.byKey.set(key, entry);
      }
      if (this.#scheduled || this.#writing !== undefined) return; // the running batch drains the queue after it
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        void this.#drain();
      });
    });
  }

  /** Resolves once everything enqueued before the call is written (or has failed). Never rejects. */
  async flush(): Promise<void> {
    while (this.#pending.entries.length > 0 || this.#writing !== undefined) await this.#drain();
  }

  /** Writes pending batches one after the other until none is left. Never rejects. */
  #drain(): Promise<void> {
    // Nothing to write (a flush took the batch before the scheduled drain ran): no run is started, so
    // `#writing` is never left holding a settled run that would keep later operations from being scheduled.
    if (this.#writing === undefined && this.#pending.entries.length === 0) return Promise.resolve();
    this.#writing ??= (async () => {
      try {
        while (this.#pending.entries.length > 0) {
          const batch = this.#pending;
          this.#pending = emptyBatch();
          await this.#writeBatch(batch.entries);
        }
      } finally {
        this.#writing = undefined;
      }
    })();
    return this.#writing;
  }

  async #writeBatch(entries: readonly Entry<Op>[]): Promise<void> {
    try {
      await this.#write(entries.map((e) => e.op));
    } catch (err) {
      // One bad operation must not fail its neighbours: each alone, unless the database is away.
      if (entries.length === 1 || this.#isUnavailable(err)) {
        for (const e of entries) for (const w of e.waiters) w.reject(err);
        return;
      }
      for (const e of entries) await this.#writeBatch([e]);
      return;
    }
    for (const e of entries) for (const w of e.waiters) w.resolve();
  }
}
