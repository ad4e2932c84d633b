/**
 * The start-up migration runner and the migration check, on the provider under test
 * (SQLite by default, PostgreSQL with MCX_TEST_DATABASE_URL; see db.test.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pendingModelChanges } from '../scripts/migrations.ts';
import { applyMigrations, migrationsDir, openDatabase, readMigrations } from './index.ts';
import { createThrowAwayDatabase, testTarget, type ThrowAwayDatabase } from './testing.ts';
import { sqlitePathFromUrl } from './url.ts';

const target = testTarget();
const committed = migrationsDir(target.provider);
const q = (id: string) => `"${id}"`;

describe(`migration runner on ${target.provider}`, () => {
  let root: string;
  let scratch: ThrowAwayDatabase | undefined;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'mcx-migrations-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(async () => {
    await scratch?.drop();
    scratch = undefined;
  });

  /** Row counts through a plain driver (the committed migrations no longer describe `url`). */
  async function countRows(url: string): Promise<{ documents: number; versions: number }> {
    if (target.provider === 'sqlite') {
      const db = new Sqlite(sqlitePathFromUrl(url), { readonly: true });
      try {
        const n = (t: string) => (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: number }).n;
        return { documents: n('XcapDocument'), versions: n('XcapDocumentVersion') };
      } finally {
        db.close();
      }
    }
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const n = async (t: string) => Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n);
      return { documents: await n('XcapDocument'), versions: await n('XcapDocumentVersion') };
    } finally {
      await c.end();
    }
  }

  /** A migrations folder: the committed ones plus `extra` ({folder name: sql}). */
  function folder(name: string, extra: Record<string, string>, withCommitted = true): string {
    const dir = join(root, name);
    if (withCommitted) cpSync(committed, dir, { recursive: true });
    else mkdirSync(dir, { recursive: true });
    for (const [m, sql] of Object.entries(extra)) {
      mkdirSync(join(dir, m), { recursive: true });
      writeFileSync(join(dir, m, 'migration.sql'), sql);
    }
    return dir;
  }


  it('runs each migration in a transaction: a failing one leaves no table and no record', async () => {
    const { url } = (scratch = await createThrowAwayDatabase(target));
    const dir = folder('failing', {
      '29990101000000_half_done': `CREATE TABLE ${q('Half')} (${q('id')} TEXT NOT NULL PRIMARY KEY);\nINSERT INTO ${q('NoSuchTable')} VALUES (1);\n`,
    });
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/29990101000000_half_done failed/);
    // The committed migrations before it stay applied; the failing one is gone completely.
    const db = await openDatabase({ url });
    try {
      const names = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>('SELECT migration_name FROM _prisma_migrations');
      expect(names.map((r) => r.migration_name).sort()).toEqual(readMigrations(committed).map((m) => m.name));
      const half = await db.prisma.$queryRawUnsafe<unknown[]>(
        target.provider === 'sqlite'
          ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'Half'`
          : `SELECT table_name FROM information_schema.tables WHERE table_name = 'Half'`,
      );
      expect(half).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('applies new migrations in name order after the existing ones', async () => {
    const { url } = (scratch = await createThrowAwayDatabase(target));
    expect((await applyMigrations(url)).applied).toEqual(readMigrations(committed).map((m) => m.name));
    const dir = folder('ordered', {
      '29990102000000_second': `INSERT INTO ${q('Account')} (${q('id')}, ${q('username')}, ${q('passwordHash')}, ${q('updatedAt')}) SELECT 'b', username || '-2', 'x', CURRENT_TIMESTAMP FROM ${q('Account')} WHERE id = 'a';\n`,
      '29990101000000_first': `INSERT INTO ${q('Account')} (${q('id')}, ${q('username')}, ${q('passwordHash')}, ${q('updatedAt')}) VALUES ('a', 'seed', 'x', CURRENT_TIMESTAMP);\n`,
    });
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: ['29990101000000_first', '29990102000000_second'] });
    expect(await applyMigrations(url, { migrationsDir: dir })).toEqual({ applied: [] });
    const db = await openDatabase({ url: url }).catch((e: unknown) => e);
    // The committed folder does not know the two extra migrations: the runner refuses to start.
    expect(String(db)).toMatch(/does not know: 29990101000000_first, 29990102000000_second/);
  });

  it('rebuilding a parent table in a migration keeps its children (no cascade on the drop)', async () => {
    const { url } = (scratch = await createThrowAwayDatabase(target));
    const db = await openDatabase({ url });
    try {
      await db.prisma.xcapDocument.create({
        data: {
          server: 'cms', auid: 'a', tree: 'global', xui: '', path: 'p.xml', selector: 'a/global/p.xml', contentType: 'application/xml',
          body: '<v2/>', etag: 'e2', version: 2, versions: { create: { version: 1, etag: 'e1', body: '<v1/>' } },
        },
      });
    } finally {
      await db.close();
    }
    // SQLite cannot alter a column in place: Prisma's migrations copy the table, drop the old one
    // and rename (its "RedefineTables" steps). Dropping a parent must not fire ON DELETE CASCADE.
    const init = readMigrations(committed)[0]!.script;
    const createDocumentTable = /CREATE TABLE "XcapDocument" \([\s\S]*?\n\);/.exec(init)?.[0] ?? '';
    expect(createDocumentTable).not.toBe('');
    const columns = '"id", "server", "auid", "tree", "xui", "path", "selector", "owner", "contentType", "body", "etag", "version", "createdAt", "updatedAt"';
    const sql =
      target.provider === 'sqlite'
        ? `PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
${createDocumentTable.replace('"XcapDocument"', '"new_XcapDocument"')}
INSERT INTO "new_XcapDocument" (${columns}) SELECT ${columns} FROM "XcapDocument";
DROP TABLE "XcapDocument";
ALTER TABLE "new_XcapDocument" RENAME TO "XcapDocument";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`
        : `ALTER TABLE "XcapDocument" ALTER COLUMN "owner" SET DEFAULT NULL;\n`;
    const dir = folder('rebuild', { '29990101000000_rebuild_documents': sql });
    expect((await applyMigrations(url, { migrationsDir: dir })).applied).toEqual(['29990101000000_rebuild_documents']);
    const counts = await countRows(url);
    expect(counts).toEqual({ documents: 1, versions: 1 });
  });

  it('refuses a migration edited after it was applied', async () => {
    const { url } = (scratch = await createThrowAwayDatabase(target));
    const dir = folder('edited', {}, true);
    await applyMigrations(url, { migrationsDir: dir });
    const [first] = readMigrations(dir);
    writeFileSync(join(dir, first!.name, 'migration.sql'), `${first!.script}\n-- edited\n`);
    await expect(applyMigrations(url, { migrationsDir: dir })).rejects.toThrow(/was edited after it was applied/);
  });

  it('the check is real: missing or extra migrations show up as a diff', async () => {
    const pgAdminUrl = target.adminUrl;
    const none = folder('none', {}, false);
    const missing = await pendingModelChanges(target.provider, { pgAdminUrl, migrationsDir: none });
    expect(missing).toContain('CREATE TABLE "XcapDocument"');
    const extra = folder('extra', { '29990101000000_extra_column': `ALTER TABLE ${q('Account')} ADD COLUMN ${q('extra')} TEXT;\n` });
    const drift = await pendingModelChanges(target.provider, { pgAdminUrl, migrationsDir: extra });
    // PostgreSQL: ALTER TABLE ... DROP COLUMN "extra"; SQLite: a table redefinition without it.
    expect(drift).toMatch(target.provider === 'sqlite' ? /CREATE TABLE "new_Account"/ : /DROP COLUMN "extra"/);
    expect(await pendingModelChanges(target.provider, { pgAdminUrl })).toBe('');
  });
});
