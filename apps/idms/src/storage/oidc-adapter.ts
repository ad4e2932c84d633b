import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcPayloadStore, PayloadRow } from './payload-store.ts';

/**
 * oidc-provider storage (sessions, interactions, grants, authorization codes, refresh tokens)
 * in the OidcPayload table, so nothing a user holds is lost on restart (architecture: "IdM
 * accounts ... are in the database"). Rows are keyed "<kind>:<id>" and scoped by server name;
 * reads come from the in-memory view ({@link OidcPayloadStore}), writes go through to the database.
 */
export function oidcAdapterFactory(store: OidcPayloadStore, hooks: { grantRevoked?: (rows: PayloadRow[]) => Promise<void> } = {}): new (name: string) => Adapter {
  return class OidcAdapter implements Adapter {
    constructor(readonly name: string) {}

    #key(id: string): string {
      return `${this.name}:${id}`;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await store.upsert({
        id: this.#key(id),
        kind: this.name,
        payload: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      });
    }

    #payloadOf(row: PayloadRow | undefined): AdapterPayload | undefined {
      if (!row) return undefined;
      const payload = JSON.parse(row.payload) as AdapterPayload;
      if (row.consumedAt) payload.consumed = Math.floor(row.consumedAt.getTime() / 1000);
      return payload;
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      return this.#payloadOf(store.get(this.#key(id)));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#payloadOf(store.findBy(this.name, { uid }));
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.#payloadOf(store.findBy(this.name, { userCode }));
    }

    async consume(id: string): Promise<void> {
      await store.consume(this.#key(id));
    }

    async destroy(id: string): Promise<void> {
      await store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      const removed = await store.deleteByGrant(grantId);
      if (removed.length) await hooks.grantRevoked?.(removed);
    }
  };
}
