/**
 * The change feed (change-feed.ts) on the database under test: shared on PostgreSQL, local on
 * SQLite (nothing fans out, nothing is claimed). The PostgreSQL behaviour is in
 * change-feed.postgres.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChangeFeed } from './change-feed.ts';
import { openTestDatabase } from './testing.ts';
import type { Database } from './index.ts';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

describe('change feed', () => {
  it('is local for the only instance, on any database', async () => {
    const feed = await openChangeFeed(db, { instance: 'cms', replicated: false });
    try {
      expect(feed.shared).toBe(false);
      expect(await feed.claimFrom('cms/2', async () => 'claimed')).toBeUndefined();
    } finally {
      await feed.close();
    }
  });

  it('is local on SQLite and shared on PostgreSQL', async () => {
    const feed = await openChangeFeed(db, { instance: 'cms/1' });
    try {
      expect(feed.shared).toBe(db.provider === 'postgresql');
      expect(feed.instance).toBe('cms/1');
      if (!feed.shared) expect(await feed.claimFrom('cms/2', async () => 'claimed')).toBeUndefined();
    } finally {
      await feed.close();
    }
  });
});
