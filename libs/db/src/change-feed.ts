/**
 * Replicas of one server on one PostgreSQL database (issue #17): how each instance's in-memory
 * views learn of a change another instance committed, and how one instance learns that another
 * has died.
 *
 * - Changes fan out through PostgreSQL's LISTEN/NOTIFY (our choice over NATS or logical decoding:
 *   the database is already shared by every replica, a `pg_notify` issued inside the writing
 *   transaction is delivered exactly when that transaction commits and never when it rolls back,
 *   and a deployment needs no other server). A notification names a topic and a key ("doc" and a
 *   selector); the receiving instance re-reads that key from the database. Notifications are not
 *   kept for an instance while it is disconnected: after a reconnect every listener's `resync`
 *   runs, and the views re-read what they hold.
 * - Liveness is a session-level advisory lock (`pg_advisory_lock`) that each instance holds on its
 *   listening connection for as long as it lives: when the process dies, PostgreSQL ends the
 *   session and releases the lock, so `claimFrom` (which takes the other instance's lock before
 *   running the caller's claim) runs only for an instance that is gone, and for one claimer at a
 *   time.
 *
 * On SQLite (the embedded database: one instance per file), and for a server that runs as the only
 * instance (`replicated: false`), `openChangeFeed` returns a local feed: no listening connection, no
 * `pg_notify` per write, no sweep for gone instances (nobody would hear or be taken over).
 */
import pg from 'pg';
import type { Database, TransactionClient } from './index.ts';
import { pgConfigFromUrl } from './url.ts';

/** The NOTIFY channel of every replica of every server on one database (our choice). */
export const CHANGE_CHANNEL = 'mcx_changes';
/** First key of the two-key advisory locks of instance liveness ("MCX"; our choice). */
const LEASE_CLASS = 0x4d4358;
/** Reconnect backoff after the listening connection is lost (ms; our choice). */
const RECONNECT_MS = [100, 250, 500, 1000, 2000];

export interface ChangeListener {
  /** Another instance committed a change of `key` of this topic. */
  change(key: string): void;
  /** Notifications may have been missed (the listening connection was lost): re-read everything. */
  resync(): void;
}

export interface ChangeFeed {
  /** This instance's name (unique among the replicas of a server). */
  readonly instance: string;
  /** Whether changes fan out (PostgreSQL) or not (SQLite: one instance). */
  readonly shared: boolean;
  /** Publishes a change of `key` inside `tx` (delivered at commit), or at once without `tx`. */
  publish(topic: string, key: string, tx?: TransactionClient): Promise<void>;
  /** Listens to changes other instances make; returns the unsubscribe function. */
  subscribe(topic: string, listener: ChangeListener): () => void;
  /**
   * Runs `claim` while holding `instance`'s liveness lock, if that instance is gone (its lock is
   * free); resolves to undefined without running it when the instance is alive (or is this one).
   */
  claimFrom<T>(instance: string, claim: () => Promise<T>): Promise<T | undefined>;
  close(): Promise<void>;
}

export interface ChangeFeedOptions {
  /** This instance's name. */
  instance: string;
  /** Whether other instances share the database (default true); false: a local feed even on PostgreSQL. */
  replicated?: boolean;
  /** Errors of the listening connection (a reconnect follows). */
  onError?(err: unknown): void;
}

/** The feed of `db`: shared over PostgreSQL, local (no fan-out) on SQLite. */
export async function openChangeFeed(db: Database, options: ChangeFeedOptions): Promise<ChangeFeed> {
  if (db.provider !== 'postgresql' || options.replicated === false) return localFeed(options.instance);
  const feed = new PgChangeFeed(db.url, options);
  await feed.connect();
  return feed;
}

function localFeed(instance: string): ChangeFeed {
  return {
    instance,
    shared: false,
    publish: () => Promise.resolve(),
    subscribe: () => () => undefined,
    claimFrom: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

/** A notification: origin instance, topic, key. */
interface Payload {
  o: string;
  t: string;
  k: string;
}

class PgChangeFeed implements ChangeFeed {
  readonly shared = true;
  readonly instance: string;
  readonly #url: string;
  readonly #onError: (err: unknown) => void;
  readonly #listeners = new Map<string, Set<ChangeListener>>();
  #client: pg.Client | undefined;
  #closed = false;
  #attempt = 0;
  #reconnectTimer: NodeJS.Timeout | undefined;
  /** Claims run one at a time on the listening connection (advisory locks are per session). */
  #claims: Promise<unknown> = Promise.resolve();

  constructor(url: string, options: ChangeFeedOptions) {
    this.#url = url;
    this.instance = options.instance;
    this.#onError = options.onError ?? (() => undefined);
  }

  async connect(): Promise<void> {
    const client = new pg.Client({ ...pgConfigFromUrl(this.#url), keepAlive: true, application_name: `mcx:${this.instance}`.slice(0, 63) });
    client.on('error', (err) => {
      this.#onError(err);
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    client.on('notification', (n) => this.#deliver(n.payload));
    await client.connect();
    try {
      // The instance's liveness: held until this session ends.
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LEASE_CLASS, this.instance]);
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const delay = RECONNECT_MS[Math.min(this.#attempt++, RECONNECT_MS.length - 1)]!;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.connect().then(
        () => {
          this.#attempt = 0;
          for (const set of this.#listeners.values()) for (const l of set) l.resync();
        },
        (err: unknown) => {
          this.#onError(err);
          this.#scheduleReconnect();
        },
      );
    }, delay);
    this.#reconnectTimer.unref();
  }

  #deliver(raw: string | undefined): void {
    if (!raw) return;
    let p: Payload;
    try {
      p = JSON.parse(raw) as Payload;
    } catch {
      return;
    }
    if (p.o === this.instance) return;
    const set = this.#listeners.get(p.t);
    if (!set) return;
    for (const l of set) {
      try {
        l.change(p.k);
      } catch (err) {
        this.#onError(err);
      }
    }
  }

  async publish(topic: string, key: string, tx?: TransactionClient): Promise<void> {
    const payload = JSON.stringify({ o: this.instance, t: topic, k: key } satisfies Payload);
    if (tx) {
      await tx.$executeRawUnsafe('SELECT pg_notify($1, $2)', CHANGE_CHANNEL, payload);
      return;
    }
    const client = this.#client;
    if (client) {
      await client.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
      return;
    }
    // The listening connection is being re-established: a short-lived one carries the change.
    const c = new pg.Client(pgConfigFromUrl(this.#url));
    await c.connect();
    try {
      await c.query('SELECT pg_notify($1, $2)', [CHANGE_CHANNEL, payload]);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  subscribe(topic: string, listener: ChangeListener): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    const listeners = set;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  claimFrom<T>(instance: string, claim: () => Promise<T>): Promise<T | undefined> {
    if (instance === this.instance) return Promise.resolve(undefined);
    const run = this.#claims.then(async () => {
      const client = this.#client;
      if (!client) return undefined;
      const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS got', [LEASE_CLASS, instance]);
      if (!rows[0]?.got) return undefined;
      try {
        return await claim();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEASE_CLASS, instance]).catch(() => undefined);
      }
    });
    this.#claims = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
