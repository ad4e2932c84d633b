/**
 * Subscriptions that outlive their instance (issue #17: replicas of the CMS or the GMS on one
 * PostgreSQL database). Each instance owns the `Subscription` rows whose `server` column is its
 * instance name, `<group>/<n>` (the group is the server name the replicas share). Every
 * `intervalMs` an instance looks for rows of the other instances of its group and, for each
 * instance that is gone (its liveness lock is free: @mcx/db change-feed.ts), moves that
 * instance's rows to itself in one UPDATE and restores them: the notifier re-creates the dialogs
 * (skipping CSeq numbers, RFC 3261 clause 12.2.1.1) and notifies what changed since the
 * subscriber's last NOTIFY (RFC 6665 clause 4.2.2: a notifier may send a NOTIFY at any time; the
 * subscriber holds the ETags it was sent, so nothing is lost and at most the changes since the
 * last saved state are sent again, which RFC 5874's ETags make harmless).
 *
 * Steps of one sweep: findPeers -> claim (per gone peer, under its lock) -> restore.
 *
 * An instance whose database connection was lost looked gone to the others, which may have claimed
 * its rows meanwhile; once it holds its liveness lock again nobody can, so then (the feed's resync)
 * it forgets the subscriptions it holds in memory whose rows are no longer its own (releaseLost),
 * and only their new owner notifies them.
 * The interval (1 s by default) is our choice: well within one refresh interval of the
 * subscriptions (RFC 6665 clause 4.1.2.1), as issue #17 asks.
 */
import type { ChangeFeed, Database } from '@mcx/db';

export interface ReplicaTakeoverOptions {
  db: Database;
  feed: ChangeFeed;
  /** The server name the replicas share (rows of `<group>/<n>`). */
  group: string;
  /** Restores the rows now owned by this instance (the notifier's `restore()`). */
  restore(): Promise<number>;
  /** The ids of the subscriptions this instance holds in memory, and how to forget one without a NOTIFY (the @mcx/sip notifier's `release`). */
  held(): Iterable<string>;
  release(id: string): boolean;
  intervalMs?: number;
  log?: (fields: Record<string, unknown>, message: string) => void;
}

export interface ReplicaTakeover {
  /** One sweep now (tests, and after an in-dialog request for a dialog this instance does not hold). */
  sweep(): Promise<{ claimed: number; restored: number }>;
  /** Forgets the subscriptions held here whose rows another instance owns now (run after a reconnect). */
  releaseLost(): Promise<number>;
  close(): void;
}

export function startReplicaTakeover(o: ReplicaTakeoverOptions): ReplicaTakeover {
  const me = o.feed.instance;
  const log = o.log ?? (() => undefined);
  let running: Promise<{ claimed: number; restored: number }> | undefined;
  let closed = false;

  async function findPeers(): Promise<string[]> {
    const rows = await o.db.prisma.subscription.findMany({
      where: { server: { startsWith: `${o.group}/`, not: me } },
      distinct: ['server'],
      select: { server: true },
    });
    return rows.map((r) => r.server);
  }

  async function claim(peer: string): Promise<number> {
    const moved = await o.feed.claimFrom(peer, async () => (await o.db.prisma.subscription.updateMany({ where: { server: peer }, data: { server: me } })).count);
    return moved ?? 0;
  }

  async function sweepOnce(): Promise<{ claimed: number; restored: number }> {
    let claimed = 0;
    for (const peer of await findPeers()) {
      const n = await claim(peer);
      if (n > 0) log({ peer, subscriptions: n }, 'replica takeover: subscriptions of a gone instance claimed');
      claimed += n;
    }
    const restored = claimed > 0 ? await o.restore() : 0;
    return { claimed, restored };
  }

  function sweep() {
    running ??= sweepOnce().finally(() => (running = undefined));
    return running;
  }

  async function releaseLost(): Promise<number> {
    const owned = new Set((await o.db.prisma.subscription.findMany({ where: { server: me }, select: { id: true } })).map((r) => r.id));
    let released = 0;
    for (const id of [...o.held()]) if (!owned.has(id) && o.release(id)) released++;
    if (released > 0) log({ released }, 'replica takeover: subscriptions another instance claimed while this one was cut off are left to it');
    return released;
  }
  const unsubscribe = o.feed.subscribe('subscriptions', {
    change: () => undefined,
    resync: () => void releaseLost().catch((err: unknown) => log({ err }, 'replica takeover: ownership check failed')),
  });

  const timer = o.feed.shared
    ? setInterval(() => {
        if (!closed) sweep().catch((err: unknown) => log({ err }, 'replica takeover: sweep failed'));
      }, o.intervalMs ?? 1000)
    : undefined;
  timer?.unref();

  return {
    sweep,
    releaseLost,
    close() {
      closed = true;
      unsubscribe();
      if (timer) clearInterval(timer);
    },
  };
}
