/**
 * The data layer against a real database. One suite, two providers: `npm test` runs it on
 * SQLite; `npm run test:postgres` (MCX_TEST_DATABASE_URL=postgres://...) runs it on PostgreSQL,
 * each test in a throw-away database that is dropped afterwards.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMigrations } from '../scripts/migrations.ts';
import { applyMigrations, isConflict, migrationsDir, openDatabase, readMigrations, updateIfVersion, type Database, type PrismaClient } from './index.ts';
import { createThrowAwayDatabase, openTestDatabase, testTarget } from './testing.ts';

const target = testTarget();
const migrations = readMigrations(migrationsDir(target.provider)).map((m) => m.name);

function doc(selector: string) {
  return {
    server: 'cms',
    auid: 'org.3gpp.mcptt.user-profile',
    tree: 'users',
    xui: 'sip:alice@mcx-a.example',
    path: 'mcptt-user-profile-1.xml',
    selector,
    owner: 'sip:alice@mcx-a.example',
    contentType: 'application/vnd.3gpp.mcptt-user-profile+xml',
    body: '<mcptt-user-profile/>',
    etag: 'e1',
  };
}

async function countAll(prisma: PrismaClient): Promise<number> {
  const counts = await Promise.all([
    prisma.xcapDocument.count(),
    prisma.xcapDocumentVersion.count(),
    prisma.subscription.count(),
    prisma.account.count(),
    prisma.migrationAuthorization.count(),
    prisma.signingKey.count(),
    prisma.oidcPayload.count(),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

describe(`@mcx/db on ${target.provider}`, () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(target);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('has committed migrations for this provider', () => {
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations[0]).toMatch(/^\d{14}_init$/);
  });

  it('applies the migrations to an empty database, and a second run is a no-op', async () => {
    const scratch = await createThrowAwayDatabase(target);
    try {
      expect(await applyMigrations(scratch.url)).toEqual({ applied: migrations });
      expect(await applyMigrations(scratch.url)).toEqual({ applied: [] });
      const reopened = await openDatabase({ url: scratch.url });
      try {
        expect(reopened.applied).toEqual([]);
        expect(await countAll(reopened.prisma)).toBe(0);
        const rows = await reopened.prisma.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: unknown }[]>(
          'SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name',
        );
        const files = readMigrations(migrationsDir(target.provider));
        expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(files.map((m) => [m.name, m.checksum]));
        expect(rows.every((r) => r.finished_at != null)).toBe(true);
      } finally {
        await reopened.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('creates, reads and updates typed rows, with relations and cascading deletes', async () => {
    const created = await db.prisma.xcapDocument.create({
      data: { ...doc('crud/users/alice/p1.xml'), versions: { create: [{ version: 1, etag: 'e0', body: '<old/>' }] } },
    });
    expect(created.version).toBe(1);
    expect(created.createdAt).toBeInstanceOf(Date);

    const read = await db.prisma.xcapDocument.findUniqueOrThrow({
      where: { server_selector: { server: 'cms', selector: 'crud/users/alice/p1.xml' } },
      include: { versions: true },
    });
    expect(read.body).toBe('<mcptt-user-profile/>');
    expect(read.versions.map((v) => [v.version, v.etag])).toEqual([[1, 'e0']]);

    const updated = await db.prisma.xcapDocument.update({ where: { id: created.id }, data: { body: '<b/>', etag: 'e2', version: { increment: 1 } } });
    expect([updated.body, updated.etag, updated.version]).toEqual(['<b/>', 'e2', 2]);
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

    await db.prisma.xcapDocument.delete({ where: { id: created.id } });
    expect(await db.prisma.xcapDocumentVersion.count({ where: { documentId: created.id } })).toBe(0);
  });

  it('an optimistic update that loses the race reports "conflict" and overwrites nothing', async () => {
    const row = await db.prisma.xcapDocument.create({ data: doc('race/users/alice/p.xml') });
    // Two writers read version 1; the first one wins.
    expect(await updateIfVersion(db.prisma.xcapDocument, row, { body: '<first/>', etag: 'e-first' })).toBe('updated');
    expect(await updateIfVersion(db.prisma.xcapDocument, row, { body: '<second/>', etag: 'e-second' })).toBe('conflict');
    const after = await db.prisma.xcapDocument.findUniqueOrThrow({ where: { id: row.id } });
    expect([after.body, after.etag, after.version]).toEqual(['<first/>', 'e-first', 2]);

    // Truly concurrent writers with the same version: exactly one wins.
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((w) => updateIfVersion(db.prisma.xcapDocument, { id: row.id, version: 2 }, { body: `<${w}/>`, etag: `e-${w}` })),
    );
    expect(results.filter((r) => r === 'updated')).toHaveLength(1);
    const final = await db.prisma.xcapDocument.findUniqueOrThrow({ where: { id: row.id } });
    expect(final.version).toBe(3);
    expect(final.body).toBe(`<${['a', 'b', 'c', 'd'][results.indexOf('updated')]}/>`);

    // Inside a transaction, on another model.
    const auth = await db.prisma.migrationAuthorization.create({
      data: { server: 'mcx-b', mcpttId: 'sip:alice@mcx-a.example', homeSystemId: 'mcx-a', partnerSystemId: 'mcx-b', status: 'authorized' },
    });
    const outcome = await db.prisma.$transaction((tx) => updateIfVersion(tx.migrationAuthorization, { id: auth.id, version: 7 }, { status: 'revoked' }));
    expect(outcome).toBe('conflict');
    expect((await db.prisma.migrationAuthorization.findUniqueOrThrow({ where: { id: auth.id } })).status).toBe('authorized');
  });

  it('a concurrent create of the same key is a conflict (unique constraint)', async () => {
    await db.prisma.account.create({ data: { username: 'bob', passwordHash: 'scrypt$x' } });
    const err = await db.prisma.account.create({ data: { username: 'bob', passwordHash: 'scrypt$y' } }).catch((e: unknown) => e);
    expect(isConflict(err)).toBe(true);
    expect(isConflict(new Error('other'))).toBe(false);
    expect(isConflict(undefined)).toBe(false);
  });

  it('a transaction that throws leaves nothing behind', async () => {
    const before = await countAll(db.prisma);
    const failure = db.prisma.$transaction(async (tx) => {
      const d = await tx.xcapDocument.create({ data: doc('tx/users/alice/p.xml') });
      await tx.xcapDocumentVersion.create({ data: { documentId: d.id, version: 1, etag: 'e1', body: '<x/>' } });
      await tx.subscription.create({
        data: {
          server: 'cms', event: 'xcap-diff', callId: 'c1', remoteTag: 'r', localTag: 'l', subscriber: 'sip:alice@mcx-a.example',
          remoteUri: 'sip:alice@mcx-a.example', localUri: 'sip:cms@mcx-a.example', remoteTarget: 'sip:alice@127.0.0.1:5062',
          transport: 'udp:127.0.0.1:5062', resources: '[]', state: 'active', expiresAt: new Date(Date.now() + 3600_000),
        },
      });
      throw new Error('boom');
    });
    await expect(failure).rejects.toThrow('boom');
    expect(await countAll(db.prisma)).toBe(before);
    expect(await db.prisma.xcapDocument.count({ where: { selector: 'tx/users/alice/p.xml' } })).toBe(0);
  });

  it('creates and migrates a fresh data store on first start, and only once', async () => {
    if (target.provider === 'sqlite') {
      const root = mkdtempSync(join(tmpdir(), 'mcx-db-fresh-'));
      const dataDir = join(root, 'not', 'yet', 'there');
      try {
        const first = await openDatabase({ dataDir, name: 'mcx-a-cms' });
        expect(existsSync(join(dataDir, 'mcx-a-cms.db'))).toBe(true);
        expect(first.provider).toBe('sqlite');
        expect(first.applied).toEqual(migrations);
        const journal = await first.prisma.$queryRawUnsafe<{ journal_mode: string }[]>('PRAGMA journal_mode');
        expect(journal[0]?.journal_mode).toBe('wal');
        const busy = await first.prisma.$queryRawUnsafe<{ timeout: bigint | number }[]>('PRAGMA busy_timeout');
        expect(Number(busy[0]?.timeout)).toBeGreaterThan(0);
        const fk = await first.prisma.$queryRawUnsafe<{ foreign_keys: bigint | number }[]>('PRAGMA foreign_keys');
        expect(Number(fk[0]?.foreign_keys)).toBe(1);
        await first.prisma.account.create({ data: { username: 'carol', passwordHash: 'scrypt$z' } });
        await first.close();
        const second = await openDatabase({ dataDir, name: 'mcx-a-cms' });
        expect(second.applied).toEqual([]);
        expect(await second.prisma.account.count()).toBe(1);
        await second.close();
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    } else {
      const scratch = await createThrowAwayDatabase(target);
      try {
        const first = await openDatabase({ url: scratch.url });
        expect(first.provider).toBe('postgresql');
        expect(first.applied).toEqual(migrations);
        await first.prisma.account.create({ data: { username: 'carol', passwordHash: 'scrypt$z' } });
        await first.close();
        const second = await openDatabase({ url: scratch.url });
        expect(second.applied).toEqual([]);
        expect(await second.prisma.account.count()).toBe(1);
        await second.close();
      } finally {
        await scratch.drop();
      }
    }
  });

  it('several instances starting together migrate once', async () => {
    const scratch = await createThrowAwayDatabase(target);
    try {
      const dbs = await Promise.all([1, 2, 3].map(() => openDatabase({ url: scratch.url })));
      expect(dbs.flatMap((d) => d.applied)).toEqual(migrations);
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await scratch.drop();
    }
  });

  it('the committed migrations are in sync with the models (migration:check)', async () => {
    const [result] = await checkMigrations([target.provider]);
    expect(result).toEqual({ provider: target.provider, status: 'in-sync', sql: '' });
  });
});
