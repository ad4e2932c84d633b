import type { Account, PrismaClient } from '@mcx/db';
import type { McService } from '@mcx/auth';
import { dummyHash, hashPassword, verifyPassword } from './password.ts';

/** An IdM account as the IdMS uses it (TS 33.180 annex B: the MC user and its service IDs). */
export interface McAccount {
  id: string;
  username: string;
  mcpttId: string | undefined;
  mcvideoId: string | undefined;
  mcdataId: string | undefined;
  displayName: string | undefined;
  entitlements: Set<McService>;
}

export interface UpsertAccountInput {
  username: string;
  password: string;
  mcpttId?: string;
  mcvideoId?: string;
  mcdataId?: string;
  displayName?: string;
  entitlements?: McService[];
  /** scrypt N (default 2^15). */
  scryptCost?: number;
}

const SERVICES: readonly McService[] = ['mcptt', 'mcvideo', 'mcdata'];

export function toMcAccount(row: Account): McAccount {
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.entitlements);
  } catch {
    parsed = [];
  }
  const entitlements = new Set<McService>(
    (Array.isArray(parsed) ? parsed : []).filter((s): s is McService => SERVICES.includes(s as McService)),
  );
  return {
    id: row.id,
    username: row.username,
    mcpttId: row.mcpttId ?? undefined,
    mcvideoId: row.mcvideoId ?? undefined,
    mcdataId: row.mcdataId ?? undefined,
    displayName: row.displayName ?? undefined,
    entitlements,
  };
}

/** Creates or updates an account (admin / ecosystem seeding). The password is stored as an scrypt hash. */
export async function upsertAccount(db: { prisma: PrismaClient }, input: UpsertAccountInput): Promise<McAccount> {
  const passwordHash = await hashPassword(input.password, input.scryptCost);
  const data = {
    passwordHash,
    mcpttId: input.mcpttId ?? null,
    mcvideoId: input.mcvideoId ?? null,
    mcdataId: input.mcdataId ?? null,
    displayName: input.displayName ?? null,
    entitlements: JSON.stringify(input.entitlements ?? []),
  };
  const row = await db.prisma.account.upsert({
    where: { username: input.username },
    create: { username: input.username, ...data },
    update: data,
  });
  return toMcAccount(row);
}

export async function findAccountById(db: { prisma: PrismaClient }, id: string): Promise<McAccount | undefined> {
  const row = await db.prisma.account.findUnique({ where: { id } });
  return row ? toMcAccount(row) : undefined;
}

/** Username/password check (TS 33.180 annex B.4: user authentication at the IdMS). */
export async function authenticate(
  db: { prisma: PrismaClient },
  username: string,
  password: string,
  scryptCost: number,
): Promise<McAccount | undefined> {
  const row = username ? await db.prisma.account.findUnique({ where: { username } }) : null;
  if (!row) {
    await verifyPassword(password, await dummyHash(scryptCost));
    return undefined;
  }
  return (await verifyPassword(password, row.passwordHash)) ? toMcAccount(row) : undefined;
}
