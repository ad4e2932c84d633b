/**
 * @mcx/db: the data layer of every server. One Prisma models file (prisma/models.prisma), two
 * generated clients (embedded SQLite, PostgreSQL) with one TypeScript type, migrations applied
 * by the server itself at start-up (src/migrate.ts; docs/toolchain.md, "Prisma offline").
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Prisma, PrismaClient as SqlitePrismaClient } from './generated/sqlite/client.ts';
import { applyMigrations, SQLITE_BUSY_TIMEOUT_MS } from './migrate.ts';
import { lockedAdapter, registerWriter, SqliteWriteError, SqliteWriter } from './sqlite-writer.ts';
import { providerOf, redactUrl, sqlitePathFromUrl, sqliteUrlFromPath, type Provider } from './url.ts';

export { applyMigrations, checksumOf, migrationsDir, readMigrations, type ApplyMigrationsOptions, type Migration } from './migrate.ts';
export { providerOf, redactUrl, type Provider } from './url.ts';
export { GroupCommitQueue, type GroupCommitOptions } from './group-commit.ts';
export { SqliteWriteError } from './sqlite-writer.ts';
export { CHANGE_CHANNEL, openChangeFeed, type ChangeFeed, type ChangeFeedOptions, type ChangeListener } from './change-feed.ts';
export {
  chunks,
  deleteWhereIn,
  executeStatements,
  insertRows,
  MAX_BOUND_PARAMETERS,
  placeholders,
  providerOfClient,
  quoteIdentifier,
  updateWhereIn,
  type InsertOptions,
  type RawStatement,
} from './raw-rows.ts';
export {
  DATABASE_RETRY_AFTER_SECONDS,
  DATABASE_UNAVAILABLE_DESCRIPTION,
  databaseHealth,
  countDatabaseUnavailableAnswer,
  databaseUnavailableAnswers,
  databaseUnavailableHandler,
  isDatabaseUnavailable,
  sendHealth,
  type DatabaseHealth,
} from './unavailable.ts';
export type {
  Account,
  MigrationAuthorization,
  OidcPayload,
  Prisma,
  SigningKey,
  Subscription,
  XcapDocument,
  XcapDocumentVersion,
} from './generated/sqlite/client.ts';

/**
 * The client type every server codes against: the SQLite generated client's type. The
 * PostgreSQL client is generated from the same models and is structurally identical; it is cast.
 */
export type PrismaClient = SqlitePrismaClient;
/** The `tx` of `prisma.$transaction(async (tx) => ...)`. */
export type TransactionClient = Prisma.TransactionClient;

export interface OpenDatabaseOptions {
  /**
   * "postgres://..." / "postgresql://..." selects PostgreSQL; "file:/path/x.db" or undefined
   * selects embedded SQLite. A relative "file:" path is relative to the cwd.
   */
  url?: string;
  /** For embedded SQLite without url: directory for the file (created if missing), default "<cwd>/data" ... */
  dataDir?: string;
  /** ... and the file name stem, one file per server instance, e.g. "mcx-a-cms" -> <dataDir>/mcx-a-cms.db (default "mcx"). */
  name?: string;
}

export interface Database {
  prisma: PrismaClient;
  provider: Provider;
  /** The url opened ("file:///abs/path.db" for SQLite). */
  url: string;
  /** Migrations this open applied (empty when the database was up to date). */
  applied: string[];
  close(): Promise<void>;
}

/** The url openDatabase would open for these options. */
export function databaseUrl(opts: OpenDatabaseOptions = {}): string {
  if (opts.url) return providerOf(opts.url) === 'sqlite' ? sqliteUrlFromPath(sqlitePathFromUrl(opts.url)) : opts.url;
  const dir = resolve(opts.dataDir ?? join(process.cwd(), 'data'));
  const name = opts.name ?? 'mcx';
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid database name "${name}"`);
  return sqliteUrlFromPath(join(dir, `${name}.db`));
}

/**
 * Opens (and creates) the database of one server instance, applies the pending migrations and
 * returns a connected client. SQLite: the directory and file are created, WAL journal mode,
 * a busy timeout, foreign keys on. PostgreSQL: the database must exist.
 */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const url = databaseUrl(opts);
  const provider = providerOf(url);
  if (provider === 'sqlite') mkdirSync(dirname(sqlitePathFromUrl(url)), { recursive: true });
  let applied: string[];
  try {
    ({ applied } = await applyMigrations(url));
  } catch (err) {
    throw new Error(`cannot migrate ${redactUrl(url)}: ${(err as Error).message}`, { cause: err });
  }
  const { prisma, writer } = provider === 'sqlite' ? await sqliteClient(url) : { prisma: await postgresClient(url), writer: undefined };
  try {
    await prisma.$connect();
  } catch (err) {
    await prisma.$disconnect().catch(() => {});
    throw err;
  }
  let closed: Promise<void> | undefined;
  const close = async () => {
    try {
      await writer?.close();
    } finally {
      await prisma.$disconnect();
    }
  };
  return { prisma, provider, url, applied, close: () => (closed ??= close()) };
}

/**
 * SQLite: the Prisma client and the writer thread of the hot-path writes (sqlite-writer.ts: why),
 * which take turns writing through the writer's lock.
 */
async function sqliteClient(url: string): Promise<{ prisma: PrismaClient; writer: SqliteWriter }> {
  const [{ PrismaClient }, { PrismaBetterSqlite3 }] = await Promise.all([
    import('./generated/sqlite/client.ts'),
    import('@prisma/adapter-better-sqlite3'),
  ]);
  const path = sqlitePathFromUrl(url);
  const writer = new SqliteWriter({ path, busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS });
  // better-sqlite3's `timeout` is SQLite's busy_timeout; WAL is persistent (set by the migrator).
  const adapter = lockedAdapter(new PrismaBetterSqlite3({ url: path, timeout: SQLITE_BUSY_TIMEOUT_MS }), writer.lock);
  const prisma = new PrismaClient({ adapter });
  registerWriter(prisma, writer);
  return { prisma, writer };
}

async function postgresClient(url: string): Promise<PrismaClient> {
  const [{ PrismaClient }, { PrismaPg }] = await Promise.all([import('./generated/postgresql/client.ts'), import('@prisma/adapter-pg')]);
  const adapter = new PrismaPg({ connectionString: url });
  return new PrismaClient({ adapter }) as unknown as PrismaClient;
}

/** Thrown by callers that detect a lost optimistic update themselves; isConflict() knows it. */
export class VersionConflictError extends Error {
  override readonly name = 'VersionConflictError';
}

/**
 * Whether `err` means "someone else changed it first" and the caller should re-read and retry
 * (or answer 409/412): a unique constraint hit by a concurrent create (P2002), a write
 * conflict or deadlock (P2034), the same two refusing a raw statement (P2010 with the driver
 * adapter's UniqueConstraintViolation / TransactionWriteConflict, e.g. raw-rows.ts inserts on
 * PostgreSQL), a duplicate key refused by the SQLite writer thread (raw-rows.ts inserts on
 * SQLite), or a VersionConflictError.
 */
export function isConflict(err: unknown): boolean {
  if (err instanceof VersionConflictError) return true;
  // The SQLite writer thread's refusal of a duplicate key (the codes the Prisma adapter reads as UniqueConstraintViolation).
  if (err instanceof SqliteWriteError) return err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  if (typeof err !== 'object' || err === null) return false;
  const { name, code, meta } = err as { name?: unknown; code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (name !== 'PrismaClientKnownRequestError') return false;
  if (code === 'P2002' || code === 'P2034') return true;
  const kind = code === 'P2010' ? meta?.driverAdapterError?.cause?.kind : undefined;
  return kind === 'UniqueConstraintViolation' || kind === 'TransactionWriteConflict';
}

/** Any model delegate with an `id` and a `version` column (prisma.xcapDocument, tx.account, ...). */
interface VersionedDelegate {
  updateMany(args: never): PromiseLike<{ count: number }>;
}
type UpdateManyArgs<D extends VersionedDelegate> = NonNullable<Parameters<D['updateMany']>[0]>;
/** The update data of D's model, or `never` when the model has no `id` + `version` columns. */
type UpdateManyData<D extends VersionedDelegate> =
  UpdateManyArgs<D> extends { data: infer T; where?: infer W }
    ? 'id' | 'version' extends keyof NonNullable<W>
      ? T
      : never
    : never;

/**
 * Optimistic update: writes `data` and version+1 only if the row still has `version`
 * (one `UPDATE ... WHERE id = ? AND version = ?`). Returns "conflict" when another writer got
 * there first (or the row is gone), never overwriting its change.
 */
export async function updateIfVersion<D extends VersionedDelegate>(
  delegate: D,
  where: { id: string; version: number },
  data: Omit<UpdateManyData<D>, 'version' | 'id'>,
): Promise<'updated' | 'conflict'> {
  const args = { where: { id: where.id, version: where.version }, data: { ...data, version: where.version + 1 } };
  const { count } = await delegate.updateMany(args as never);
  return count === 1 ? 'updated' : 'conflict';
}
