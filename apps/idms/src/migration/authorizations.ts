import type { MigrationAuthorization, PrismaClient } from '@mcx/db';

/**
 * Users authorized to migrate to this (partner) MC system (TS 23.280 clause 10.17.5, "users
 * authorized to migrate"). Rows are written by CMS-to-CMS migration sharing (CSC-17) or
 * seeded from the ecosystem file; the IdMS only reads them when it exchanges a token.
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

export async function authorizeMigration(db: { prisma: PrismaClient }, input: AuthorizeMigrationInput): Promise<MigrationAuthorization> {
  const server = input.server ?? input.partnerSystemId;
  const data = {
    partnerSystemId: input.partnerSystemId,
    profileSelector: input.profileSelector ?? null,
    accessProfiles: JSON.stringify(input.accessProfiles ?? []),
    status: input.status ?? 'authorized',
  };
  return db.prisma.migrationAuthorization.upsert({
    where: { server_mcpttId_homeSystemId: { server, mcpttId: input.mcpttId, homeSystemId: input.homeSystemId } },
    create: { server, mcpttId: input.mcpttId, homeSystemId: input.homeSystemId, ...data },
    update: { ...data, version: { increment: 1 } },
  });
}

/** The authorization of a user coming from `homeSystemId` to `partnerSystemId`, if it is in force. */
export async function findMigrationAuthorization(
  prisma: PrismaClient,
  where: { partnerSystemId: string; homeSystemId: string; mcpttId: string },
): Promise<MigrationAuthorization | undefined> {
  const row = await prisma.migrationAuthorization.findFirst({
    where: { partnerSystemId: where.partnerSystemId, homeSystemId: where.homeSystemId, mcpttId: where.mcpttId, status: 'authorized' },
  });
  return row ?? undefined;
}
