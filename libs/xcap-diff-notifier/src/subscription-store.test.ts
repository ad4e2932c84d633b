// The batched writes of PrismaXcapDiffSubscriptionStore on a real database (SQLite, or PostgreSQL
// with MCX_TEST_DATABASE_URL): one transaction per turn of the event loop, each caller settled only
// after its batch committed, the last operation per subscription wins, rows Prisma reads back.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import type { SubscriptionRecord } from '@mcx/sip';
import type { XcapDiffSubscriptionState } from './state.ts';
import { PrismaXcapDiffSubscriptionStore } from './subscription-store.ts';

type Rec = SubscriptionRecord<XcapDiffSubscriptionState>;

let db: Database;
/** A second connection to the same database: what another reader (or a restart) sees. */
let rowExists: (id: string) => boolean | Promise<boolean>;
let closeReader: () => Promise<void>;

beforeAll(async () => {
  db = await openTestDatabase();
  if (db.provider === 'sqlite') {
    // Synchronous: read in the very callback that sees the caller's promise resolve.
    const reader = new BetterSqlite3(fileURLToPath(db.url), { readonly: true });
    const stmt = reader.prepare('SELECT 1 FROM "Subscription" WHERE "id" = ?');
    rowExists = (id) => stmt.get(id) !== undefined;
    closeReader = async () => {
      reader.close();
    };
  } else {
    const reader = await openDatabase({ url: db.url });
    rowExists = async (id) => (await reader.prisma.subscription.findUnique({ where: { id } })) !== null;
    closeReader = () => reader.close();
  }
});
afterAll(async () => {
  await closeReader?.();
  await db?.close();
});

function record(
  id: string,
  over: { callId?: string; localSeq?: number; notified?: Record<string, string> } = {},
): Rec {
  return {
    id,
    event: 'xcap-diff',
    eventParams: { 'diff-processing': 'no-patching' },
    subscriber: 'sip:alice@example.net',
    state: {
      documents: { 'org.3gpp.mcptt.ue-config/users/sip:alice@example.net/ue.xml': 'ue.xml' },
      collection: false,
      notified: over.notified ?? {},
      patching: false,
    },
    dialog: {
      callId: over.callId ?? `call-${id}`,
      localTag: 'ltag',
      remoteTag: 'rtag',
      localUri: 'sip:gms@example.net',
      remoteUri: 'sip:alice@example.net',
      localSeq: over.localSeq ?? 1,
      remoteSeq: 7,
      remoteTarget: 'sip:alice@127.0.0.1:5062;transport=tcp',
      routeSet: ['<sip:p1.example.net;lr>'],
      transport: 'tcp',
    },
    expiresAt: Date.now() + 3_600_000,
  };
}

/** The store's database with $transaction and $executeRawUnsafe counted (the real client underneath). */
function counted(): { db: Database; calls: { transactions: number; statements: number } } {
  const calls = { transactions: 0, statements: 0 };
  const prisma = new Proxy(db.prisma, {
    get(t, key) {
      const v: unknown = Reflect.get(t, key);
      if (typeof v !== 'function') return v;
      const f = v as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (key === '$transaction') calls.transactions++;
        if (key === '$executeRawUnsafe') calls.statements++;
        return f.apply(t, args);
      };
    },
  });
  return { db: { ...db, prisma }, calls };
}

const serverOf = () => `store-${randomUUID()}`;

describe(`PrismaXcapDiffSubscriptionStore on ${process.env.MCX_TEST_DATABASE_URL ? 'postgresql' : 'sqlite'}`, () => {
  it('writes 2,000 saves of one turn in one transaction and settles each only when its row is readable', async () => {
    const { db: countedDb, calls } = counted();
    const server = serverOf();
    const store = new PrismaXcapDiffSubscriptionStore(countedDb, server);
    const ids = Array.from({ length: 2_000 }, () => randomUUID());
    const readableAtResolve = await Promise.all(
      ids.map((id) => store.save(record(id)).then(() => rowExists(id))),
    );
    expect(readableAtResolve.every((x) => x)).toBe(true);
    // 2,000 rows of 20 columns: two INSERT statements (32,766 bound parameters at most), one transaction.
    expect(calls).toEqual({ transactions: 1, statements: 2 });
    expect(await db.prisma.subscription.count({ where: { server } })).toBe(2_000);
  });

  it('keeps the last operation per subscription: save then remove leaves no row, remove then save stores it', async () => {
    const server = serverOf();
    const { db: countedDb, calls } = counted();
    const store = new PrismaXcapDiffSubscriptionStore(countedDb, server);
    const [gone, kept] = [randomUUID(), randomUUID()];
    await Promise.all([
      store.save(record(gone)),
      store.remove(gone),
      store.remove(kept),
      store.save(record(kept, { localSeq: 5 })),
    ]);
    // One DELETE and one INSERT, in one transaction.
    expect(calls).toEqual({ transactions: 1, statements: 2 });
    const rows = await db.prisma.subscription.findMany({ where: { server } });
    expect(rows.map((r) => [r.id, r.localCseq])).toEqual([[kept, 5]]);

    // Later turns: the stored row is updated in place, then removed.
    await store.save(record(kept, { localSeq: 9, notified: { a: '"e1"' } }));
    const updated = await db.prisma.subscription.findUniqueOrThrow({ where: { id: kept } });
    expect([updated.localCseq, updated.notifiedEtags, updated.version]).toEqual([9, '{"a":"\\"e1\\""}', 1]);
    await store.remove(kept);
    expect(await db.prisma.subscription.count({ where: { server } })).toBe(0);
  });

  it('removes before it inserts, so a dialog removed and stored again under a new id in one turn is kept', async () => {
    const server = serverOf();
    const store = new PrismaXcapDiffSubscriptionStore(db, server);
    const [first, second] = [randomUUID(), randomUUID()];
    await store.save(record(first, { callId: 'same-dialog' }));
    await Promise.all([store.remove(first), store.save(record(second, { callId: 'same-dialog' }))]);
    expect((await db.prisma.subscription.findMany({ where: { server } })).map((r) => r.id)).toEqual([second]);
  });

  it('rejects the callers of a batch that cannot be written, and writes again once the database can', async () => {
    const server = serverOf();
    const { db: countedDb, calls } = counted();
    const store = new PrismaXcapDiffSubscriptionStore(countedDb, server);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await db.prisma.$executeRawUnsafe('ALTER TABLE "Subscription" RENAME TO "SubscriptionAway"');
    let results: PromiseSettledResult<void>[];
    try {
      results = await Promise.allSettled([
        store.save(record(ids[0]!)),
        store.save(record(ids[1]!)),
        store.remove(ids[2]!),
      ]);
    } finally {
      await db.prisma.$executeRawUnsafe('ALTER TABLE "SubscriptionAway" RENAME TO "Subscription"');
    }
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // The batch (DELETE + INSERT in one transaction), then each operation alone.
    expect(calls).toEqual({ transactions: 1, statements: 2 + 3 });
    await store.save(record(ids[0]!));
    expect(await db.prisma.subscription.count({ where: { server } })).toBe(1);
  });

  it('rejects only the caller whose row fails (one dialog saved under two ids), not the rest of its batch', async () => {
    const server = serverOf();
    const store = new PrismaXcapDiffSubscriptionStore(db, server);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    const results = await Promise.allSettled([
      store.save(record(a, { callId: 'twice' })),
      store.save(record(b, { callId: 'twice' })),
      store.save(record(c)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const rows = await db.prisma.subscription.findMany({ where: { server }, orderBy: { callId: 'asc' } });
    expect(rows.map((r) => [r.id, r.callId])).toEqual([
      [c, `call-${c}`],
      [a, 'twice'],
    ]);
  });

  it('writes a record as it was when saved, not as the caller changed it before the batch', async () => {
    const store = new PrismaXcapDiffSubscriptionStore(db, serverOf());
    const r = record(randomUUID(), { localSeq: 2, notified: { a: '"1"' } });
    const saved = store.save(r);
    r.dialog.localSeq = 3;
    r.state.notified.a = '"2"';
    await saved;
    const row = await db.prisma.subscription.findUniqueOrThrow({ where: { id: r.id } });
    expect([row.localCseq, JSON.parse(row.notifiedEtags)]).toEqual([2, { a: '"1"' }]);
  });

  it('loadAll sees saves still queued, and returns each record as saved', async () => {
    const store = new PrismaXcapDiffSubscriptionStore(db, serverOf());
    const recs = [record(randomUUID(), { localSeq: 3, notified: { x: '"1"' } }), record(randomUUID())];
    const saved = recs.map((r) => store.save(r));
    const loaded = await store.loadAll();
    await Promise.all(saved);
    const byId = (x: Rec, y: Rec) => x.id.localeCompare(y.id);
    expect(loaded.sort(byId)).toEqual([...recs].sort(byId));
  });

  it('saveAll writes queued saves first, updates stored rows and never re-creates a removed one', async () => {
    const server = serverOf();
    const store = new PrismaXcapDiffSubscriptionStore(db, server);
    const [stored, queued, removed] = [randomUUID(), randomUUID(), randomUUID()];
    await store.save(record(stored));
    await store.save(record(removed));
    void store.save(record(queued));
    void store.remove(removed);
    await store.saveAll([
      record(stored, { localSeq: 40 }),
      record(queued, { localSeq: 41 }),
      record(removed, { localSeq: 42 }),
      record(randomUUID(), { localSeq: 43 }), // never stored: no row
    ]);
    const rows = await db.prisma.subscription.findMany({ where: { server } });
    expect(rows.map((r) => [r.id, r.localCseq]).sort()).toEqual(
      [
        [stored, 40],
        [queued, 41],
      ].sort(),
    );
  });

  it('stores DateTime columns as Prisma does, so the model reads them back', async () => {
    const server = serverOf();
    const store = new PrismaXcapDiffSubscriptionStore(db, server);
    const mine = record(randomUUID());
    await store.save(mine);
    const byPrisma = await db.prisma.subscription.create({
      data: {
        server,
        event: 'xcap-diff',
        callId: 'by-prisma',
        remoteTag: 'r',
        localTag: 'l',
        subscriber: 'sip:bob@example.net',
        remoteUri: 'sip:bob@example.net',
        localUri: 'sip:gms@example.net',
        remoteTarget: 'sip:bob@127.0.0.1:5064',
        transport: 'udp',
        resources: '{}',
        state: 'active',
        expiresAt: new Date(mine.expiresAt),
      },
    });
    const row = await db.prisma.subscription.findUniqueOrThrow({ where: { id: mine.id } });
    expect(row.expiresAt.getTime()).toBe(mine.expiresAt);
    expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(row.updatedAt.getTime()).toBe(row.createdAt.getTime());
    // The stored text of each DateTime column has the shape of the one Prisma wrote.
    const shapes = await db.prisma.$queryRawUnsafe<{ id: string; e: string; c: string; u: string }[]>(
      'SELECT "id", CAST("expiresAt" AS TEXT) AS e, CAST("createdAt" AS TEXT) AS c, CAST("updatedAt" AS TEXT) AS u ' +
        `FROM "Subscription" WHERE "server" = ${db.provider === 'postgresql' ? '$1' : '?'}`,
      server,
    );
    // (PostgreSQL's text of a timestamp drops trailing zeros of the fraction: numbers are one digit here.)
    const shape = (s: string) => s.replace(/\d+/g, '9');
    const of = (id: string) => shapes.find((s) => s.id === id)!;
    expect([of(mine.id).e, of(mine.id).c, of(mine.id).u].map(shape)).toEqual(
      [of(byPrisma.id).e, of(byPrisma.id).c, of(byPrisma.id).u].map(shape),
    );
    expect(of(mine.id).e).toBe(of(byPrisma.id).e);
  });
});
