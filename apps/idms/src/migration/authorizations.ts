import type { MigrationAuthorization, PrismaClient } from '@mcx/db';

/**
 * Users authorized to migrate to this (partner) MC system (TS 23.280 clause 10.17.5, "users
 * authorized to migrate"). Rows are written by CMS-to-CMS migration sharing (CSC-17, through the
 * admin API) or seeded; the IdMS reads them when it exchanges a token, from an in-memory view
 * ({@link MigrationAuthorizations}) loaded at start and kept current by the writes of this module
 * (written through: the database first, then every view open on the same database handle).
 */
export interface AuthorizeMigrationInput {
  /** This (partner) system: the row's `server`/`partnerSystemId`. */
  partnerSystemId: string;
  homeSystemId: string;
  mcpttId: string;
  profileSelector?: string;
  accessProfiles?: unknown[];
  status?: 'authorized' | 'revoked';
  /** The `server` column; default the partner system id. */
  server?: string;
}

type Where = { partnerSystemId: string; homeSystemId: string; mcpttId: string };
const keyOf = (w: Where) => `${w.partnerSystemId}\n${w.homeSystemId}\n${w.mcpttId}`;

/** The rows of one database in memory, by (partner, home, MCPTT ID). */
export class MigrationAuthorizations {
  readonly #rows = new Map<string, Map<string, MigrationAuthorization>>();

  private constructor(private readonly prisma: PrismaClient) {}

  /** Loads every row and keeps the view current with this module's writes until {@link close}. */
  static async load(prisma: PrismaClient): Promise<MigrationAuthorizations> {
    const view = new MigrationAuthorizations(prisma);
    for (const row of await prisma.migrationAuthorization.findMany()) view.apply(row);
    let set = views.get(prisma);
    if (!set) views.set(prisma, (set = new Set()));
    set.add(view);
    return view;
  }

  apply(row: MigrationAuthorization): void {
    const key = keyOf(row);
    let rows = this.#rows.get(key);
    if (!rows) this.#rows.set(key, (rows = new Map()));
    rows.set(row.id, row);
  }

  /** The authorization in force (status `authorized`) of a user coming from `homeSystemId`. */
  find(where: Where): MigrationAuthorization | undefined {
    for (const row of this.#rows.get(keyOf(where))?.values() ?? []) if (row.status === 'authorized') return row;
    return undefined;
  }

  /** The rows of a partner system, by MCPTT ID. */
  list(partnerSystemId: string): MigrationAuthorization[] {
    return [...this.#rows.values()]
      .flatMap((m) => [...m.values()])
      .filter((r) => r.partnerSystemId === partnerSystemId)
      .sort((a, b) => (a.mcpttId < b.mcpttId ? -1 : a.mcpttId > b.mcpttId ? 1 : 0));
  }

  close(): void {
    views.get(this.prisma)?.delete(this);
  }
}

/** The views open on each database handle (one per running IdMS). */
const views = new WeakMap<PrismaClient, Set<MigrationAuthorizations>>();

function applyToViews(prisma: PrismaClient, rows: MigrationAuthorization[]): void {
  for (const view of views.get(prisma) ?? []) for (const row of rows) view.apply(row);
}

export async function authorizeMigration(db: { prisma: PrismaClient }, input: AuthorizeMigrationInput): Promise<MigrationAuthorization> {
  const server = input.server ?? input.partnerSystemId;
  const data = {
    partnerSystemId: input.partnerSystemId,
    profileSelector: input.profileSelector ?? null,
    accessProfiles: JSON.stringify(input.accessProfiles ?? []),
    status: input.status ?? 'authorized',
  };
  const row = await db.prisma.migrationAuthorization.upsert({
    where: { server_mcpttId_homeSystemId: { server, mcpttId: input.mcpttId, homeSystemId: input.homeSystemId } },
    create: { server, mcpttId: input.mcpttId, homeSystemId: input.homeSystemId, ...data },
    update: { ...data, version: { increment: 1 } },
  });
  applyToViews(db.prisma, [row]);
  return row;
}

/** Revokes the authorizations in force of a user coming from `homeSystemId`; how many there were. */
export async function revokeMigrationAuthorization(db: { prisma: PrismaClient }, where: Where): Promise<number> {
  const rows = await db.prisma.migrationAuthorization.findMany({ where: { ...where, status: 'authorized' } });
  const updated: MigrationAuthorization[] = [];
  for (const r of rows) {
    updated.push(await db.prisma.migrationAuthorization.update({ where: { id: r.id }, data: { status: 'revoked', version: { increment: 1 } } }));
  }
  applyToViews(db.prisma, updated);
  return updated.length;
}

/** The authorization of a user coming from `homeSystemId` to `partnerSystemId`, if it is in force (read from the database). */
export async function findMigrationAuthorization(prisma: PrismaClient, where: Where): Promise<MigrationAuthorization | undefined> {
  const row = await prisma.migrationAuthorization.findFirst({
    where: { partnerSystemId: where.partnerSystemId, homeSystemId: where.homeSystemId, mcpttId: where.mcpttId, status: 'authorized' },
  });
  return row ?? undefined;
}
