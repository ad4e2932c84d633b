/**
 * The migration authorizations this (partner) CMS holds, i.e. what primary systems shared over
 * CSC-17 (TS 23.280 clause 7.5.2.17; `MigrationAuthorization` rows of server `<serverName>`), in
 * memory for CSC-5 (TS 23.280 clause 7.5.2.5): the MCS asks on every migration service
 * authorization (TS 24.379 clause 7A), so the answer costs no database query and no JSON
 * serialization (the body is kept per row version).
 *
 * Loaded at start; written through by CSC-17 inbound: after its database write commits, it calls
 * `refresh(mcpttId)`, which re-reads that user's rows (off the hot path) and tells the other
 * instances of this CMS on the change feed (issue #17: replicas on one PostgreSQL database), which
 * re-read them too; after the feed lost notifications, every row is read again.
 */
import type { ChangeFeed, Database } from '@mcx/db';

/** The change-feed topic of held authorizations (key: the MCPTT ID). */
const HELD_TOPIC = 'held';

export interface HeldAuthorization {
  mcpttId: string;
  homeSystemId: string;
  partnerSystemId: string;
  profileSelector: string | null;
  accessProfiles: number[];
}

interface Held {
  authorization: HeldAuthorization;
  /** The CSC-5 answer body, serialized once. */
  json: string;
}

interface Row {
  mcpttId: string;
  homeSystemId: string;
  partnerSystemId: string;
  profileSelector: string | null;
  accessProfiles: string;
  status: string;
  updatedAt: Date;
}

export class HeldAuthorizations {
  #byUser = new Map<string, Held>();
  readonly #unsubscribe: () => void;

  private constructor(
    private readonly db: Database,
    private readonly serverName: string,
    private readonly feed: ChangeFeed | undefined,
  ) {
    this.#unsubscribe =
      feed?.subscribe(HELD_TOPIC, {
        change: (mcpttId) => void this.#reread(mcpttId).catch(() => undefined),
        resync: () => void this.#readAll().catch(() => undefined),
      }) ?? (() => undefined);
  }

  static async load(db: Database, serverName: string, feed?: ChangeFeed): Promise<HeldAuthorizations> {
    const held = new HeldAuthorizations(db, serverName, feed);
    await held.#readAll();
    return held;
  }

  close(): void {
    this.#unsubscribe();
  }

  async #readAll(): Promise<void> {
    const rows = await this.db.prisma.migrationAuthorization.findMany({ where: { server: this.serverName, status: 'authorized' }, orderBy: { updatedAt: 'asc' } });
    this.#byUser = new Map();
    for (const r of rows) this.#set(r); // the most recently updated row of a user wins
  }

  /** The authorization held for `mcpttId` (the latest one authorized), from memory. */
  get(mcpttId: string): { authorization: HeldAuthorization; json: string } | undefined {
    return this.#byUser.get(mcpttId);
  }

  /** Re-reads the rows of `mcpttId` after a committed CSC-17 write (share or revocation), here and in the other instances. */
  async refresh(mcpttId: string): Promise<void> {
    await this.#reread(mcpttId);
    await this.feed?.publish(HELD_TOPIC, mcpttId);
  }

  async #reread(mcpttId: string): Promise<void> {
    const row = await this.db.prisma.migrationAuthorization.findFirst({ where: { server: this.serverName, mcpttId, status: 'authorized' }, orderBy: { updatedAt: 'desc' } });
    if (row) this.#set(row);
    else this.#byUser.delete(mcpttId);
  }

  #set(r: Row): void {
    const authorization: HeldAuthorization = {
      mcpttId: r.mcpttId,
      homeSystemId: r.homeSystemId,
      partnerSystemId: r.partnerSystemId,
      profileSelector: r.profileSelector,
      accessProfiles: JSON.parse(r.accessProfiles) as number[],
    };
    this.#byUser.set(r.mcpttId, { authorization, json: JSON.stringify(authorization) });
  }
}
