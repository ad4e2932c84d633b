// What counts as "the database is away" (503 + Retry-After) and what does not (a refused statement).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseHealth, isDatabaseUnavailable, openDatabase, type Database } from './index.ts';

let dir: string;
let db: Database;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-db-unavailable-'));
  db = await openDatabase({ dataDir: dir, name: 'unavailable' });
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('isDatabaseUnavailable', () => {
  it('is true for a PostgreSQL server that refuses connections, through Prisma and through pg', async () => {
    const url = `postgres://postgres@127.0.0.1:${await closedPort()}/postgres`;
    const viaPg = await new pg.Client({ connectionString: url }).connect().then(() => undefined, (e: unknown) => e);
    expect(isDatabaseUnavailable(viaPg)).toBe(true);
    const viaOpen = await openDatabase({ url }).then(() => undefined, (e: unknown) => e);
    expect(viaOpen).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(viaOpen)).toBe(true);
  });

  it('is true for a SQLite database held by another writer (busy)', () => {
    const holder = new Sqlite(join(dir, 'unavailable.db'));
    const writer = new Sqlite(join(dir, 'unavailable.db'), { timeout: 0 });
    try {
      holder.exec('BEGIN EXCLUSIVE');
      let busy: unknown;
      try {
        writer.exec(`DELETE FROM "XcapDocument"`);
      } catch (err) {
        busy = err;
      }
      expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
      expect(isDatabaseUnavailable(busy)).toBe(true);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
      writer.close();
    }
  });

  it('is false for a refused statement (a unique violation) and for anything else', async () => {
    const row = { server: 's', auid: 'a', tree: 'global', xui: '', path: 'b', selector: 'a/global/b', body: '<a/>', etag: '1', contentType: 'application/xml' };
    await db.prisma.xcapDocument.create({ data: row });
    const duplicate = await db.prisma.xcapDocument.create({ data: row }).then(() => undefined, (e: unknown) => e);
    expect((duplicate as { code?: string }).code).toBe('P2002');
    expect(isDatabaseUnavailable(duplicate)).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
  });
});

// "unavailable" with a real outage: e2e/postgres/database-outage.test.ts (every server's /healthz while PostgreSQL is stopped).
describe('databaseHealth', () => {
  it('probes once per max age and says available for a working database', async () => {
    let probes = 0;
    const counting = { $queryRawUnsafe: (q: string) => (probes++, db.prisma.$queryRawUnsafe(q)) };
    const health = databaseHealth(counting, { maxAgeMs: 60_000 });
    expect(await Promise.all([health.check(), health.check(), health.check()])).toEqual(['available', 'available', 'available']);
    expect(await health.check()).toBe('available');
    expect(probes).toBe(1);
    // A request that failed for want of the database drops the cached "available": the next check probes.
    health.noteUnavailable();
    expect(await health.check()).toBe('available');
    expect(probes).toBe(2);
  });
});
