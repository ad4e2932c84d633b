/**
 * Raw multi-row statements for hot-path writes (issue #14), the same SQL on SQLite and
 * PostgreSQL: a multi-row `INSERT` (optionally `ON CONFLICT (...) DO UPDATE` of named columns),
 * `DELETE ... WHERE c IN (...)` and `UPDATE ... SET ... WHERE c IN (...)`, every value a bound
 * parameter (`?` on SQLite, `$n` on PostgreSQL), split into statements under the bound-parameter
 * limit. Why: a Prisma model call costs several times the CPU of one raw statement per row, and
 * one statement writes many rows; used by group-commit writers (group-commit.ts).
 *
 * Values are bound as given: Date objects (DateTime columns) are bound the way Prisma's own writes
 * bind them (through the driver adapter on PostgreSQL; the SQLite writer thread binds them as
 * @prisma/adapter-better-sqlite3 does), so Prisma reads them back as the same Date. Table and
 * column names are quoted identifiers from code, never from input.
 */
import type { PrismaClient } from './index.ts';
import { writerOf } from './sqlite-writer.ts';
import type { Provider } from './url.ts';

/**
 * Bound parameters per statement: SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32 (the
 * better-sqlite3 build's); PostgreSQL allows 65,535.
 */
export const MAX_BOUND_PARAMETERS = 32_766;

/** One statement for `$executeRawUnsafe(sql, ...values)`. */
export interface RawStatement {
  sql: string;
  values: unknown[];
}

/** A quoted identifier ("Subscription", "expiresAt"). */
export const quoteIdentifier = (name: string): string => `"${name}"`;

/**
 * The placeholders of one statement: each call returns the next `n`, comma-separated
 * (`$3, $4` on PostgreSQL, `?, ?` on SQLite).
 */
export function placeholders(provider: Provider): (n: number) => string {
  let i = 0;
  return provider === 'postgresql'
    ? (n) => Array.from({ length: n }, () => `$${++i}`).join(', ')
    : (n) => Array.from({ length: n }, () => '?').join(', ');
}

/**
 * The provider of a client from openDatabase(), for code handed only the client: the generated
 * client's `_activeProvider` (set by Prisma's runtime from the schema's datasource provider).
 */
export function providerOfClient(prisma: PrismaClient): Provider {
  const active = (prisma as unknown as { _activeProvider?: unknown })._activeProvider;
  if (active === 'sqlite' || active === 'postgresql') return active;
  throw new Error(`unknown Prisma provider ${String(active)}`);
}

/** `items` in slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError(`chunk size ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface InsertOptions {
  /** `ON CONFLICT (<target>) DO UPDATE SET c = excluded.c` for each of `update` (an upsert). */
  onConflict?: { target: readonly string[]; update: readonly string[] };
}

/**
 * `INSERT INTO table (columns) VALUES (...), (...)`: one tuple per row, values in the order of
 * `columns`. Without `onConflict` a row whose key exists fails the statement. On PostgreSQL an
 * upsert must not hold one key twice ("cannot affect row a second time"); SQLite applies them in
 * order.
 */
export function insertRows(
  provider: Provider,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: InsertOptions = {},
): RawStatement[] {
  const head = `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(', ')}) VALUES `;
  const { onConflict } = options;
  const tail = onConflict
    ? ` ON CONFLICT (${onConflict.target.map(quoteIdentifier).join(', ')}) DO ` +
      (onConflict.update.length === 0
        ? 'NOTHING'
        : `UPDATE SET ${onConflict.update.map((c) => `${quoteIdentifier(c)} = excluded.${quoteIdentifier(c)}`).join(', ')}`)
    : '';
  return chunks(rows, Math.floor(MAX_BOUND_PARAMETERS / columns.length)).map((slice) => {
    const p = placeholders(provider);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of slice) {
      if (row.length !== columns.length) throw new RangeError(`${row.length} values for ${columns.length} columns of ${table}`);
      values.push(...row);
      tuples.push(`(${p(columns.length)})`);
    }
    return { sql: head + tuples.join(', ') + tail, values };
  });
}

/** `c1 = ? AND c2 = ?` of `where` (values bound), the conditions before the IN list. */
function equalities(where: Readonly<Record<string, unknown>>, p: (n: number) => string): string {
  return Object.keys(where)
    .map((c) => `${quoteIdentifier(c)} = ${p(1)} AND `)
    .join('');
}

/** `DELETE FROM table WHERE <where equalities> AND column IN (...)`. */
export function deleteWhereIn(
  provider: Provider,
  table: string,
  column: string,
  keys: readonly unknown[],
  where: Readonly<Record<string, unknown>> = {},
): RawStatement[] {
  const fixed = Object.values(where);
  return chunks(keys, MAX_BOUND_PARAMETERS - fixed.length).map((slice) => {
    const p = placeholders(provider);
    const sql = `DELETE FROM ${quoteIdentifier(table)} WHERE ${equalities(where, p)}${quoteIdentifier(column)} IN (${p(slice.length)})`;
    return { sql, values: [...fixed, ...slice] };
  });
}

/** `UPDATE table SET c = ?, ... WHERE <where equalities> AND column IN (...)`. */
export function updateWhereIn(
  provider: Provider,
  table: string,
  set: Readonly<Record<string, unknown>>,
  column: string,
  keys: readonly unknown[],
  where: Readonly<Record<string, unknown>> = {},
): RawStatement[] {
  const fixed = [...Object.values(set), ...Object.values(where)];
  return chunks(keys, MAX_BOUND_PARAMETERS - fixed.length).map((slice) => {
    const p = placeholders(provider);
    const assignments = Object.keys(set)
      .map((c) => `${quoteIdentifier(c)} = ${p(1)}`)
      .join(', ');
    const sql = `UPDATE ${quoteIdentifier(table)} SET ${assignments} WHERE ${equalities(where, p)}${quoteIdentifier(column)} IN (${p(slice.length)})`;
    return { sql, values: [...fixed, ...slice] };
  });
}

/**
 * Runs the statements in one transaction and returns the rows each affected, once it has
 * committed. SQLite: on the database's writer thread (sqlite-writer.ts: off the event loop, with
 * prepared statements kept; a refusal is a SqliteWriteError). PostgreSQL:
 * through Prisma (a single statement without a transaction).
 */
export async function executeStatements(prisma: PrismaClient, statements: readonly RawStatement[]): Promise<number[]> {
  if (statements.length === 0) return [];
  const writer = writerOf(prisma);
  if (writer) return writer.execute(statements);
  const run = (s: RawStatement) => prisma.$executeRawUnsafe(s.sql, ...s.values);
  if (statements.length === 1) return [await run(statements[0]!)];
  return prisma.$transaction(statements.map(run));
}
