/**
 * One database per server instance (our choice: each server owns its data, as separate
 * functional entities would): embedded SQLite files
 * <dataDir>/<system>-<app>.db, or, with a PostgreSQL URL, one database per instance created on
 * that server if it does not exist yet. The URL's database name is the prefix of the instance
 * databases (`postgres://host/lab` → `lab_mcx_a_cms`, ...); `postgres` or none gives `mcx_...`.
 *
 * Throw-away mode (tests): the instance databases get a random prefix and are dropped on close, so
 * suites never see each other's data, on SQLite and on PostgreSQL alike.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '@mcx/db';

/** Where the instance databases live: "embedded" (SQLite in the data directory) or a postgres:// server URL. */
export type DatabaseSetting = string;

export function postgresInstanceDatabase(
  serverUrl: string,
  systemId: string,
  app: string,
  prefixOverride?: string,
): { adminUrl: string; url: string; name: string } {
  const url = new URL(serverUrl);
  const given = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const prefix = prefixOverride ?? (!given || given === 'postgres' ? 'mcx' : given);
  const name = `${prefix}_${systemId}_${app}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const instance = new URL(serverUrl);
  instance.pathname = `/${name}`;
  return { adminUrl: admin.toString(), url: instance.toString(), name };
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function ensurePostgresDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  });
}

/**
 * Drops the database of one server instance on a PostgreSQL server (`mcx reset --db URL`); false
 * when there was none. Connections still open to it are ended (WITH (FORCE), PostgreSQL 13+).
 */
export async function dropPostgresInstanceDatabase(serverUrl: string, systemId: string, app: string): Promise<{ dropped: boolean; name: string }> {
  const target = postgresInstanceDatabase(serverUrl, systemId, app);
  return withAdmin(target.adminUrl, async (client) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [target.name]);
    if (exists.rowCount === 0) return { dropped: false, name: target.name };
    await client.query(`DROP DATABASE IF EXISTS "${target.name}" WITH (FORCE)`);
    return { dropped: true, name: target.name };
  });
}

/** Opens the database of each server instance of an ecosystem run, and closes (or drops) them all. */
export class InstanceDatabases {
  readonly #setting: DatabaseSetting;
  readonly #dataDir: string;
  readonly #throwAwayPrefix: string | undefined;
  readonly #opened: { db: Database; drop?: () => Promise<void> }[] = [];

  constructor(options: { setting: DatabaseSetting; dataDir: string; throwAway?: boolean }) {
    this.#setting = options.setting;
    this.#dataDir = options.dataDir;
    this.#throwAwayPrefix = options.throwAway ? `mcx_t${randomBytes(5).toString('hex')}` : undefined;
  }

  /** The databases opened so far, in opening order. */
  get all(): Database[] {
    return this.#opened.map((o) => o.db);
  }

  async open(systemId: string, app: string): Promise<Database> {
    if (this.#setting === 'embedded') {
      const db = await openDatabase({ dataDir: this.#dataDir, name: `${systemId}-${app}` });
      this.#opened.push({ db });
      return db;
    }
    const target = postgresInstanceDatabase(this.#setting, systemId, app, this.#throwAwayPrefix);
    await ensurePostgresDatabase(target.adminUrl, target.name);
    const db = await openDatabase({ url: target.url });
    this.#opened.push({
      db,
      ...(this.#throwAwayPrefix
        ? { drop: () => withAdmin(target.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${target.name}" WITH (FORCE)`)).then(() => undefined) }
        : {}),
    });
    return db;
  }

  /** Closes every database (and drops the throw-away ones), last opened first. */
  async close(): Promise<void> {
    for (const o of this.#opened.splice(0).reverse()) {
      await o.db.close().catch(() => undefined);
      await o.drop?.().catch(() => undefined);
    }
  }
}
