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
import { isDatabaseUnavailable, type Database, type Subscription } from '@mcx/db';
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
/**
 * Bound parameters per statement: SQLite's default SQLITE_MAX_VARIABLE_NUMBER since 3.32 (the
 * better-sqlite3 build's); PostgreSQL allows 65,535.
 */
const MAX_BOUND_PARAMETERS = 32_766;
const q = (name: string): string => `"${name}"`;
const UPSERT_SET = COLUMNS.filter((c) => !NOT_UPDATED.has(c))
  .map((c) => `${q(c)} = excluded.${q(c)}`)
  .join(', ');

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
type Op = { kind: 'save'; row: Row } | { kind: 'update'; row: Row } | { kind: 'remove' };

interface Queued {
  op: Op;
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

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
  private queue = new Map<string, Queued>();
  private scheduled = false;
  /** The batch being written; the next one waits for it. */
  private writing: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    /** The `server` column: which notifier instance owns the rows (e.g. the server name). */
    private readonly server: string,
  ) {}

  /** Stored (inserted or replaced) once the batch holding it has committed. */
  save(record: Rec): Promise<void> {
    return this.enqueue(record.id, { kind: 'save', row: rowOf(record) });
  }

  /**
   * Graceful shutdown: the current CSeq, state and expiry of every dialog in one transaction, so the
   * first NOTIFY after a restart continues the dialog (RFC 3261 clause 12.2.1.1) with the right
   * previous-etag (RFC 5874). A dialog without a row (removed meanwhile) is not re-created.
   */
  async saveAll(records: readonly Rec[]): Promise<void> {
    await Promise.all(records.map((r) => this.enqueue(r.id, { kind: 'update', row: rowOf(r) })));
  }

  remove(id: string): Promise<void> {
    return this.enqueue(id, { kind: 'remove' });
  }

  /** Resolves once everything queued before the call is written (or has failed). */
  async flush(): Promise<void> {
    while (this.queue.size > 0 || this.writing !== undefined) await this.drain();
  }

  private enqueue(id: string, op: Op): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queued = this.queue.get(id);
      if (queued) {
        queued.op = coalesce(queued.op, op);
        queued.waiters.push({ resolve, reject });
      } else {
        this.queue.set(id, { op, waiters: [{ resolve, reject }] });
      }
      if (this.scheduled || this.writing !== undefined) return; // the running batch drains the queue after it
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.drain();
      });
    });
  }

  /** Writes queued batches one after the other until the queue is empty. Never rejects. */
  private drain(): Promise<void> {
    this.writing ??= (async () => {
      try {
        while (this.queue.size > 0) {
          const batch = this.queue;
          this.queue = new Map();
          await this.writeBatch(batch);
        }
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }

  private async writeBatch(batch: Map<string, Queued>): Promise<void> {
    try {
      await this.write(batch);
    } catch (err) {
      // One bad row must not fail its neighbours: each alone, unless the database is away.
      if (batch.size === 1 || isDatabaseUnavailable(err)) {
        for (const queued of batch.values()) for (const w of queued.waiters) w.reject(err);
        return;
      }
      for (const [id, queued] of batch) await this.writeBatch(new Map([[id, queued]]));
      return;
    }
    for (const queued of batch.values()) for (const w of queued.waiters) w.resolve();
  }

  /** One transaction: removes first (a dialog removed and stored again keeps its unique key free). */
  private async write(batch: ReadonlyMap<string, Queued>): Promise<void> {
    const removes: string[] = [];
    const saves: Row[] = [];
    const updates: Row[] = [];
    for (const [id, { op }] of batch) {
      if (op.kind === 'remove') removes.push(id);
      else if (op.kind === 'save') saves.push(op.row);
      else updates.push(op.row);
    }
    const now = new Date();
    const statements = [
      ...chunks(removes, MAX_BOUND_PARAMETERS - 1).map((ids) => this.deleteStatement(ids)),
      ...chunks(saves, Math.floor(MAX_BOUND_PARAMETERS / COLUMNS.length)).map((rs) =>
        this.upsertStatement(rs, now),
      ),
      ...updates.map((r) => this.updateStatement(r, now)),
    ];
    if (statements.length === 1) await statements[0];
    else await this.db.prisma.$transaction(statements);
  }

  /** `$1, $2` on PostgreSQL, `?` on SQLite. */
  private placeholders(): (n: number) => string {
    let i = 0;
    return this.db.provider === 'postgresql'
      ? (n) => Array.from({ length: n }, () => `$${++i}`).join(', ')
      : (n) => Array.from({ length: n }, () => '?').join(', ');
  }

  private deleteStatement(ids: readonly string[]) {
    const p = this.placeholders();
    const sql = `DELETE FROM "Subscription" WHERE "server" = ${p(1)} AND "id" IN (${p(ids.length)})`;
    return this.db.prisma.$executeRawUnsafe(sql, this.server, ...ids);
  }

  private upsertStatement(rows: readonly Row[], now: Date) {
    const p = this.placeholders();
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows) {
      for (const c of COLUMNS) {
        values.push(
          c === 'server'
            ? this.server
            : c === 'state'
              ? 'active'
              : c === 'createdAt' || c === 'updatedAt'
                ? now
                : row[c],
        );
      }
      tuples.push(`(${p(COLUMNS.length)})`);
    }
    const sql =
      `INSERT INTO "Subscription" (${COLUMNS.map(q).join(', ')}) VALUES ${tuples.join(', ')} ` +
      `ON CONFLICT ("id") DO UPDATE SET ${UPSERT_SET}`;
    return this.db.prisma.$executeRawUnsafe(sql, ...values);
  }

  private updateStatement(row: Row, now: Date) {
    const p = this.placeholders();
    const sql =
      `UPDATE "Subscription" SET "resources" = ${p(1)}, "notifiedEtags" = ${p(1)}, "localCseq" = ${p(1)}, ` +
      `"remoteCseq" = ${p(1)}, "remoteTarget" = ${p(1)}, "expiresAt" = ${p(1)}, "updatedAt" = ${p(1)} ` +
      `WHERE "id" = ${p(1)} AND "server" = ${p(1)}`;
    return this.db.prisma.$executeRawUnsafe(
      sql,
      row.resources,
      row.notifiedEtags,
      row.localCseq,
      row.remoteCseq,
      row.remoteTarget,
      row.expiresAt,
      now,
      row.id,
      this.server,
    );
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

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
