// The IdMS's OIDC rows in memory, written through: what a restart (a new store over the same
// database) finds is exactly what was acknowledged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { OidcPayloadStore } from '../src/storage/payload-store.ts';
import { Accounts, upsertAccount } from '../src/accounts/accounts.ts';
import { authorizeMigration, MigrationAuthorizations, revokeMigrationAuthorization } from '../src/migration/authorizations.ts';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

const inAMinute = () => new Date(Date.now() + 60_000);

describe('OidcPayloadStore', () => {
  it('serves what it wrote from memory and a store loaded after a restart finds the same rows', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'idms');
    await store.upsert({ id: 'Grant:g1', kind: 'Grant', payload: '{"a":1}', grantId: 'g1', expiresAt: inAMinute() });
    await store.upsert({ id: 'RefreshToken:r1', kind: 'RefreshToken', payload: '{"r":1}', grantId: 'g1', expiresAt: inAMinute() });
    await store.upsert({ id: 'Session:s1', kind: 'Session', payload: '{}', grantId: null, uid: 'uid-1', expiresAt: inAMinute() });
    await store.upsert({ id: 'AuthorizationCode:c1', kind: 'AuthorizationCode', payload: '{}', grantId: null, expiresAt: inAMinute() });
    await store.consume('AuthorizationCode:c1');
    // A later save of a consumed row keeps it consumed.
    await store.upsert({ id: 'AuthorizationCode:c1', kind: 'AuthorizationCode', payload: '{"x":2}', grantId: null, expiresAt: inAMinute() });
    await store.upsert({ id: 'Session:old', kind: 'Session', payload: '{}', grantId: null, expiresAt: new Date(Date.now() - 1000) });
    expect(store.get('Grant:g1')?.payload).toBe('{"a":1}');
    expect(store.findBy('Session', { uid: 'uid-1' })?.id).toBe('Session:s1');
    expect(store.get('Session:old')).toBeUndefined();

    const restarted = await OidcPayloadStore.load(db.prisma, 'idms');
    expect(restarted.get('RefreshToken:r1')?.payload).toBe('{"r":1}');
    expect(restarted.findBy('Session', { uid: 'uid-1' })?.id).toBe('Session:s1');
    expect(restarted.get('AuthorizationCode:c1')).toMatchObject({ payload: '{"x":2}', consumedAt: expect.any(Date) });
    expect(restarted.get('Session:old')).toBeUndefined();
    expect(await OidcPayloadStore.load(db.prisma, 'other-server').then((s) => s.size)).toBe(0);

    const removed = await store.deleteByGrant('g1');
    expect(removed.map((r) => r.id).sort()).toEqual(['Grant:g1', 'RefreshToken:r1']);
    expect(store.get('Grant:g1')).toBeUndefined();
    expect(await db.prisma.oidcPayload.count({ where: { grantId: 'g1' } })).toBe(0);
    await store.delete('Session:s1');
    expect((await OidcPayloadStore.load(db.prisma, 'idms')).findBy('Session', { uid: 'uid-1' })).toBeUndefined();
  });
});

describe('accounts and migration authorizations in memory', () => {
  it('a view sees the writes made through this package on the same database handle', async () => {
    const accounts = await Accounts.load(db.prisma);
    const authorizations = await MigrationAuthorizations.load(db.prisma);
    const dave = await upsertAccount(db, { username: 'dave', password: 'correct horse', mcpttId: 'sip:dave@mcx-a.example', entitlements: ['mcptt'], scryptCost: 1024 });
    expect(accounts.byId(dave.id)?.mcpttId).toBe('sip:dave@mcx-a.example');
    await upsertAccount(db, { username: 'dave', password: 'correct horse', mcpttId: 'sip:dave2@mcx-a.example', entitlements: ['mcptt'], scryptCost: 1024 });
    expect(accounts.rowByUsername('dave')?.mcpttId).toBe('sip:dave2@mcx-a.example');

    const where = { partnerSystemId: 'mcx-b', homeSystemId: 'mcx-a', mcpttId: 'sip:dave@mcx-a.example' };
    expect(authorizations.find(where)).toBeUndefined();
    await authorizeMigration(db, { ...where, accessProfiles: [1] });
    expect(authorizations.find(where)?.accessProfiles).toBe('[1]');
    expect(await revokeMigrationAuthorization(db, where)).toBe(1);
    expect(authorizations.find(where)).toBeUndefined();
    expect(authorizations.list('mcx-b').map((r) => r.status)).toEqual(['revoked']);
    // A view loaded later (a restart) reads the same from the database.
    const reloaded = await MigrationAuthorizations.load(db.prisma);
    expect(reloaded.list('mcx-b').map((r) => r.status)).toEqual(['revoked']);
    accounts.close();
    authorizations.close();
    reloaded.close();
  });
});
