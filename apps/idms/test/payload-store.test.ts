// The IdMS's OIDC rows in memory, written through in group-committed batches: what a restart (a
// new store over the same database) finds is exactly what was acknowledged. SQLite, or PostgreSQL
// with MCX_TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConflict, type Database } from '@mcx/db';
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

describe('OidcPayloadStore batches', () => {
  const row = (id: string, more: Partial<Parameters<OidcPayloadStore['upsert']>[0]> = {}) => ({ id, kind: id.split(':')[0]!, payload: '{}', grantId: null, expiresAt: inAMinute(), ...more });

  it('changes memory only once the write committed, and writes Dates that Prisma reads back', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'batch-1');
    const expiresAt = new Date('2030-01-02T03:04:05.678Z');
    const writes = Array.from({ length: 300 }, (_, i) => store.upsert(row(`AccessToken:${i}`, { expiresAt, grantId: `g${i % 3}`, uid: `u${i}`, userCode: `c${i}` })));
    expect(store.get('AccessToken:0')).toBeUndefined();
    await Promise.all(writes);
    expect(store.size).toBe(300);
    const read = await db.prisma.oidcPayload.findUniqueOrThrow({ where: { id: 'AccessToken:7' } });
    expect(read).toMatchObject({ server: 'batch-1', kind: 'AccessToken', payload: '{}', grantId: 'g1', uid: 'u7', userCode: 'c7', consumedAt: null });
    expect(read.expiresAt?.toISOString()).toBe(expiresAt.toISOString());
    const consuming = store.consume('AccessToken:7');
    expect(store.get('AccessToken:7')?.consumedAt).toBeNull();
    await consuming;
    const consumedAt = store.get('AccessToken:7')!.consumedAt!;
    expect(consumedAt).toBeInstanceOf(Date);
    expect((await db.prisma.oidcPayload.findUniqueOrThrow({ where: { id: 'AccessToken:7' } })).consumedAt?.toISOString()).toBe(consumedAt.toISOString());
    expect((await OidcPayloadStore.load(db.prisma, 'batch-1')).findBy('AccessToken', { userCode: 'c7' })?.consumedAt?.toISOString()).toBe(consumedAt.toISOString());
  });

  it('fails only the create of an existing id, not the writes batched with it', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'batch-2');
    await store.create(row('MigrationAccessToken:dup', { payload: '{"first":true}' }));
    const results = await Promise.allSettled([
      store.upsert(row('Grant:a')),
      store.create(row('MigrationAccessToken:dup', { payload: '{"second":true}' })),
      store.create(row('MigrationAccessToken:new')),
      store.create(row('MigrationAccessToken:new')),
      store.upsert(row('Grant:b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(isConflict((results[1] as PromiseRejectedResult).reason)).toBe(true);
    expect(store.get('MigrationAccessToken:dup')?.payload).toBe('{"first":true}');
    expect([store.get('Grant:a'), store.get('Grant:b'), store.get('MigrationAccessToken:new')].every(Boolean)).toBe(true);
    expect(await db.prisma.oidcPayload.count({ where: { server: 'batch-2' } })).toBe(4);
    expect((await db.prisma.oidcPayload.findUniqueOrThrow({ where: { id: 'MigrationAccessToken:dup' } })).payload).toBe('{"first":true}');
  });

  it('keeps the order of the operations on one id within a batch, and an upsert keeps consumedAt', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'batch-3');
    await Promise.all([
      store.upsert(row('AuthorizationCode:x', { payload: '1' })),
      store.consume('AuthorizationCode:x'),
      store.upsert(row('AuthorizationCode:x', { payload: '2' })),
      store.upsert(row('AuthorizationCode:x', { payload: '3' })),
      store.upsert(row('Session:y')),
      store.delete('Session:y'),
      store.upsert(row('Session:y', { payload: 'again', uid: 'uid-y' })),
      store.delete('Session:z'),
    ]);
    const x = store.get('AuthorizationCode:x');
    expect(x).toMatchObject({ payload: '3', consumedAt: expect.any(Date) });
    expect(store.findBy('Session', { uid: 'uid-y' })?.payload).toBe('again');
    const rows = await db.prisma.oidcPayload.findMany({ where: { server: 'batch-3' }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.id, r.payload, r.consumedAt?.toISOString() ?? null])).toEqual([
      ['AuthorizationCode:x', '3', x!.consumedAt!.toISOString()],
      ['Session:y', 'again', null],
    ]);
  });

  it('deleteByGrant, purgeExpired and a later load see the writes queued before them', async () => {
    const store = await OidcPayloadStore.load(db.prisma, 'batch-4');
    void store.upsert(row('Grant:g', { grantId: 'g' }));
    void store.upsert(row('RefreshToken:r', { grantId: 'g' }));
    void store.upsert(row('AccessToken:expired', { grantId: 'g', expiresAt: new Date(Date.now() - 1000) }));
    const removed = await store.deleteByGrant('g');
    expect(removed.map((r) => r.id).sort()).toEqual(['Grant:g', 'RefreshToken:r']);
    expect(await db.prisma.oidcPayload.count({ where: { server: 'batch-4' } })).toBe(0);

    void store.upsert(row('Session:old', { expiresAt: new Date(Date.now() - 1000) }));
    void store.upsert(row('Session:live'));
    expect(await store.purgeExpired()).toBe(1);
    expect(store.size).toBe(1);
    expect(await db.prisma.oidcPayload.findMany({ where: { server: 'batch-4' } }).then((rs) => rs.map((r) => r.id))).toEqual(['Session:live']);

    void store.upsert(row('Session:queued'));
    const reloaded = await OidcPayloadStore.load(db.prisma, 'batch-4');
    expect(reloaded.get('Session:queued')).toBeDefined();
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
