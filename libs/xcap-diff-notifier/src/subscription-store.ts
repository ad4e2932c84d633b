/**
 * xcap-diff subscriptions (RFC 6665 dialogs) in the `Subscription` model of @mcx/db, so they
 * survive a restart of the CMS or the GMS. Rows belong to one notifier instance (the `server`
 * column) and the xcap-diff event package; the subscription state is kept as JSON in the
 * `resources` (what is subscribed) and `notifiedEtags` (selector → the ETag the subscriber holds)
 * columns.
 * Written on SUBSCRIBE, refresh, answered full-state NOTIFYs, every 100 NOTIFYs and at a graceful
 * shutdown: never per NOTIFY of a fan-out.
 */
import type { Database, Subscription } from '@mcx/db';
import {
  XCAP_DIFF_EVENT,
  type SubscriptionRecord,
  type SubscriptionStore,
  type TransportProtocol,
} from '@mcx/sip';
import type { XcapDiffSubscriptionState } from './state.ts';

type Rec = SubscriptionRecord<XcapDiffSubscriptionState>;

/** @mcx/sip's SubscriptionStore for xcap-diff state, with one write for every dialog at shutdown. */
export interface XcapDiffSubscriptionStore extends SubscriptionStore<XcapDiffSubscriptionState> {
  saveAll?(records: readonly Rec[]): Promise<void>;
}

/** `resources`: what is subscribed, with the SUBSCRIBE's Event parameters (RFC 5875 clause 4.3). */
interface ResourcesColumn {
  documents: Record<string, string>;
  collection: boolean;
  patching: boolean;
  eventParams: Record<string, string>;
}

const isStringRecord = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' &&
  v !== null &&
  !Array.isArray(v) &&
  Object.values(v).every((x) => typeof x === 'string');

function encode(r: Rec): { resources: string; notifiedEtags: string } {
  const { documents, collection, patching, notified } = r.state;
  return {
    resources: JSON.stringify({
      documents,
      collection,
      patching,
      eventParams: r.eventParams,
    } satisfies ResourcesColumn),
    // `notifiedEtags`: selector → the ETag the subscriber holds.
    notifiedEtags: JSON.stringify(notified),
  };
}

/** The state of a row, undefined when the row holds another layout. */
function decode(
  row: Subscription,
): { state: XcapDiffSubscriptionState; eventParams: Record<string, string> } | undefined {
  let resources: Partial<ResourcesColumn> | null;
  let notified: unknown;
  try {
    resources = JSON.parse(row.resources) as Partial<ResourcesColumn> | null;
    notified = JSON.parse(row.notifiedEtags);
  } catch {
    return undefined;
  }
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources)) return undefined;
  const { documents, collection, patching, eventParams } = resources;
  if (
    !isStringRecord(documents) ||
    typeof collection !== 'boolean' ||
    typeof patching !== 'boolean' ||
    !isStringRecord(notified)
  )
    return undefined;
  return {
    state: { documents, collection, patching, notified },
    eventParams: isStringRecord(eventParams) ? eventParams : {},
  };
}

export class PrismaXcapDiffSubscriptionStore implements XcapDiffSubscriptionStore {
  constructor(
    private readonly db: Database,
    /** The `server` column: which notifier instance owns the rows (e.g. the server name). */
    private readonly server: string,
  ) {}

  async save(record: Rec): Promise<void> {
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
      ...encode(record),
      localCseq: d.localSeq,
      remoteCseq: d.remoteSeq ?? 0,
      state: 'active',
      expiresAt: new Date(record.expiresAt),
    };
    await this.db.prisma.subscription.upsert({
      where: { id: record.id },
      create: { id: record.id, ...data },
      update: data,
    });
  }

  /**
   * Graceful shutdown: the current CSeq, state and expiry of every dialog in one transaction, so the
   * first NOTIFY after a restart continues the dialog (RFC 3261 clause 12.2.1.1) with the right
   * previous-etag (RFC 5874).
   */
  async saveAll(records: readonly Rec[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.prisma.$transaction(
      records.map((r) =>
        this.db.prisma.subscription.updateMany({
          where: { id: r.id, server: this.server },
          data: {
            ...encode(r),
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

  /**
   * This instance's xcap-diff rows. A row in another layout (written before the CMS and the GMS
   * shared this store) is deleted: its UE learns it at the next refresh (481) and subscribes again
   * (RFC 6665 clause 4.1.2.2).
   */
  async loadAll(): Promise<Rec[]> {
    const rows = await this.db.prisma.subscription.findMany({
      where: { server: this.server, event: XCAP_DIFF_EVENT },
    });
    const out: Rec[] = [];
    for (const row of rows) {
      const decoded = decode(row);
      if (decoded === undefined) {
        await this.remove(row.id);
        continue;
      }
      out.push({
        id: row.id,
        event: row.event,
        eventParams: decoded.eventParams,
        subscriber: row.subscriber,
        state: decoded.state,
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
      });
    }
    return out;
  }
}
