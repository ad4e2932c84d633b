/**
 * One database per server instance (architecture.md "Storage"): embedded SQLite files
 * <dataDir>/<system>-<app>.db, or, with a PostgreSQL URL, one database per instance created on
 * that server if it does not exist yet. The URL's database name is the prefix of the instance
 * databases (`postgres://host/lab` → `lab_mcx_a_cms`, ...); `postgres` or none gives `mcx_...`.
 */
import pg from 'pg';
import { openDatabase, type Database } from '@mcx/db';

export function postgresInstanceDatabase(
  serverUrl: string,
  systemId: string,
  app: string,
): { adminUrl: string; url: string; name: string } {
  const url = new URL(serverUrl);
  const given = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const prefix = !given || given === 'postgres' ? 'mcx' : given;
  const name = `${prefix}_${systemId}_${app}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const instance = new URL(serverUrl);
  instance.pathname = `/${name}`;
  return { adminUrl: admin.toString(), url: instance.toString(), name };
}

async function ensurePostgresDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

export async function openServerDatabase(options: {
  systemId: string;
  app: string;
  dataDir: string;
  database: string;
}): Promise<Database> {
  if (options.database === 'embedded')
    return openDatabase({ dataDir: options.dataDir, name: `${options.systemId}-${options.app}` });
  const target = postgresInstanceDatabase(options.database, options.systemId, options.app);
  await ensurePostgresDatabase(target.adminUrl, target.name);
  return openDatabase({ url: target.url });
}
