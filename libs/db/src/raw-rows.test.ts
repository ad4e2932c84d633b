/**
 * Raw multi-row statements on a real database (SQLite, or PostgreSQL with MCX_TEST_DATABASE_URL):
 * what they write is what Prisma reads back, Dates included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConflict, type Database } from './index.ts';
import { chunks, deleteWhereIn, executeStatements, insertRows, MAX_BOUND_PARAMETERS, placeholders, providerOfClient, updateWhereIn } from './raw-rows.ts';
import { openTestDatabase } from './testing.ts';

const COLUMNS = ['id', 'server', 'kind', 'payload', 'grantId', 'expiresAt', 'consumedAt'];
const UPSERT = { onConflict: { target: ['id'], update: ['payload', 'grantId', 'expiresAt'] } };

describe('raw statements, placeholders and chunks', () => {
  it('numbers PostgreSQL placeholders across one statement and uses ? on SQLite', () => {
    const pg = placeholders('postgresql');
    expect([pg(2), pg(1)]).toEqual(['$1, $2', '$3']);
    expect(placeholders('sqlite')(3)).toBe('?, ?, ?');
    const [stmt] = deleteWhereIn('postgresql', 'T', 'id', ['a', 'b'], { server: 's' });
    expect(stmt).toEqual({ sql: 'DELETE FROM "T" WHERE "server" = $1 AND "id" IN ($2, $3)', values: ['s', 'a', 'b'] });
    const [upd] = updateWhereIn('sqlite', 'T', { x: 1, y: 2 }, 'id', ['a'], { server: 's' });
    expect(upd).toEqual({ sql: 'UPDATE "T" SET "x" = ?, "y" = ? WHERE "server" = ? AND "id" IN (?)', values: [1, 2, 's', 'a'] });
    const [ins] = insertRows('postgresql', 'T', ['id', 'v'], [['a', 1], ['b', 2]], { onConflict: { target: ['id'], update: ['v'] } });
    expect(ins).toEqual({ sql: 'INSERT INTO "T" ("id", "v") VALUES ($1, $2), ($3, $4) ON CONFLICT ("id") DO UPDATE SET "v" = excluded."v"', values: ['a', 1, 'b', 2] });
  });

  it('splits under the bound-parameter limit, each statement numbered from $1', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    const rows = Array.from({ length: 5000 }, (_, i) => [`id${i}`, i, i, i, i, i, i]);
    const stmts = insertRows('postgresql', 'T', COLUMNS, rows);
    const perStatement = Math.floor(MAX_BOUND_PARAMETERS / COLUMNS.length);
    expect(stmts.map((s) => s.values.length)).toEqual([perStatement * COLUMNS.length, (5000 - perStatement) * COLUMNS.length]);
    expect(stmts[1]!.sql).toMatch(/VALUES \(\$1, \$2,/);
    expect(() => insertRows('sqlite', 'T', COLUMNS, [['too few']])).toThrow(RangeError);
    const deletes = deleteWhereIn('sqlite', 'T', 'id', Array.from({ length: MAX_BOUND_PARAMETERS }, (_, i) => i), { server: 's' });
    expect(deletes.map((s) => s.values.length)).toEqual([MAX_BOUND_PARAMETERS, 2]);
  });
});

describe('raw rows on a real database', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });
  const exec = (stmts: Parameters<typeof executeStatements>[1]) => executeStatements(db.prisma, stmts);

  it('knows the provider of a client', () => {
    expect(providerOfClient(db.prisma)).toBe(db.provider);
    expect(() => providerOfClient({} as never)).toThrow(/unknown Prisma provider/);
  });

  it('inserts many rows whose Dates and NULLs Prisma reads back as written', async () => {
    const expiresAt = new Date('2026-11-30T12:34:56.789Z');
    const rows = Array.from({ length: 5000 }, (_, i) => [`Big:${i}`, 'raw', 'Big', `{"i":${i}}`, i % 2 ? 'g1' : null, expiresAt, null]);
    const stmts = insertRows(db.provider, 'OidcPayload', COLUMNS, rows);
    expect(stmts.length).toBe(2);
    expect(await exec(stmts)).toEqual([stmts[0]!.values.length / COLUMNS.length, stmts[1]!.values.length / COLUMNS.length]);
    expect(await db.prisma.oidcPayload.count({ where: { server: 'raw', kind: 'Big' } })).toBe(5000);
    const one = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { id: 'Big:7' } });
    expect(one).toMatchObject({ payload: '{"i":7}', grantId: 'g1', consumedAt: null });
    expect(one.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
    // Comparisons in SQL agree with the bound Date: the row is neither before nor after itself.
    expect(await db.prisma.oidcPayload.count({ where: { id: 'Big:7', expiresAt: { lt: expiresAt } } })).toBe(0);
    expect(await db.prisma.oidcPayload.count({ where: { id: 'Big:7', expiresAt: { gte: expiresAt } } })).toBe(1);
  });

  it('upserts only the named columns, and an insert without ON CONFLICT fails on an existing key', async () => {
    const consumedAt = new Date('2026-11-30T10:00:00.001Z');
    await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, [['U:1', 'raw', 'U', 'v1', null, null, consumedAt]]));
    await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, [['U:1', 'raw', 'U', 'v2', 'g', null, null], ['U:2', 'raw', 'U', 'w', null, null, null]], UPSERT));
    const [u1, u2] = await db.prisma.oidcPayload.findMany({ where: { kind: 'U' }, orderBy: { id: 'asc' } });
    expect(u1).toMatchObject({ payload: 'v2', grantId: 'g', consumedAt });
    expect(u2).toMatchObject({ payload: 'w', consumedAt: null });
    const err: unknown = await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, [['U:3', 'raw', 'U', 'x', null, null, null], ['U:1', 'raw', 'U', 'x', null, null, null]])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // A duplicate key is a conflict, as Prisma's own create reports it (P2002).
    expect(isConflict(err)).toBe(true);
    const notNull: unknown = await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, [['U:4', 'raw', 'U', null, null, null, null]])).catch((e: unknown) => e);
    expect(notNull).toBeInstanceOf(Error);
    expect(isConflict(notNull)).toBe(false);
    // The failed statement wrote nothing.
    expect(await db.prisma.oidcPayload.count({ where: { kind: 'U' } })).toBe(2);
  });

  it('updates and deletes the rows of an IN list that match the equalities, in one transaction', async () => {
    await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, ['a', 'b', 'c'].map((x) => [`D:${x}`, 'raw', 'D', x, null, null, null])));
    await exec(insertRows(db.provider, 'OidcPayload', COLUMNS, [['D:other', 'other', 'D', 'o', null, null, null]]));
    const at = new Date('2026-11-30T11:00:00.500Z');
    const counts = await exec([
      ...updateWhereIn(db.provider, 'OidcPayload', { consumedAt: at, payload: 'used' }, 'id', ['D:a', 'D:b', 'D:other'], { server: 'raw' }),
      ...deleteWhereIn(db.provider, 'OidcPayload', 'id', ['D:c', 'D:other'], { server: 'raw' }),
    ]);
    expect(counts).toEqual([2, 1]);
    const rows = await db.prisma.oidcPayload.findMany({ where: { kind: 'D' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.payload, r.consumedAt?.toISOString() ?? null])).toEqual([
      ['D:a', 'used', at.toISOString()],
      ['D:b', 'used', at.toISOString()],
      ['D:other', 'o', null],
    ]);
    expect(await exec([])).toEqual([]);
  });
});
