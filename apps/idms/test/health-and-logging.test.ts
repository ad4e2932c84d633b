import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import { startIdms, type IdmsHandle } from '../src/index.ts';

// What every server shares (docs/server-contracts.md): the /healthz shape, and a pino logger the
// caller passes in, on which server errors and 5xx answers appear.
const ADMIN = 'idms-admin-token-under-test';
const lines: Record<string, unknown>[] = [];
let db: Database;
let idms: IdmsHandle;

beforeAll(async () => {
  db = await openTestDatabase();
  // Writes to the migration authorization table fail (a database gone away); everything else works
  // (the IdMS reads the table once, at start, and serves reads from memory).
  const prisma = new Proxy(db.prisma, {
    get(target, prop) {
      if (prop === 'migrationAuthorization') {
        return { findMany: () => db.prisma.migrationAuthorization.findMany(), upsert: () => Promise.reject(new Error('the database is unavailable')) };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  idms = await startIdms(
    { systemId: 'mcx-t', audiences: { cms: 'http://127.0.0.1:1/cms', gms: 'http://127.0.0.1:1/gms', mcs: 'sip:mcs@mcx-t.example' }, adminToken: ADMIN, scryptCost: 1024 },
    { db: { ...db, prisma }, logger },
  );
});
afterAll(async () => {
  await idms?.close();
  await db?.close();
});

const errors = () => lines.filter((l) => l['level'] === 50);

describe('IdMS health and logging', () => {
  it('answers /healthz with the shape of every server', async () => {
    const res = await fetch(`${idms.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, system: 'mcx-t', app: 'idms', database: 'available' });
  });

  it('logs on the logger it was given, tagged with the system and the app', () => {
    expect(lines).toContainEqual(expect.objectContaining({ level: 30, msg: 'idms listening', system: 'mcx-t', app: 'idms', url: idms.url }));
  });

  it('logs a 5xx answer at error level with its error, and does not log a refusal (4xx) as one', async () => {
    const refused = await fetch(`${idms.url}/admin/migration-authorizations`);
    expect(refused.status).toBe(401);
    expect(errors()).toEqual([]);

    const failed = await fetch(`${idms.url}/admin/migration-authorizations/${encodeURIComponent('sip:carol@mcx-s.example')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ homeSystemId: 'mcx-s', accessProfiles: [1] }),
    });
    expect(failed.status).toBe(500);
    await new Promise((r) => setImmediate(r)); // the line is written when the response has finished
    expect(errors()).toEqual([
      expect.objectContaining({
        msg: 'request failed',
        system: 'mcx-t',
        app: 'idms',
        method: 'PUT',
        url: `/admin/migration-authorizations/${encodeURIComponent('sip:carol@mcx-s.example')}`,
        status: 500,
        err: expect.objectContaining({ message: 'the database is unavailable' }),
      }),
    ]);
  });
});
