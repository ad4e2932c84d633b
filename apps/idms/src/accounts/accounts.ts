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

/**
 * The accounts of one database in memory, loaded at start and kept current by {@link upsertAccount}
 * (written through: the database first, then every view open on the same database handle), so a
 * token's MC IDs cost no query (our choice, docs/toolchain.md "Speed").
 */
export class Accounts {
  readonly #byId = new Map<string, Account>();
  readonly #byUsername = new Map<string, Account>();

  private constructor(private readonly prisma: PrismaClient) {}

  static async load(prisma: PrismaClient): Promise<Accounts> {
    const view = new Accounts(prisma);
    for (const row of await prisma.account.findMany()) view.apply(row);
    let set = views.get(prisma);
    if (!set) views.set(prisma, (set = new Set()));
    set.add(view);
    return view;
  }

  apply(row: Account): void {
    const previous = this.#byId.get(row.id);
    if (previous && previous.username !== row.username) this.#byUsername.delete(previous.username);
    this.#byId.set(row.id, row);
    this.#byUsername.set(row.username, row);
  }

  byId(id: string): McAccount | undefined {
    const row = this.#byId.get(id);
    return row ? toMcAccount(row) : undefined;
  }

  rowByUsername(username: string): Account | undefined {
    return this.#byUsername.get(username);
  }

  close(): void {
    views.get(this.prisma)?.delete(this);
  }
}

/** The views open on each database handle (one per running IdMS). */
const views = new WeakMap<PrismaClient, Set<Accounts>>();

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
  for (const view of views.get(db.prisma) ?? []) view.apply(row);
  return toMcAccount(row);
}

export async function findAccountById(db: { prisma: PrismaClient; accounts?: Accounts }, id: string): Promise<McAccount | undefined> {
  if (db.accounts) return db.accounts.byId(id);
  const row = await db.prisma.account.findUnique({ where: { id } });
  return row ? toMcAccount(row) : undefined;
}

/** Username/password check (TS 33.180 annex B.4: user authentication at the IdMS). */
export async function authenticate(
  db: { prisma: PrismaClient; accounts?: Accounts },
  username: string,
  password: string,
  scryptCost: number,
): Promise<McAccount | undefined> {
  const row = !username ? null : db.accounts ? (db.accounts.rowByUsername(username) ?? null) : await db.prisma.account.findUnique({ where: { username } });
  if (!row) {
    await verifyPassword(password, await dummyHash(scryptCost));
    return undefined;
  }
  return (await verifyPassword(password, row.passwordHash)) ? toMcAccount(row) : undefined;
}
