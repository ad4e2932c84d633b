/**
 * Persistence of the GMS notifier's subscription dialogs (RFC 6665) in the `Subscription` table,
 * so they survive a restart. Written on SUBSCRIBE, refresh and every `cseqSaveInterval` NOTIFYs,
 * never per NOTIFY fan-out.
 */
import type { Database } from '@mcx/db';
import type { SubscriptionRecord, SubscriptionStore } from '@mcx/sip';
import type { GroupSubscriptionState } from './state.ts';

interface ResourcesColumn {
  all: boolean;
  documents: Record<string, string>;
  eventParams: Record<string, string>;
}

export class PrismaSubscriptionStore implements SubscriptionStore<GroupSubscriptionState> {
  constructor(
    private readonly db: Database,
    private readonly server: string,
    private readonly event: string,
  ) {}

  async save(record: SubscriptionRecord<GroupSubscriptionState>): Promise<void> {
    const d = record.dialog;
    const resources: ResourcesColumn = { all: record.state.all, documents: record.state.documents, eventParams: record.eventParams };
    const data = {
      server: this.server,
      event: this.event,
      callId: d.callId,
      remoteTag: d.remoteTag,
      localTag: d.localTag,
      subscriber: record.subscriber,
      remoteUri: d.remoteUri,
      localUri: d.localUri,
      remoteTarget: d.remoteTarget,
      transport: d.transport,
      routeSet: JSON.stringify(d.routeSet),
      resources: JSON.stringify(resources),
      notifiedEtags: JSON.stringify(record.state.notified),
      localCseq: d.localSeq,
      remoteCseq: d.remoteSeq ?? 0,
      state: 'active',
      expiresAt: new Date(record.expiresAt),
    };
    await this.db.prisma.subscription.upsert({ where: { id: record.id }, create: { id: record.id, ...data }, update: data });
  }

  /**
   * Graceful shutdown: the current CSeq and notified ETags of every dialog in one transaction, so
   * the first NOTIFY after a restart carries the right previous-etag (RFC 5874 clause 4).
   */
  async saveAll(records: readonly SubscriptionRecord<GroupSubscriptionState>[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.prisma.$transaction(
      records.map((r) =>
        this.db.prisma.subscription.updateMany({
          where: { id: r.id, server: this.server },
          data: {
            notifiedEtags: JSON.stringify(r.state.notified),
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

  async loadAll(): Promise<SubscriptionRecord<GroupSubscriptionState>[]> {
    const rows = await this.db.prisma.subscription.findMany({ where: { server: this.server, event: this.event } });
    return rows.map((row) => {
      const resources = JSON.parse(row.resources) as ResourcesColumn;
      return {
        id: row.id,
        event: row.event,
        eventParams: resources.eventParams,
        subscriber: row.subscriber,
        state: {
          mcpttId: row.subscriber,
          all: resources.all,
          documents: resources.documents,
          notified: JSON.parse(row.notifiedEtags) as Record<string, string>,
        },
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
          transport: row.transport === 'tcp' ? 'tcp' : 'udp',
        },
        expiresAt: row.expiresAt.getTime(),
      };
    });
  }
}
