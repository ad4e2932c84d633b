/**
 * The migration runner the servers use at start-up. Prisma's CLI cannot migrate offline
 * (docs/toolchain.md, "Prisma offline"), so the app applies the committed migration files itself:
 * in name order, each in its own transaction, recorded in `_prisma_migrations` exactly as
 * `prisma migrate deploy` would (same table, sha256 checksum), so the stock CLI stays compatible.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { providerOf, sqlitePathFromUrl, type Provider } from './url.ts';

/**
 * The repository's top-level prisma/migrations/<provider>, found from this file, not the cwd
 * (libs/db/src and libs/db/dist are both three levels below the repository root).
 */
export function migrationsDir(provider: Provider): string {
  return fileURLToPath(new URL(`../../../prisma/migrations/${provider}/`, import.meta.url));
}

export interface Migration {
  /** Folder name, "<YYYYMMDDHHMMSS>_<name>". */
  name: string;
  script: string;
  checksum: string;
}

/** Same checksum as Prisma: sha256 of migration.sql, hex. */
export function checksumOf(script: string): string {
  return createHash('sha256').update(script).digest('hex');
}

/** The migrations of a folder, ordered by name (the timestamp prefix). */
export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(dir, e.name, 'migration.sql')))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const script = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, script, checksum: checksumOf(script) };
    });
}

export interface ApplyMigrationsOptions {
  /** Defaults to the repository's prisma/migrations/<provider>. */
  migrationsDir?: string;
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Which migrations are pending; refuses edited, failed or unknown applied migrations. */
function pending(migrations: Migration[], rows: AppliedRow[]): Migration[] {
  const live = rows.filter((r) => r.rolled_back_at == null);
  const failed = live.filter((r) => r.finished_at == null).map((r) => r.migration_name);
  if (failed.length > 0) {
    throw new Error(`migration(s) ${failed.join(', ')} failed earlier (finished_at is null); repair the database and mark them rolled back`);
  }
  const known = new Map(migrations.map((m) => [m.name, m]));
  const unknown = live.map((r) => r.migration_name).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new Error(`the database has migration(s) this build does not know: ${unknown.join(', ')} (is the code older than the database?)`);
  }
  for (const r of live) {
    const m = known.get(r.migration_name)!;
    if (r.checksum !== m.checksum && r.checksum !== checksumOf(m.script.replace(/\r\n/g, '\n'))) {
      throw new Error(`migration ${m.name} was edited after it was applied (checksum differs); add a new migration instead`);
    }
  }
  const done = new Set(live.map((r) => r.migration_name));
  return migrations.filter((m) => !done.has(m.name));
}

// The table exactly as Prisma's schema engine creates it.
const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

const PG_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

/** The advisory lock id `prisma migrate` takes, so our runner and the CLI exclude each other. */
const PG_MIGRATION_LOCK = 72707369;

export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * Applies the pending migrations to the database at `url` ("file:..." or "postgres://...").
 * Each migration runs in one transaction together with its `_prisma_migrations` row, so a failing
 * migration leaves nothing behind. Concurrent callers (replicas starting together) serialize:
 * SQLite through BEGIN IMMEDIATE, PostgreSQL through Prisma's advisory lock.
 */
export async function applyMigrations(url: string, options: ApplyMigrationsOptions = {}): Promise<{ applied: string[] }> {
  const provider = providerOf(url);
  const migrations = readMigrations(options.migrationsDir ?? migrationsDir(provider));
  return provider === 'sqlite' ? applySqlite(sqlitePathFromUrl(url), migrations) : applyPostgres(url, migrations);
}

function applySqlite(path: string, migrations: Migration[]): { applied: string[] } {
  const db = new Sqlite(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  try {
    db.pragma('journal_mode = WAL');
    // Prisma's table redefinitions (create new, copy, drop old, rename) must not fire ON DELETE
    // CASCADE when the old table is dropped; `PRAGMA foreign_keys` is a no-op inside a
    // transaction, so it is switched off around it and the keys are checked before commit
    // (SQLite "ALTER TABLE", section 7).
    db.pragma('foreign_keys = OFF');
    db.exec(SQLITE_MIGRATIONS_TABLE);
    const applied: string[] = [];
    const rows = db.prepare<[], AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
    const insert = db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
       VALUES (?, ?, ?, ?, ?, 1)`,
    );
    for (;;) {
      db.exec('BEGIN IMMEDIATE');
      let next: Migration | undefined;
      try {
        next = pending(migrations, rows.all())[0];
        if (!next) {
          db.exec('COMMIT');
          break;
        }
        const startedAt = new Date().toISOString();
        db.exec(next.script);
        const violations = db.pragma('foreign_key_check') as unknown[];
        if (violations.length > 0) throw new Error(`${violations.length} foreign key violation(s)`);
        insert.run(randomUUID(), next.checksum, new Date().toISOString(), next.name, startedAt);
        db.exec('COMMIT');
        applied.push(next.name);
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        if (!next) throw err;
        throw new Error(`migration ${next.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    db.pragma('foreign_keys = ON');
    return { applied };
  } finally {
    db.close();
  }
}

async function applyPostgres(url: string, migrations: Migration[]): Promise<{ applied: string[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(${PG_MIGRATION_LOCK})`);
    try {
      await client.query(PG_MIGRATIONS_TABLE);
      const { rows } = await client.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations');
      const applied: string[] = [];
      for (const m of pending(migrations, rows)) {
        await client.query('BEGIN');
        try {
          const startedAt = new Date();
          await client.query(m.script); // simple query protocol: a multi-statement script is fine
          await client.query(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
             VALUES ($1, $2, now(), $3, $4, 1)`,
            [randomUUID(), m.checksum, m.name, startedAt],
          );
          await client.query('COMMIT');
          applied.push(m.name);
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
        }
      }
      return { applied };
    } finally {
      await client.query(`SELECT pg_advisory_unlock(${PG_MIGRATION_LOCK})`).catch(() => {});
    }
  } finally {
    await client.end();
  }
}
