/**
 * The migration authorizations this (partner) CMS holds, i.e. what primary systems shared over
 * CSC-17 (TS 23.280 clause 7.5.2.17; `MigrationAuthorization` rows of server `<serverName>`), in
 * memory for CSC-5 (TS 23.280 clause 7.5.2.5): the MCS asks on every migration service
 * authorization (TS 24.379 clause 7A), so the answer costs no database query and no JSON
 * serialization (the body is kept per row version).
 *
 * Loaded at start; written through by CSC-17 inbound: after its database write commits, it calls
 * `refresh(mcpttId)`, which re-reads that user's rows (off the hot path). Like the document store,
 * this assumes one CMS instance per database (today's deployment, PostgreSQL included): a row
 * written by another instance is seen here only after that instance's next refresh of the user
 * or a restart (several instances per database are a later issue).
 */
import type { Database } from '@mcx/db';

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
  readonly #byUser = new Map<string, Held>();

  private constructor(
    private readonly db: Database,
    private readonly serverName: string,
  ) {}

  static async load(db: Database, serverName: string): Promise<HeldAuthorizations> {
    const held = new HeldAuthorizations(db, serverName);
    const rows = await db.prisma.migrationAuthorization.findMany({ where: { server: serverName, status: 'authorized' }, orderBy: { updatedAt: 'asc' } });
    for (const r of rows) held.#set(r); // the most recently updated row of a user wins
    return held;
  }

  /** The authorization held for `mcpttId` (the latest one authorized), from memory. */
  get(mcpttId: string): { authorization: HeldAuthorization; json: string } | undefined {
    return this.#byUser.get(mcpttId);
  }

  /** Re-reads the rows of `mcpttId` after a committed CSC-17 write (share or revocation). */
  async refresh(mcpttId: string): Promise<void> {
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
