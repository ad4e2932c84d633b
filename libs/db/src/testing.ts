/**
 * Throw-away databases for tests and for the migration tooling (`@mcx/db/testing`).
 *
 * The provider under test comes from the environment: MCX_TEST_DATABASE_URL (a postgres:// URL
 * of a server where databases may be created and dropped) selects PostgreSQL, otherwise SQLite.
 * A set-but-unreachable MCX_TEST_DATABASE_URL fails loudly; it never falls back to SQLite.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from './index.ts';
import { pgConfigFromUrl, providerOf, redactUrl, sqliteUrlFromPath, withDatabase, type Provider } from './url.ts';

export interface TestTarget {
  provider: Provider;
  /** PostgreSQL: the server/database used to CREATE and DROP throw-away databases. */
  adminUrl?: string;
}

export function testTarget(env: NodeJS.ProcessEnv = process.env): TestTarget {
  const adminUrl = env.MCX_TEST_DATABASE_URL;
  if (!adminUrl) return { provider: 'sqlite' };
  if (providerOf(adminUrl) !== 'postgresql') throw new Error(`MCX_TEST_DATABASE_URL must be a postgres:// URL, got ${redactUrl(adminUrl)}`);
  return { provider: 'postgresql', adminUrl };
}

export interface ThrowAwayDatabase {
  provider: Provider;
  /** Url of the new, empty database. */
  url: string;
  /** SQLite: the directory holding the file (removed by drop). */
  dir?: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...pgConfigFromUrl(adminUrl), connectionTimeoutMillis: 5000 });
  try {
    await c.connect();
  } catch (err) {
    throw new Error(`PostgreSQL at ${redactUrl(adminUrl)} does not answer: ${(err as Error).message}`, { cause: err });
  }
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A new empty database: a temp-dir SQLite file, or `<prefix>_<random>` on the PostgreSQL server. */
export async function createThrowAwayDatabase(target: TestTarget = testTarget(), prefix = 'mcx_test'): Promise<ThrowAwayDatabase> {
  if (target.provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `${prefix.replace(/_/g, '-')}-`));
    return { provider: 'sqlite', url: sqliteUrlFromPath(join(dir, 'test.db')), dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const adminUrl = target.adminUrl;
  if (!adminUrl) throw new Error('PostgreSQL throw-away database: no admin url');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  return {
    provider: 'postgresql',
    url: withDatabase(adminUrl, name),
    drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

/** A throw-away database, migrated and opened; `close()` also drops it. */
export async function openTestDatabase(target: TestTarget = testTarget()): Promise<Database> {
  const scratch = await createThrowAwayDatabase(target);
  try {
    const db = await openDatabase({ url: scratch.url });
    return { ...db, close: () => db.close().finally(() => scratch.drop()) };
  } catch (err) {
    await scratch.drop();
    throw err;
  }
}

export { postgresBinDir, startPrivateCluster, type PrivateCluster } from './private-cluster.ts';
