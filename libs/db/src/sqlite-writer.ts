/**
 * The writer thread of an embedded SQLite database (issue #14, docs/performance.md): the hot-path
 * writes (raw-rows.ts `executeStatements`, fed by the group-commit queues of group-commit.ts) run
 * on a worker thread (node:worker_threads) that owns a better-sqlite3 connection of its own, so
 * neither executing the statements nor the fsync of their commit blocks the event loop that serves
 * SIP and HTTP for every server of the process. Before, they ran through Prisma's driver adapter,
 * which executes synchronously on the calling thread and prepares every statement again at each
 * call. Our choice; the Prisma connection keeps serving reads and every other write.
 *
 * The thread runs each batch as one `BEGIN IMMEDIATE ... COMMIT` transaction (all or nothing), with
 * prepared statements kept per SQL text (better-sqlite3 `db.prepare` once, a bounded cache), and
 * answers only once COMMIT has returned. Its connection keeps `PRAGMA synchronous = NORMAL`, as the
 * Prisma connection does (better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1; SQLite
 * documentation, "PRAGMA synchronous": in WAL mode NORMAL syncs at checkpoints, not at every
 * commit: a committed transaction survives a crash of the process, the case this ecosystem
 * guarantees, and may be rolled back by a power loss or an OS crash; see {@link WRITER_SYNCHRONOUS}), the busy
 * timeout of migrate.ts and foreign keys on. A caller's promise therefore resolves only once its
 * transaction has committed: a SIGKILL afterwards loses nothing. Batches are answered in the order
 * posted, one at a time per database.
 *
 * Visibility (SQLite documentation, "Write-Ahead Logging", section 2.2 Concurrency): a reader sees
 * the database as of the start of its read transaction; the Prisma connection does not hold one
 * between its statements, so its next read after a writer promise resolved sees the commit
 * (read-your-writes).
 *
 * One writer at a time (WAL allows a single writer): the two connections take turns through
 * `WriteLock`, a lock of the main thread held while the thread has a batch and while the Prisma
 * connection runs a transaction or a statement other than a SELECT (`lockedAdapter`). Without it a
 * Prisma interactive transaction that read before the thread committed would fail its first write
 * with SQLITE_BUSY_SNAPSHOT, and a Prisma write meeting the thread's lock would sleep in SQLite's
 * busy handler on the event loop. On PostgreSQL nothing of this is used.
 */
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, Transaction } from '@prisma/driver-adapter-utils';
import type { RawStatement } from './raw-rows.ts';

/**
 * The writer connection's `PRAGMA synchronous` (our choice, issue #14): NORMAL, the embedded database's
 * setting before the writer thread existed. A write is acknowledged once its transaction is in the WAL,
 * which a SIGKILL of the process does not lose (sqlite-writer.test.ts); a power loss can lose the last
 * commits (never corrupt the file). FULL would sync the WAL at every commit: measured here (2026-11-30)
 * about 1.9 ms of wall time and 0.13 ms of CPU per commit against 0.02 ms and 0.007 ms, which took back
 * what the writer thread saves and doubled the SUBSCRIBE step's latency (its 200 OK waits for the
 * commit). A deployment that must survive a power loss runs on PostgreSQL (synchronous_commit on).
 */
const WRITER_SYNCHRONOUS = 'NORMAL';

/** Prepared statements a writer thread keeps (our choice: the distinct SQL texts of a few batch sizes of every hot-path statement). */
const STATEMENT_CACHE = 256;

/**
 * The thread's code (CommonJS, evaluated: no TypeScript loader needed in the thread, the same from
 * the sources and from the build). Values are bound as @prisma/adapter-better-sqlite3 binds them
 * (its `mapArg`, timestampFormat "iso8601"): a Date as ISO 8601 with "+00:00", a boolean as 1/0.
 */
const WRITER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.driver);
let db;
let openError;
try {
  db = new Sqlite(workerData.path, { timeout: workerData.busyTimeoutMs });
  db.pragma('synchronous = ${WRITER_SYNCHRONOUS}');
  db.pragma('foreign_keys = ON');
} catch (err) {
  openError = err;
}
const cache = new Map();
function prepared(sql) {
  let stmt = cache.get(sql);
  if (stmt === undefined) {
    stmt = db.prepare(sql);
    if (cache.size >= ${STATEMENT_CACHE}) cache.delete(cache.keys().next().value);
    cache.set(sql, stmt);
  }
  return stmt;
}
function bind(v) {
  if (v instanceof Date) return v.toISOString().replace('Z', '+00:00');
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}
const batch = db && db.transaction((statements) => statements.map((s) => prepared(s.sql).run(s.values.map(bind)).changes));
const errorOf = (err) => ({ name: err && err.name, message: err && err.message !== undefined ? String(err.message) : String(err), code: err && err.code });
parentPort.on('message', (m) => {
  if (m.close) {
    if (db) db.close();
    parentPort.close();
    return;
  }
  if (openError) return parentPort.postMessage({ id: m.id, error: errorOf(openError) });
  try {
    parentPort.postMessage({ id: m.id, changes: batch.immediate(m.statements) });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: errorOf(err) });
  }
});
`;

/** A statement the writer thread refused, with better-sqlite3's `code` (SQLITE_CONSTRAINT_UNIQUE, SQLITE_BUSY, ...). */
export class SqliteWriteError extends Error {
  override readonly name = 'SqliteWriteError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** A FIFO lock of the main thread; `acquire` resolves with the function that releases it. */
export class WriteLock {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = () => {
        this.#held = true;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.#waiting.shift();
          if (next) next();
          else this.#held = false;
        });
      };
      if (this.#held) this.#waiting.push(grant);
      else grant();
    });
  }

  /** Runs `fn` holding the lock. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

interface Reply {
  id: number;
  changes?: number[];
  error?: { name?: string; message: string; code?: string };
}

export interface SqliteWriterOptions {
  /** The database file. */
  path: string;
  /** SQLite's busy_timeout of the thread's connection. */
  busyTimeoutMs: number;
}

/** The writer thread of one SQLite file, started at the first batch (and again after `close`). */
export class SqliteWriter {
  /** Taken by each batch and by the Prisma connection's writes (`lockedAdapter`). */
  readonly lock = new WriteLock();
  readonly #options: SqliteWriterOptions;
  #worker: Worker | undefined;
  readonly #waiting = new Map<number, { resolve: (changes: number[]) => void; reject: (err: unknown) => void }>();
  #nextId = 1;

  constructor(options: SqliteWriterOptions) {
    this.#options = options;
  }

  /** Runs the statements in one transaction; resolves with the rows each changed once it has committed. */
  async execute(statements: readonly RawStatement[]): Promise<number[]> {
    if (statements.length === 0) return [];
    return this.lock.run(() => this.#post(statements));
  }

  /** Stops the thread once the batch in flight (and any Prisma transaction) is done. */
  close(): Promise<void> {
    return this.lock.run(async () => {
      const worker = this.#worker;
      this.#worker = undefined;
      if (!worker) return;
      const exited = once(worker, 'exit');
      worker.ref(); // a close awaited as the last thing the process does must not let it end first
      worker.postMessage({ close: true });
      await exited;
    });
  }

  #post(statements: readonly RawStatement[]): Promise<number[]> {
    return new Promise((resolve, reject) => {
      const worker = (this.#worker ??= this.#spawn());
      const id = this.#nextId++;
      this.#waiting.set(id, { resolve, reject });
      // The thread keeps the process alive only while it has a batch to answer.
      if (this.#waiting.size === 1) worker.ref();
      worker.postMessage({ id, statements });
    });
  }

  #spawn(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WRITER_THREAD, {
      eval: true,
      execArgv: [],
      workerData: { driver, path: this.#options.path, busyTimeoutMs: this.#options.busyTimeoutMs },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const waiter = this.#waiting.get(reply.id);
      if (!waiter) return;
      this.#waiting.delete(reply.id);
      if (this.#waiting.size === 0) worker.unref();
      if (reply.error) waiter.reject(new SqliteWriteError(reply.error.message, reply.error.code));
      else waiter.resolve(reply.changes!);
    });
    const gone = (err: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const w of this.#waiting.values()) w.reject(err);
      this.#waiting.clear();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the SQLite writer thread exited (code ${code})`)));
    return worker;
  }
}

const writers = new WeakMap<object, SqliteWriter>();

/** Makes `executeStatements(client, ...)` write through `writer` (openDatabase does, for SQLite). */
export function registerWriter(client: object, writer: SqliteWriter): void {
  writers.set(client, writer);
}

/** The writer thread of a client from openDatabase() on SQLite; undefined on PostgreSQL. */
export function writerOf(client: object): SqliteWriter | undefined {
  return writers.get(client);
}

const READ = /^\s*SELECT\b/i;

/**
 * The Prisma driver adapter factory whose connections take `lock` for each transaction (from
 * BEGIN to COMMIT or ROLLBACK) and each statement outside one that is not a SELECT.
 */
export function lockedAdapter(factory: SqlDriverAdapterFactory, lock: WriteLock): SqlDriverAdapterFactory {
  const locked = <T>(fn: () => Promise<T>): Promise<T> => lock.run(fn);
  const wrap = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const queryRaw = adapter.queryRaw.bind(adapter);
    const executeRaw = adapter.executeRaw.bind(adapter);
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.queryRaw = (q) => (READ.test(q.sql) ? queryRaw(q) : locked(() => queryRaw(q)));
    adapter.executeRaw = (q) => (READ.test(q.sql) ? executeRaw(q) : locked(() => executeRaw(q)));
    adapter.startTransaction = async (isolationLevel): Promise<Transaction> => {
      const release = await lock.acquire();
      let tx: Transaction;
      try {
        tx = await startTransaction(isolationLevel);
      } catch (err) {
        release();
        throw err;
      }
      const commit = tx.commit.bind(tx);
      const rollback = tx.rollback.bind(tx);
      tx.commit = () => commit().finally(release);
      tx.rollback = () => rollback().finally(release);
      return tx;
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
  };
}
