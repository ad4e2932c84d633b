/**
 * xcap-diff subscriptions (RFC 6665 dialogs) in the `Subscription` model of @mcx/db, so they
 * survive a restart of the CMS or the GMS. Rows belong to one notifier instance (the `server`
 * column) and the xcap-diff event package; the subscription state is kept as JSON in the
 * `resources` (what is subscribed) and `notifiedEtags` (selector → the ETag the subscriber holds)
 * columns.
 * Written on SUBSCRIBE, refresh, answered full-state NOTIFYs, every 100 NOTIFYs and at a graceful
 * shutdown: never per NOTIFY of a fan-out.
 *
 * Writes are batched (group commit). `save`, `remove` and the rows of `saveAll` are queued per
 * subscription id, the last operation for an id wins (a save then a remove is a remove; an update
 * of `saveAll` never re-creates a removed row), and the queue is written in one transaction: one
 * multi-row `INSERT ... ON CONFLICT ("id") DO UPDATE` for the saves and one `DELETE ... WHERE "id"
 * IN (...)` for the removes (chunked under SQLite's 32,766 bound parameters), with bound
 * parameters, on SQLite and PostgreSQL alike. Each caller's promise settles only when its batch has
 * committed (rejected when it failed): @mcx/sip answers a SUBSCRIBE with 200 only once its
 * subscription is stored (RFC 6665 clause 4.2.1 accepts the subscription with the 2xx; we
 * acknowledge only what survives a crash). The batching window (our choice): what is queued within
 * one turn of the event loop (setImmediate), plus whatever arrives while the previous batch is
 * being written; one batch is written at a time, so writes reach the database in call order.
 * When a batch of several subscriptions fails, each is retried alone, so one bad row rejects only
 * its own caller. `loadAll` and `saveAll` write what is queued first.
 */
import {
  deleteWhereIn,
  executeStatements,
  GroupCommitQueue,
  insertRows,
  updateWhereIn,
  type Database,
  type Subscription,
} from '@mcx/db';
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

/** The columns a save writes, in the order of the INSERT; `version` keeps its default. */
const COLUMNS = [
  'id',
  'server',
  'event',
  'callId',
  'remoteTag',
  'localTag',
  'subscriber',
  'remoteUri',
  'localUri',
  'remoteTarget',
  'transport',
  'routeSet',
  'resources',
  'notifiedEtags',
  'localCseq',
  'remoteCseq',
  'state',
  'expiresAt',
  'createdAt',
  'updatedAt',
] as const;
/** Kept from the first insert: an update leaves the creation time (and `version`) alone. */
const NOT_UPDATED: ReadonlySet<string> = new Set(['id', 'createdAt']);
const UPSERT = { onConflict: { target: ['id'], update: COLUMNS.filter((c) => !NOT_UPDATED.has(c)) } };
const TABLE = 'Subscription';

/** A record as its row holds it, encoded when the caller saves (later changes to it are not written). */
interface Row {
  id: string;
  event: string;
  callId: string;
  remoteTag: string;
  localTag: string;
  subscriber: string;
  remoteUri: string;
  localUri: string;
  remoteTarget: string;
  transport: string;
  routeSet: string;
  resources: string;
  notifiedEtags: string;
  localCseq: number;
  remoteCseq: number;
  expiresAt: Date;
}

function rowOf(r: Rec): Row {
  const d = r.dialog;
  return {
    id: r.id,
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
    ...encode(r),
    localCseq: d.localSeq,
    remoteCseq: d.remoteSeq ?? 0,
    expiresAt: new Date(r.expiresAt),
  };
}

/** save: insert or replace the row; update (saveAll): write an existing row only; remove. */
type Op = { kind: 'save'; row: Row } | { kind: 'update'; row: Row } | { kind: 'remove'; id: string };

/** The operation left when `next` follows `prev` for one id (the last one wins). */
function coalesce(prev: Op, next: Op): Op {
  if (next.kind !== 'update') return next;
  // An update (saveAll) writes only an existing row: after a remove there is none to write; after
  // a save not yet written, the save writes the newer row.
  if (prev.kind === 'remove') return prev;
  if (prev.kind === 'save') return { kind: 'save', row: next.row };
  return next;
}

export class PrismaXcapDiffSubscriptionStore implements XcapDiffSubscriptionStore {
  private readonly queue = new GroupCommitQueue<Op>({ write: (ops) => this.write(ops), merge: coalesce });

  constructor(
    private readonly db: Database,
    /** The `server` column: which notifier instance owns the rows (e.g. the server name). */
    private readonly server: string,
  ) {}

  /** Stored (inserted or replaced) once the batch holding it has committed. */
  save(record: Rec): Promise<void> {
    return this.queue.enqueue({ kind: 'save', row: rowOf(record) }, record.id);
  }

  /**
   * Graceful shutdown: the current CSeq, state and expiry of every dialog in one transaction, so the
   * first NOTIFY after a restart continues the dialog (RFC 3261 clause 12.2.1.1) with the right
   * previous-etag (RFC 5874). A dialog without a row (removed meanwhile) is not re-created.
   */
  async saveAll(records: readonly Rec[]): Promise<void> {
    await Promise.all(records.map((r) => this.queue.enqueue({ kind: 'update', row: rowOf(r) }, r.id)));
  }

  remove(id: string): Promise<void> {
    return this.queue.enqueue({ kind: 'remove', id }, id);
  }

  /** Resolves once everything queued before the call is written (or has failed). */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /** One transaction: removes first (a dialog removed and stored again keeps its unique key free). */
  private async write(ops: readonly Op[]): Promise<void> {
    const { provider } = this.db;
    const removes: string[] = [];
    const saves: unknown[][] = [];
    const updates: Row[] = [];
    const now = new Date();
    for (const op of ops) {
      if (op.kind === 'remove') removes.push(op.id);
      else if (op.kind === 'update') updates.push(op.row);
      else {
        const row = op.row;
        saves.push(
          COLUMNS.map((c) =>
            c === 'server'
              ? this.server
              : c === 'state'
                ? 'active'
                : c === 'createdAt' || c === 'updatedAt'
                  ? now
                  : row[c],
          ),
        );
      }
    }
    await executeStatements(this.db.prisma, [
      ...deleteWhereIn(provider, TABLE, 'id', removes, { server: this.server }),
      ...insertRows(provider, TABLE, COLUMNS, saves, UPSERT),
      ...updates.flatMap((row) =>
        updateWhereIn(
          provider,
          TABLE,
          {
            resources: row.resources,
            notifiedEtags: row.notifiedEtags,
            localCseq: row.localCseq,
            remoteCseq: row.remoteCseq,
            remoteTarget: row.remoteTarget,
            expiresAt: row.expiresAt,
            updatedAt: now,
          },
          'id',
          [row.id],
          { server: this.server },
        ),
      ),
    ]);
  }

  /**
   * This instance's xcap-diff rows. A row in another layout (written before the CMS and the GMS
   * shared this store) is deleted: its UE learns it at the next refresh (481) and subscribes again
   * (RFC 6665 clause 4.1.2.2).
   */
  async loadAll(): Promise<Rec[]> {
    await this.flush();
    const rows = await this.db.prisma.subscription.findMany({
      where: { server: this.server, event: XCAP_DIFF_EVENT },
    });
    const out: Rec[] = [];
    const unreadable: Promise<void>[] = [];
    for (const row of rows) {
      const decoded = decode(row);
      if (decoded === undefined) {
        unreadable.push(this.remove(row.id));
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
    await Promise.all(unreadable);
    return out;
  }
}
