/**
 * Persistence of the subscription proxy's dialogs (RFC 6665; TS 24.484 clause 6.3.13.2.2) in the
 * `Subscription` model, so subscriptions survive a CMS restart (architecture: "everything a
 * server must not lose ... is in the database"). Implements @mcx/sip's SubscriptionStore.
 */
import type { Database } from '@mcx/db';
import type { SubscriptionRecord, SubscriptionStore, TransportProtocol } from '@mcx/sip';

/** What the subscription proxy keeps per subscription. */
export interface ProxySubscriptionState {
  /** The subscribed URIs exactly as received (RFC 5875 clause 4.6: `sel` echoes them). */
  uris: string[];
  /** Last ETag notified per subscribed URI ("" = notified as absent). */
  notified: Record<string, string>;
  /** RFC 5875 diff-processing: false = no-patching. */
  patching: boolean;
}

export class PrismaSubscriptionStore implements SubscriptionStore<ProxySubscriptionState> {
  constructor(
    private readonly db: Database,
    private readonly server: string,
  ) {}

  async save(r: SubscriptionRecord<ProxySubscriptionState>): Promise<void> {
    const d = r.dialog;
    const data = {
      server: this.server,
      event: r.event,
      callId: d.callId,
      remoteTag: d.remoteTag,
      localTag: d.localTag,
      subscriber: r.subscriber,
      remoteUri: d.remoteUri,
      localUri: d.localUri,
      remoteTarget: d.remoteTarget,
      transport: d.transport,
      routeSet: JSON.stringify(d.routeSet),
      resources: JSON.stringify(r.state.uris),
      notifiedEtags: JSON.stringify({ notified: r.state.notified, patching: r.state.patching, eventParams: r.eventParams }),
      localCseq: d.localSeq,
      remoteCseq: d.remoteSeq ?? 0,
      state: 'active',
      expiresAt: new Date(r.expiresAt),
    };
    await this.db.prisma.subscription.upsert({ where: { id: r.id }, create: { id: r.id, ...data }, update: data });
  }

  async remove(id: string): Promise<void> {
    await this.db.prisma.subscription.deleteMany({ where: { id, server: this.server } });
  }

  async loadAll(): Promise<SubscriptionRecord<ProxySubscriptionState>[]> {
    const rows = await this.db.prisma.subscription.findMany({ where: { server: this.server } });
    return rows.map((row) => {
      const extra = JSON.parse(row.notifiedEtags) as { notified?: Record<string, string>; patching?: boolean; eventParams?: Record<string, string> };
      return {
        id: row.id,
        event: row.event,
        eventParams: extra.eventParams ?? {},
        subscriber: row.subscriber,
        state: { uris: JSON.parse(row.resources) as string[], notified: extra.notified ?? {}, patching: extra.patching ?? true },
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
          transport: row.transport as TransportProtocol,
        },
        expiresAt: row.expiresAt.getTime(),
      };
    });
  }
}
