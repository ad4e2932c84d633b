// CPU of the IdMS's OidcPayloadStore writes on a throw-away database (SQLite, or PostgreSQL with
// MCX_TEST_DATABASE_URL), as a migration makes them: per token, an upsert of its record, a consume
// and a delete, in bursts (many requests handled in one turn of the event loop) and one at a time
// (each awaited: nothing to batch). Prints CPU µs per write.
//   node --conditions=@mcx/source --import tsx apps/idms/bench/payload-store.ts [--n 3000] [--burst 50]
// STORE_MODULE=<absolute path, or relative to this file> measures another copy of the store (an A/B).
import { openTestDatabase } from '@mcx/db/testing';
import type { OidcPayloadStore } from '../src/storage/payload-store.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const n = arg('n', 3_000);
const burst = arg('burst', 50);
const storePath = process.env.STORE_MODULE ?? '../src/storage/payload-store.ts';
const { OidcPayloadStore: Store } = (await import(storePath)) as { OidcPayloadStore: typeof OidcPayloadStore };

const db = await openTestDatabase();
try {
  const store = await Store.load(db.prisma, 'idms');
  const expiresAt = () => new Date(Date.now() + 3_600_000);
  let seq = 0;
  /** One token's life: 3 writes. */
  const life = async (): Promise<void> => {
    const id = `AccessToken:${++seq}`;
    await store.upsert({ id, kind: 'AccessToken', payload: `{"jti":"${seq}","sub":"sip:user${seq}@mcx-a.example"}`, grantId: `g${seq}`, expiresAt: expiresAt() });
    await store.consume(id);
    await store.delete(id);
  };
  const measure = async (label: string, run: () => Promise<void>): Promise<void> => {
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    await run();
    const cpu = process.cpuUsage(t0);
    const us = (cpu.user + cpu.system) / (n * 3);
    console.log(`${label}: ${us.toFixed(0)} µs CPU per write (${n * 3} writes, ${(performance.now() - w0).toFixed(0)} ms wall)`);
  };
  // Warm-up (JIT, prepared statements).
  for (let i = 0; i < 200; i++) await life();
  await measure(`burst ${burst}`, async () => {
    for (let i = 0; i < n; i += burst) await Promise.all(Array.from({ length: Math.min(burst, n - i) }, life));
  });
  await measure('one at a time', async () => {
    for (let i = 0; i < n; i++) await life();
  });
} finally {
  await db.close();
}
