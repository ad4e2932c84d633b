/** Database URLs: "postgres://" / "postgresql://" select PostgreSQL, "file:" selects embedded SQLite. */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PoolConfig } from 'pg';

export const PROVIDERS = ['sqlite', 'postgresql'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function providerOf(url: string): Provider {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (/^file:/i.test(url)) return 'sqlite';
  throw new Error(`unsupported database url "${redactUrl(url)}": expected postgres://, postgresql:// or file:`);
}

/** "file:/abs/x.db", "file:///abs/x.db", "file:rel/x.db" (relative to the cwd) -> absolute path. */
export function sqlitePathFromUrl(url: string): string {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url.replace(/\?.*$/, ''));
  const path = decodeURIComponent(url.replace(/^file:/i, '').replace(/\?.*$/, ''));
  if (path === '' || path === ':memory:') throw new Error('an in-memory SQLite database cannot be shared with the migration runner');
  return isAbsolute(path) ? path : resolve(path);
}

export function sqliteUrlFromPath(path: string): string {
  return pathToFileURL(resolve(path)).href;
}

/**
 * pg settings as separate fields (host, port, user, password, database): pg lets
 * `connectionString` win over `database`, which breaks anything that switches databases
 * (docs/toolchain.md, "Prisma offline", engine bug 3).
 */
export function pgConfigFromUrl(url: string): PoolConfig {
  const u = new URL(url);
  const config: PoolConfig = {
    host: decodeURIComponent(u.hostname).replace(/^\[(.*)\]$/, '$1') || u.searchParams.get('host') || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
  };
  if (u.username) config.user = decodeURIComponent(u.username);
  if (u.password) config.password = decodeURIComponent(u.password);
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode === 'require' || sslmode === 'no-verify') config.ssl = { rejectUnauthorized: false };
  else if (sslmode === 'verify-ca' || sslmode === 'verify-full') config.ssl = true;
  return config;
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.href;
}

/** The url without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return url;
  }
}
