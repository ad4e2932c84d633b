/**
 * A small pool of worker threads (node:worker_threads) for XML work that cannot be bounded
 * cheaply enough to run on the servers' shared event loop: `mcx up` runs every server of both MC
 * systems in one Node process, so parsing and validating a large accepted document there would
 * stall every other server for as long. The pool runs named tasks of one task module (a module
 * exporting functions that take and return structured-clonable values) in its threads.
 *
 * Bounded (our choice): `threads` workers, each running one task at a time, and at most
 * `maxQueue` tasks waiting; a task beyond that is refused at once with a WorkerPoolBusyError,
 * which a server answers with 503 + Retry-After (RFC 9110 clause 15.6.4). Threads start on first
 * use, run niced (Linux) below the event loop, stop after a minute idle (releasing their memory),
 * and are replaced when one dies. When the task module is TypeScript (running from sources),
 * each thread registers tsx and resolves workspace packages with the `@mcx/source` condition.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export interface WorkerPoolOptions {
  /** The task module, as a file URL (e.g. `new URL('./tasks.ts', import.meta.url)`). */
  module: URL | string;
  /** Worker threads (default 2). */
  threads?: number;
  /** Tasks that may wait for a thread before further ones are refused (default 16). */
  maxQueue?: number;
  /**
   * Scheduling niceness of the threads (default 10, 0 = as the process): on Linux a thread can be
   * niced alone, so the event loop of the servers keeps the CPU when cores are scarce and the
   * checks take what is left. Elsewhere it is ignored.
   */
  niceness?: number;
  /** A thread idle this long is stopped, its memory released (default 60 s); the next task starts one. */
  idleTimeoutMs?: number;
}

/** The pool's threads are all busy and its queue is full: try again later. */
export class WorkerPoolBusyError extends Error {
  override readonly name = 'WorkerPoolBusyError';
  /** Seconds a client should wait before retrying (for Retry-After). */
  readonly retryAfterSeconds = 1;
  constructor(queued: number) {
    super(`all XML worker threads are busy and ${queued} tasks wait`);
  }
}

/** A task failed in its thread; `remoteName` is the name of the error thrown there. */
export class WorkerTaskError extends Error {
  override readonly name = 'WorkerTaskError';
  constructor(
    message: string,
    readonly remoteName: string,
  ) {
    super(message);
  }
}

export interface WorkerPoolStats {
  threads: number;
  running: number;
  queued: number;
  /** Tasks completed since the pool started. */
  completed: number;
}

interface Job {
  task: string;
  input: unknown;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  idle?: NodeJS.Timeout | undefined;
}

type Reply = { ok: true; output: unknown } | { ok: false; name: string; message: string };

/** The file URL of tsx's ESM register API (its package's `import` export of `./esm/api`). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = (require(manifest) as { exports: Record<string, { import: { default: string } }> }).exports;
  return new URL(exports['./esm/api']!.import.default, pathToFileURL(manifest)).href;
}

/** The `--conditions` (`-C`) flags of a process's execArgv, each as one `--conditions=NAME` argument. */
function conditionsOf(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    if (a.startsWith('--conditions=')) out.push(a);
    else if ((a === '--conditions' || a === '-C') && execArgv[i + 1] !== undefined) out.push(`--conditions=${execArgv[++i]}`);
  }
  return out;
}

/** The code each thread runs (CommonJS, evaluated): load the task module once, then serve tasks. */
const THREAD_MAIN = `
const { parentPort, workerData } = require('node:worker_threads');
if (workerData.niceness) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.niceness);
  } catch {}
}
const ready = (async () => {
  if (workerData.tsx) (await import(workerData.tsx)).register();
  return import(workerData.module);
})();
ready.catch(() => undefined);
parentPort.on('message', async ({ task, input }) => {
  try {
    const mod = await ready;
    if (typeof mod[task] !== 'function') throw new Error('the task module has no task ' + task);
    parentPort.postMessage({ ok: true, output: await mod[task](input) });
  } catch (e) {
    parentPort.postMessage({ ok: false, name: (e && e.name) || 'Error', message: String((e && e.message) || e) });
  }
});
`;

export class XmlWorkerPool {
  readonly #module: string;
  readonly #threads: number;
  readonly #maxQueue: number;
  readonly #niceness: number;
  readonly #idleTimeoutMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #completed = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#module = String(options.module);
    this.#threads = Math.max(1, options.threads ?? 2);
    this.#maxQueue = Math.max(0, options.maxQueue ?? 16);
    this.#niceness = Math.min(19, Math.max(0, options.niceness ?? 10));
    this.#idleTimeoutMs = Math.max(1, options.idleTimeoutMs ?? 60_000);
  }

  /** Runs `task(input)` of the task module in a thread; rejects with WorkerPoolBusyError when full. */
  run<O>(task: string, input: unknown): Promise<O> {
    if (this.#closed) return Promise.reject(new Error('the XML worker pool is closed'));
    const idle = this.#idleSlot();
    if (idle === undefined && this.#queue.length >= this.#maxQueue) return Promise.reject(new WorkerPoolBusyError(this.#queue.length));
    return new Promise<O>((resolve, reject) => {
      const job: Job = { task, input, resolve: resolve as (v: unknown) => void, reject };
      if (idle !== undefined) this.#start(idle, job);
      else this.#queue.push(job);
    });
  }

  stats(): WorkerPoolStats {
    return { threads: this.#slots.length, running: this.#slots.filter((s) => s.job).length, queued: this.#queue.length, completed: this.#completed };
  }

  /** Stops every thread; waiting and running tasks are rejected. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('the XML worker pool is closed'));
    const slots = this.#slots.splice(0);
    for (const s of slots) {
      clearTimeout(s.idle);
      s.job?.reject(new Error('the XML worker pool is closed'));
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #idleSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => s.job === undefined);
    if (idle !== undefined) return idle;
    if (this.#slots.length < this.#threads) {
      const slot: Slot = { worker: this.#spawn(), job: undefined };
      this.#slots.push(slot);
      this.#listen(slot);
      return slot;
    }
    return undefined;
  }

  #spawn(): Worker {
    const typescript = /\.[mc]?ts$/.test(new URL(this.#module).pathname);
    const conditions = conditionsOf(process.execArgv);
    if (typescript) conditions.push('--conditions=@mcx/source');
    const tsx = typescript ? tsxEsmApi() : undefined;
    const worker = new Worker(THREAD_MAIN, { eval: true, execArgv: conditions, workerData: { module: this.#module, tsx, niceness: this.#niceness } });
    // An idle pool never keeps the process alive; the servers using it close it when they stop.
    worker.unref();
    return worker;
  }

  #listen(slot: Slot): void {
    slot.worker.on('message', (reply: Reply) => {
      const job = slot.job;
      slot.job = undefined;
      this.#completed++;
      if (job !== undefined) {
        if (reply.ok) job.resolve(reply.output);
        else job.reject(new WorkerTaskError(reply.message, reply.name));
      }
      this.#next(slot);
    });
    slot.worker.on('error', (err) => this.#replace(slot, err));
    slot.worker.on('exit', (code) => this.#replace(slot, new Error(`an XML worker thread exited with code ${code}`)));
  }

  /** A thread died: fail its task, drop it, and let the next task start a fresh one. */
  #replace(slot: Slot, err: Error): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0) return;
    this.#slots.splice(i, 1);
    slot.job?.reject(err);
    slot.job = undefined;
    const next = this.#queue.length > 0 && !this.#closed ? this.#idleSlot() : undefined;
    if (next !== undefined) this.#next(next);
  }

  #next(slot: Slot): void {
    const job = this.#queue.shift();
    if (job !== undefined) return this.#start(slot, job);
    slot.idle = setTimeout(() => this.#retire(slot), this.#idleTimeoutMs);
    slot.idle.unref();
  }

  /** An idle thread is stopped; the next task starts a fresh one. */
  #retire(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i < 0 || slot.job !== undefined) return;
    this.#slots.splice(i, 1);
    void slot.worker.terminate();
  }

  #start(slot: Slot, job: Job): void {
    clearTimeout(slot.idle);
    slot.idle = undefined;
    slot.job = job;
    slot.worker.postMessage({ task: job.task, input: job.input });
  }
}
