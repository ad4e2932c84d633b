/**
 * The change feed of replicas (change-feed.ts) on PostgreSQL
 * (MCX_TEST_DATABASE_URL; `npm run test:postgres` only, see vitest.config.ts): changes published inside a transaction reach
 * the other instance at commit and never on rollback, the publisher does not hear itself, and a
 * dead instance's liveness lock can be claimed once while a live one's cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openChangeFeed, type ChangeFeed } from './change-feed.ts';
import { openTestDatabase } from './testing.ts';
import type { Database } from './index.ts';
import { pgConfigFromUrl } from './url.ts';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

function collector(feed: ChangeFeed, topic: string) {
  const keys: string[] = [];
  let resyncs = 0;
  const waiters: (() => void)[] = [];
  feed.subscribe(topic, {
    change: (k) => {
      keys.push(k);
      for (const w of waiters.splice(0)) w();
    },
    resync: () => resyncs++,
  });
  return {
    keys,
    get resyncs() {
      return resyncs;
    },
    async until(n: number, ms = 5000) {
      const deadline = Date.now() + ms;
      while (keys.length < n && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 50); });
      return keys;
    },
  };
}

describe('change feed on PostgreSQL', () => {  it('delivers a change at commit to the other instance only, never on rollback', async () => {
    const a = await openChangeFeed(db, { instance: 'cms/1' });
    const b = await openChangeFeed(db, { instance: 'cms/2' });
    try {
      const atA = collector(a, 'doc');
      const atB = collector(b, 'doc');
      await db.prisma.$transaction(async (tx) => {
        await a.publish('doc', 'committed', tx);
      });
      await db.prisma
        .$transaction(async (tx) => {
          await a.publish('doc', 'rolled-back', tx);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      await a.publish('doc', 'direct');
      await a.publish('other-topic', 'ignored');
      expect(await atB.until(2)).toEqual(['committed', 'direct']);
      // Nothing more arrives (the rolled-back one and the other topic), and A never hears itself.
      await new Promise((r) => setTimeout(r, 200));
      expect(atB.keys).toEqual(['committed', 'direct']);
      expect(atA.keys).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('lets one claimer take over an instance that is gone, never a live one', async () => {
    const a = await openChangeFeed(db, { instance: 'gms/1' });
    const b = await openChangeFeed(db, { instance: 'gms/2' });
    const c = await openChangeFeed(db, { instance: 'gms/3' });
    try {
      expect(await b.claimFrom('gms/1', async () => 'claimed')).toBeUndefined(); // alive
      expect(await b.claimFrom('gms/2', async () => 'claimed')).toBeUndefined(); // itself
      await a.close(); // its session ends: the lock is released
      // While b claims, c cannot (the lock is held by b's session during the claim).
      let inside: string | undefined;
      const byB = b.claimFrom('gms/1', async () => {
        inside = await c.claimFrom('gms/1', async () => 'c claimed too');
        return 'b claimed';
      });
      expect(await byB).toBe('b claimed');
      expect(inside).toBeUndefined();
      // Once b's claim is over, the lock is free again (the rows moved; a second claim finds none).
      expect(await c.claimFrom('gms/1', async () => 'again')).toBe('again');
    } finally {
      await b.close();
      await c.close();
    }
  });

  it('resyncs its listeners after the listening connection is cut', async () => {
    const a = await openChangeFeed(db, { instance: 'cms/a' });
    const b = await openChangeFeed(db, { instance: 'cms/b' });
    try {
      const atB = collector(b, 'doc');
      const admin = new pg.Client(pgConfigFromUrl(db.url));
      await admin.connect();
      try {
        await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'mcx:cms/b'`);
      } finally {
        await admin.end();
      }
      const deadline = Date.now() + 5000;
      while (atB.resyncs === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(atB.resyncs).toBe(1);
      await a.publish('doc', 'after-reconnect');
      expect(await atB.until(1)).toEqual(['after-reconnect']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
