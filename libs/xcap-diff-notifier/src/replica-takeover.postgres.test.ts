// Replica takeover (replica-takeover.ts) on PostgreSQL (MCX_TEST_DATABASE_URL, `npm run test:postgres`):
// the rows of a live instance are never claimed; once its session ends exactly one sweeping
// instance moves them to itself and restores; a subscription this instance holds whose row
// another instance claimed (while this one was cut off) is released here.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openChangeFeed, type ChangeFeed, type Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { startReplicaTakeover, type ReplicaTakeover } from './replica-takeover.ts';

let db: Database;
const closers: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  if (!process.env.MCX_TEST_DATABASE_URL) throw new Error('MCX_TEST_DATABASE_URL is required (npm run test:postgres sets a default)');
  db = await openTestDatabase();
});
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  await db?.close();
});

async function rowsOf(server: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await db.prisma.subscription.createMany({
    data: ids.map((id) => ({
      id,
      server,
      event: 'xcap-diff',
      callId: id,
      remoteTag: 'r',
      localTag: 'l',
      subscriber: 'sip:alice@mcx-a.example.net',
      remoteUri: 'sip:alice@mcx-a.example.net',
      localUri: 'sip:cms@mcx-a.example.net',
      remoteTarget: 'sip:alice@127.0.0.1:5060',
      transport: 'udp:127.0.0.1:5060',
      resources: '{}',
      state: 'active',
      expiresAt: new Date(Date.now() + 3_600_000),
    })),
  });
  return ids;
}

async function instance(name: string, held: string[] = []) {
  const feed: ChangeFeed = await openChangeFeed(db, { instance: name });
  const restores: number[] = [];
  const released: string[] = [];
  const takeover: ReplicaTakeover = startReplicaTakeover({
    db,
    feed,
    group: 'cms',
    intervalMs: 60_000, // sweeps are run by hand here
    restore: async () => (restores.push(Date.now()), 0),
    held: () => held.filter((id) => !released.includes(id)),
    release: (id) => (released.push(id), true),
  });
  closers.push(() => feed.close(), () => takeover.close());
  return { feed, takeover, restores, released };
}

const owners = async () =>
  Object.fromEntries((await db.prisma.subscription.groupBy({ by: ['server'], _count: true })).map((g) => [g.server, g._count]));

describe('replica takeover', () => {
  it('claims the rows of a gone instance once, never of a live one', async () => {
    await rowsOf('cms/2', 3);
    const one = await instance('cms/1');
    const two = await instance('cms/2');
    const three = await instance('cms/3');
    expect(await one.takeover.sweep()).toEqual({ claimed: 0, restored: 0 });
    expect(await owners()).toEqual({ 'cms/2': 3 });
    await two.feed.close(); // its session ends: gone
    const [a, b] = await Promise.all([one.takeover.sweep(), three.takeover.sweep()]);
    expect(a.claimed + b.claimed).toBe(3);
    expect([a.claimed, b.claimed].sort()).toEqual([0, 3]);
    expect(one.restores.length + three.restores.length).toBe(1);
    expect(Object.values(await owners())).toEqual([3]);
    expect(Object.keys(await owners())).not.toContain('cms/2');
  });

  it('releases what another instance claimed while this one was cut off', async () => {
    const mine = await rowsOf('cms/1', 2);
    const claimedMeanwhile = await rowsOf('cms/3', 1);
    const one = await instance('cms/1', [...mine, ...claimedMeanwhile]);
    expect(await one.takeover.releaseLost()).toBe(1);
    expect(one.released).toEqual(claimedMeanwhile);
    expect(await one.takeover.releaseLost()).toBe(0);
  });
});
