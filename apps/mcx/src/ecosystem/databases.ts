/**
 * One database per server instance (architecture.md "Storage"): embedded SQLite files
 * <dataDir>/<system>-<app>.db, or, with a PostgreSQL URL, one database per instance created on
 * that server (mcx_<system>_<app>) if it does not exist yet.
 */
import pg from 'pg';
import { openDatabase, type Database } from '@mcx/db';

function postgresDatabaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function ensurePostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
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
  const stem = `${options.systemId}-${options.app}`;
  if (options.database === 'embedded') return openDatabase({ dataDir: options.dataDir, name: stem });
  const name = `mcx_${stem.replace(/[^a-z0-9]/g, '_')}`;
  await ensurePostgresDatabase(options.database, name);
  return openDatabase({ url: postgresDatabaseUrl(options.database, name) });
}
