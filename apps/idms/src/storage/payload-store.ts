import { deleteWhereIn, executeStatements, GroupCommitQueue, insertRows, placeholders, providerOfClient, updateWhereIn, type PrismaClient, type Provider, type RawStatement } from '@mcx/db';

/**
 * The IdMS's OidcPayload rows (oidc-provider sessions, interactions, grants, codes, refresh
 * tokens; this IdMS's own records of JWT access tokens, revocations and pushes) held in memory,
 * loaded at start and written through: every write reaches the database before it is applied
 * here and before the caller goes on, so an acknowledged write survives a clean stop or a crash,
 * while a read (a token check, a grant lookup) costs no database round trip. Our choice, as the
 * repository's speed rule asks of hot paths (docs/toolchain.md "Speed"). The one writer of this
 * server's rows is this process.
 *
 * Writes are group-committed (issue #14; @mcx/db GroupCommitQueue): what the IdMS's requests
 * write within one turn of the event loop, plus what arrives while the previous batch is written,
 * is one transaction of raw multi-row statements (consecutive upserts, creates, deletes or
 * consumes of one batch share a statement), in call order: operations on one id are never
 * reordered or merged. Each caller's promise settles, and memory changes, only once its batch has
 * committed; a batch that fails is written again one operation at a time, so a `create` of an
 * existing id fails its own caller only. `deleteByGrant` and `purgeExpired` are queued like the
 * rest, so they see every write queued before them.
 */
export interface PayloadRow {
  /** "<kind>:<id>" */
  id: string;
  kind: string;
  payload: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Date | null;
  consumedAt: Date | null;
}

export type NewPayloadRow = Omit<PayloadRow, 'consumedAt' | 'userCode' | 'uid'> & Partial<Pick<PayloadRow, 'userCode' | 'uid'>>;

function live(row: PayloadRow | undefined, now = Date.now()): PayloadRow | undefined {
  return row && (!row.expiresAt || row.expiresAt.getTime() > now) ? row : undefined;
}

const TABLE = 'OidcPayload';
/** The columns an upsert or a create writes; `consumedAt` is NULL on insert and kept on update. */
const COLUMNS = ['id', 'server', 'kind', 'payload', 'grantId', 'userCode', 'uid', 'expiresAt'] as const;
const UPSERT = { onConflict: { target: ['id'], update: COLUMNS.filter((c) => c !== 'id') } };

type Written = Omit<PayloadRow, 'consumedAt'>;
type Op =
  | { kind: 'upsert' | 'create'; row: Written }
  | { kind: 'consume'; id: string; at: Date }
  | { kind: 'delete'; id: string }
  | { kind: 'deleteByGrant'; grantId: string; removed: PayloadRow[] }
  | { kind: 'purge'; before: Date; count: number };

/** Consecutive operations of a batch that one statement (chunked under the parameter limit) writes. */
interface Run {
  ops: Op[];
  statements: RawStatement[];
}

/**
 * Whether `op` can join `run` (consecutive operations of one kind) in one statement; `ids`: the
 * ids the run upserts.
 */
function joins(run: readonly Op[], ids: ReadonlySet<string>, op: Op): boolean {
  const last = run[run.length - 1]!;
  if (last.kind !== op.kind) return false;
  switch (op.kind) {
    case 'delete':
    case 'create': // the same id twice fails the statement, as the second of two creates fails
      return true;
    case 'upsert': // PostgreSQL refuses one upsert that touches a row twice
      return !ids.has(op.row.id);
    case 'consume':
      return (last as typeof op).at.getTime() === op.at.getTime();
    default:
      return false;
  }
}

function statementsOf(provider: Provider, server: string, ops: readonly Op[]): RawStatement[] {
  const first = ops[0]!;
  switch (first.kind) {
    case 'upsert':
    case 'create': {
      const rows = (ops as readonly { row: Written }[]).map(({ row }) => [row.id, server, row.kind, row.payload, row.grantId ?? null, row.userCode ?? null, row.uid ?? null, row.expiresAt ?? null]);
      return insertRows(provider, TABLE, COLUMNS, rows, first.kind === 'upsert' ? UPSERT : {});
    }
    case 'consume':
      return updateWhereIn(provider, TABLE, { consumedAt: first.at }, 'id', (ops as readonly { id: string }[]).map((o) => o.id));
    case 'delete':
      return deleteWhereIn(provider, TABLE, 'id', (ops as readonly { id: string }[]).map((o) => o.id));
    case 'deleteByGrant':
      return deleteWhereIn(provider, TABLE, 'grantId', [first.grantId], { server });
    case 'purge': {
      const p = placeholders(provider);
      return [{ sql: `DELETE FROM "${TABLE}" WHERE "server" = ${p(1)} AND "expiresAt" < ${p(1)}`, values: [server, first.before] }];
    }
  }
}

/** The store loaded last over a database client for a server: a later load waits for its writes. */
const loaded = new WeakMap<PrismaClient, Map<string, OidcPayloadStore>>();

export class OidcPayloadStore {
  readonly #rows = new Map<string, PayloadRow>();
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #byUid = new Map<string, string>();

  readonly #queue = new GroupCommitQueue<Op>({ write: (ops) => this.#write(ops) });
  readonly #provider: Provider;

  private constructor(
    private readonly prisma: PrismaClient,
    readonly server: string,
  ) {
    this.#provider = providerOfClient(prisma);
  }

  /** Loads this server's unexpired rows, after the writes queued by a store loaded earlier over `prisma`. */
  static async load(prisma: PrismaClient, server: string): Promise<OidcPayloadStore> {
    let stores = loaded.get(prisma);
    if (!stores) loaded.set(prisma, (stores = new Map()));
    await stores.get(server)?.flush();
    const store = new OidcPayloadStore(prisma, server);
    stores.set(server, store);
    const rows = await prisma.oidcPayload.findMany({ where: { server, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] } });
    for (const r of rows) store.#put({ id: r.id, kind: r.kind, payload: r.payload, grantId: r.grantId, userCode: r.userCode, uid: r.uid, expiresAt: r.expiresAt, consumedAt: r.consumedAt });
    return store;
  }

  get size(): number {
    return this.#rows.size;
  }

  #put(row: PayloadRow): void {
    this.#forget(row.id);
    this.#rows.set(row.id, row);
    if (row.grantId) {
      let ids = this.#byGrant.get(row.grantId);
      if (!ids) this.#byGrant.set(row.grantId, (ids = new Set()));
      ids.add(row.id);
    }
    if (row.uid) this.#byUid.set(row.uid, row.id);
  }

  #forget(id: string): PayloadRow | undefined {
    const row = this.#rows.get(id);
    if (!row) return undefined;
    this.#rows.delete(id);
    if (row.grantId) {
      const ids = this.#byGrant.get(row.grantId);
      ids?.delete(id);
      if (ids?.size === 0) this.#byGrant.delete(row.grantId);
    }
    if (row.uid && this.#byUid.get(row.uid) === id) this.#byUid.delete(row.uid);
    return row;
  }

  /** The unexpired row with this id. */
  get(id: string): PayloadRow | undefined {
    return live(this.#rows.get(id));
  }

  /** The unexpired row of `kind` with this uid or user code. */
  findBy(kind: string, where: { uid?: string; userCode?: string }): PayloadRow | undefined {
    if (where.uid !== undefined) {
      const row = live(this.#rows.get(this.#byUid.get(where.uid) ?? ''));
      return row?.kind === kind ? row : undefined;
    }
    for (const row of this.#rows.values()) if (row.kind === kind && row.userCode === where.userCode && live(row)) return row;
    return undefined;
  }

  /** Unexpired rows of `kind` (e.g. pending revocation pushes at start). */
  allOf(kind: string): PayloadRow[] {
    const now = Date.now();
    return [...this.#rows.values()].filter((r) => r.kind === kind && live(r, now));
  }

  /** Creates or replaces a row (written to the database first); a consumed row stays consumed. */
  upsert(input: NewPayloadRow): Promise<void> {
    return this.#queue.enqueue({ kind: 'upsert', row: { userCode: null, uid: null, ...input } });
  }

  /** Creates a row that does not exist yet (an INSERT: fails when the id exists). */
  create(input: NewPayloadRow): Promise<void> {
    return this.#queue.enqueue({ kind: 'create', row: { userCode: null, uid: null, ...input } });
  }

  consume(id: string): Promise<void> {
    return this.#queue.enqueue({ kind: 'consume', id, at: new Date() });
  }

  delete(id: string): Promise<void> {
    return this.#queue.enqueue({ kind: 'delete', id });
  }

  /** Deletes every row of this server standing on `grantId`; returns those that were unexpired. */
  async deleteByGrant(grantId: string): Promise<PayloadRow[]> {
    const op: Op = { kind: 'deleteByGrant', grantId, removed: [] };
    await this.#queue.enqueue(op);
    return op.removed;
  }

  /** Deletes expired rows of this server (call periodically). */
  async purgeExpired(): Promise<number> {
    const op: Op = { kind: 'purge', before: new Date(), count: 0 };
    await this.#queue.enqueue(op);
    return op.count;
  }

  /** Resolves once every write queued before the call has committed (or failed). */
  flush(): Promise<void> {
    return this.#queue.flush();
  }

  /** One batch in one transaction, then its changes to memory in call order. */
  async #write(ops: readonly Op[]): Promise<void> {
    const runs: Run[] = [];
    let current: Op[] | undefined;
    const ids = new Set<string>();
    for (const op of ops) {
      if (current && joins(current, ids, op)) current.push(op);
      else {
        runs.push({ ops: (current = [op]), statements: [] });
        ids.clear();
      }
      if (op.kind === 'upsert') ids.add(op.row.id);
    }
    const statements: RawStatement[] = [];
    for (const run of runs) statements.push(...(run.statements = statementsOf(this.#provider, this.server, run.ops)));
    const counts = await executeStatements(this.prisma, statements);
    let i = 0;
    for (const run of runs) {
      const affected = counts.slice(i, (i += run.statements.length)).reduce((a, b) => a + b, 0);
      for (const op of run.ops) this.#apply(op, affected);
    }
  }

  /** The change of a committed operation to memory; `affected`: the rows its statements changed. */
  #apply(op: Op, affected: number): void {
    switch (op.kind) {
      case 'upsert':
        this.#put({ ...op.row, consumedAt: this.#rows.get(op.row.id)?.consumedAt ?? null });
        return;
      case 'create':
        this.#put({ ...op.row, consumedAt: null });
        return;
      case 'consume': {
        const row = this.#rows.get(op.id);
        if (row) row.consumedAt = op.at;
        return;
      }
      case 'delete':
        this.#forget(op.id);
        return;
      case 'deleteByGrant': {
        const now = Date.now();
        op.removed = [];
        for (const id of [...(this.#byGrant.get(op.grantId) ?? [])]) {
          const row = this.#forget(id);
          if (live(row, now)) op.removed.push(row!);
        }
        return;
      }
      case 'purge':
        op.count = affected;
        for (const row of [...this.#rows.values()]) if (row.expiresAt && row.expiresAt.getTime() < op.before.getTime()) this.#forget(row.id);
        return;
    }
  }
}
