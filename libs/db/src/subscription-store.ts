/**
 * Persistence of SIP subscription dialogs (RFC 6665) in the `Subscription` model, so a notifier's
 * subscriptions survive a restart (architecture: "everything a server must not lose ... is in the
 * database"). Implements @mcx/sip's SubscriptionStore; each notifier (CMS subscription proxy, GMS)
 * supplies a codec for its own per-subscription state (the `resources` / `notifiedEtags` columns).
 * Written on SUBSCRIBE, refresh and every N NOTIFYs by the notifier, never per NOTIFY fan-out.
 */
import type { SubscriptionRecord, SubscriptionStore, TransportProtocol } from '@mcx/sip';
import type { Database, Subscription } from './index.ts';

/** How a notifier's state S is kept in the `resources` and `notifiedEtags` columns (JSON strings). */
export interface SubscriptionStateCodec<S> {
  encode(record: SubscriptionRecord<S>): { resources: string; notifiedEtags: string };
  decode(row: Subscription): { state: S; eventParams: Record<string, string> };
}

export class PrismaSubscriptionStore<S> implements SubscriptionStore<S> {
  constructor(
    private readonly db: Database,
    /** The `server` column: which notifier instance owns the rows. */
    private readonly server: string,
    private readonly codec: SubscriptionStateCodec<S>,
    /** Load only this event package's rows (default: all of this server's). */
    private readonly event?: string,
  ) {}

  async save(record: SubscriptionRecord<S>): Promise<void> {
    const d = record.dialog;
    const data = {
      server: this.server,
      event: record.event,
      callId: d.callId,
      remoteTag: d.remoteTag,
      localTag: d.localTag,
      subscriber: record.subscriber,
      remoteUri: d.remoteUri,
      localUri: d.localUri,
      remoteTarget: d.remoteTarget,
      transport: d.transport,
      routeSet: JSON.stringify(d.routeSet),
      ...this.codec.encode(record),
      localCseq: d.localSeq,
      remoteCseq: d.remoteSeq ?? 0,
      state: 'active',
      expiresAt: new Date(record.expiresAt),
    };
    await this.db.prisma.subscription.upsert({ where: { id: record.id }, create: { id: record.id, ...data }, update: data });
  }

  /**
   * Graceful shutdown: the current CSeq, state and expiry of every dialog in one transaction, so the
   * first NOTIFY after a restart continues the dialog (RFC 3261 clause 12.2.1.1) with the right
   * previous-etag (RFC 5874).
   */
  async saveAll(records: readonly SubscriptionRecord<S>[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.prisma.$transaction(
      records.map((r) =>
        this.db.prisma.subscription.updateMany({
          where: { id: r.id, server: this.server },
          data: {
            ...this.codec.encode(r),
            localCseq: r.dialog.localSeq,
            remoteCseq: r.dialog.remoteSeq ?? 0,
            remoteTarget: r.dialog.remoteTarget,
            expiresAt: new Date(r.expiresAt),
          },
        }),
      ),
    );
  }

  async remove(id: string): Promise<void> {
    await this.db.prisma.subscription.deleteMany({ where: { id, server: this.server } });
  }

  async loadAll(): Promise<SubscriptionRecord<S>[]> {
    const rows = await this.db.prisma.subscription.findMany({ where: { server: this.server, ...(this.event ? { event: this.event } : {}) } });
    return rows.map((row) => {
      const { state, eventParams } = this.codec.decode(row);
      return {
        id: row.id,
        event: row.event,
        eventParams,
        subscriber: row.subscriber,
        state,
        dialog: {
          callId: row.callId,
          localTag: row.localTag,
          remoteTag: row.remoteTag,
          localUri: row.localUri,
          remoteUri: row.remoteUri,
          localSeq: row.localCseq,
          remoteSeq: row.remoteCseq,
          remoteTarget: row.remoteTarget,
          routeSet: JSON.parse(row.routeSet) as string[],
          transport: (row.transport === 'tcp' ? 'tcp' : 'udp') satisfies TransportProtocol,
        },
        expiresAt: row.expiresAt.getTime(),
      };
    });
  }
}
