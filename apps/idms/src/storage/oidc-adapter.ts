import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { PrismaClient } from '@mcx/db';

/**
 * oidc-provider storage (sessions, interactions, grants, authorization codes, refresh tokens)
 * in the OidcPayload table, so nothing a user holds is lost on restart (architecture: "IdM
 * accounts ... are in the database"). Rows are keyed "<kind>:<id>" and scoped by server name.
 */
export function prismaAdapterFactory(prisma: PrismaClient, server: string): new (name: string) => Adapter {
  return class PrismaOidcAdapter implements Adapter {
    constructor(readonly name: string) {}

    #key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const key = this.#key(id);
      const data = {
        server,
        kind: this.name,
        payload: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      await prisma.oidcPayload.upsert({ where: { id: key }, create: { id: key, ...data }, update: data });
    }

    async #findWhere(where: { id?: string; uid?: string; userCode?: string }): Promise<AdapterPayload | undefined> {
      const row =
        where.id !== undefined
          ? await prisma.oidcPayload.findUnique({ where: { id: where.id } })
          : await prisma.oidcPayload.findFirst({ where: { ...where, server, kind: this.name } });
      if (!row || row.server !== server) return undefined;
      if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
      return payload;
    }

    find(id: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere({ id: this.#key(id) });
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere({ uid });
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.#findWhere({ userCode });
    }

    async consume(id: string): Promise<void> {
      await prisma.oidcPayload.updateMany({ where: { id: this.#key(id) }, data: { consumedAt: new Date() } });
    }

    async destroy(id: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { id: this.#key(id) } });
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await prisma.oidcPayload.deleteMany({ where: { server, grantId } });
    }
  };
}

/** Deletes expired rows of this server (call periodically). */
export async function purgeExpired(prisma: PrismaClient, server: string): Promise<number> {
  const { count } = await prisma.oidcPayload.deleteMany({ where: { server, expiresAt: { lt: new Date() } } });
  return count;
}
