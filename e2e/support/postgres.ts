/**
 * What the PostgreSQL-backed e2e suites share (e2e/postgres): the server under test
 * (MCX_TEST_DATABASE_URL, which `npm run test:postgres` sets), a URL whose database name is a fresh
 * prefix (the composition names the instance databases `<prefix>_<system>_<app>`), dropping those
 * databases afterwards, and the replica processes of an `mcx up --replicas` (the `mcx
 * system-process` children of a single-process layout, found in /proc).
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** The PostgreSQL server of the suite. */
export function testServer(): string {
  const server = process.env.MCX_TEST_DATABASE_URL;
  if (!server) throw new Error('MCX_TEST_DATABASE_URL is required (npm run test:postgres sets a default)');
  return server;
}

/** A fresh database prefix (`<name>_<random>`) and the `--db` URL that names it. */
export function prefixedDatabase(name: string): { prefix: string; url: string } {
  const prefix = `${name}_${randomBytes(4).toString('hex')}`;
  const u = new URL(testServer());
  u.pathname = `/${prefix}`;
  return { prefix, url: u.toString() };
}

/** The names of the databases `<prefix>_...` on the server. */
export async function databasesOf(prefix: string): Promise<string[]> {
  return withAdmin(async (client) => {
    const r = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1 ORDER BY datname', [`${prefix}_%`]);
    return r.rows.map((x) => x.datname);
  });
}

/** Drops every database `<prefix>_...` (connections still open to one are ended). */
export async function dropDatabases(prefix: string): Promise<void> {
  const names = await databasesOf(prefix);
  await withAdmin(async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(testServer());
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The pids of `mcx up`'s replica processes (`mcx system-process` children; in a single-process layout only replicas run so). */
export function replicaPids(parent: number): number[] {
  const ppidOf = (pid: string | number) => Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('system-process')) continue;
      // mcx up may run under its launcher (bin/mcx.js): a child or a grandchild of the spawned process.
      const ppid = ppidOf(entry);
      if (ppid === parent || ppidOf(ppid) === parent) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}
