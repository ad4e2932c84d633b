import type { PrismaClient } from '@mcx/db';

/**
 * The IdMS's OidcPayload rows (oidc-provider sessions, interactions, grants, codes, refresh
 * tokens; this IdMS's own records of JWT access tokens, revocations and pushes) held in memory,
 * loaded at start and written through: every write reaches the database before it is applied
 * here and before the caller goes on, so an acknowledged write survives a clean stop or a crash,
 * while a read (a token check, a grant lookup) costs no database round trip. Our choice, as the
 * repository's speed rule asks of hot paths (docs/toolchain.md "Speed"). The one writer of this
 * server's rows is this process.
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

export class OidcPayloadStore {
  readonly #rows = new Map<string, PayloadRow>();
  readonly #byGrant = new Map<string, Set<string>>();
  readonly #byUid = new Map<string, string>();

  private constructor(
    private readonly prisma: PrismaClient,
    readonly server: string,
  ) {}

  /** Loads this server's unexpired rows. */
  static async load(prisma: PrismaClient, server: string): Promise<OidcPayloadStore> {
    const store = new OidcPayloadStore(prisma, server);
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
  async upsert(input: NewPayloadRow): Promise<void> {
    const row: PayloadRow = { userCode: null, uid: null, ...input, consumedAt: this.#rows.get(input.id)?.consumedAt ?? null };
    const data = { server: this.server, kind: row.kind, payload: row.payload, grantId: row.grantId, userCode: row.userCode, uid: row.uid, expiresAt: row.expiresAt };
    await this.prisma.oidcPayload.upsert({ where: { id: row.id }, create: { id: row.id, ...data }, update: data });
    this.#put(row);
  }

  /** Creates a row that does not exist yet (one INSERT). */
  async create(input: NewPayloadRow): Promise<void> {
    const row: PayloadRow = { userCode: null, uid: null, ...input, consumedAt: null };
    await this.prisma.oidcPayload.create({ data: { id: row.id, server: this.server, kind: row.kind, payload: row.payload, grantId: row.grantId, userCode: row.userCode, uid: row.uid, expiresAt: row.expiresAt } });
    this.#put(row);
  }

  async consume(id: string): Promise<void> {
    const at = new Date();
    await this.prisma.oidcPayload.updateMany({ where: { id }, data: { consumedAt: at } });
    const row = this.#rows.get(id);
    if (row) row.consumedAt = at;
  }

  async delete(id: string): Promise<void> {
    await this.prisma.oidcPayload.deleteMany({ where: { id } });
    this.#forget(id);
  }

  /** Deletes every row of this server standing on `grantId`; returns those that were unexpired. */
  async deleteByGrant(grantId: string): Promise<PayloadRow[]> {
    await this.prisma.oidcPayload.deleteMany({ where: { server: this.server, grantId } });
    const now = Date.now();
    const removed: PayloadRow[] = [];
    for (const id of [...(this.#byGrant.get(grantId) ?? [])]) {
      const row = this.#forget(id);
      if (live(row, now)) removed.push(row!);
    }
    return removed;
  }

  /** Deletes expired rows of this server (call periodically). */
  async purgeExpired(): Promise<number> {
    const now = new Date();
    const { count } = await this.prisma.oidcPayload.deleteMany({ where: { server: this.server, expiresAt: { lt: now } } });
    for (const row of [...this.#rows.values()]) if (row.expiresAt && row.expiresAt.getTime() < now.getTime()) this.#forget(row.id);
    return count;
  }
}
