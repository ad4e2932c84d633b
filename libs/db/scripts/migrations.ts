/**
 * Developer and CI commands around the migration folders (README "Migrations").
 *
 *   migration:create <name>  apply the committed migrations to a throw-away database per
 *                            provider, diff it against prisma/models.prisma with the schema
 *                            engine (WASM) and write the SQL as prisma/migrations/<provider>/<ts>_<name>/
 *   migration:check          same diff; any difference is an error (exit 1, SQL printed)
 *
 * SQLite uses a temp file. PostgreSQL uses a throw-away database (mcx_migrate_<random>) on the
 * server named by MCX_TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { applyMigrations, migrationsDir } from '../src/migrate.ts';
import { createThrowAwayDatabase } from '../src/testing.ts';
import { pgConfigFromUrl, PROVIDERS, redactUrl, type Provider } from '../src/url.ts';
import { startEngine } from './engine.ts';
import { schemaPath, schemaText } from './schemas.ts';

export const DEFAULT_PG_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether a PostgreSQL server answers at `url`. */
export async function postgresReachable(url: string): Promise<boolean> {
  const c = new pg.Client({ ...pgConfigFromUrl(url), connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * Which PostgreSQL server to use: MCX_TEST_DATABASE_URL (must answer), else the local default
 * when it answers, else none.
 */
export async function resolvePostgresAdminUrl(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const configured = env.MCX_TEST_DATABASE_URL;
  if (configured) {
    if (!(await postgresReachable(configured))) throw new Error(`MCX_TEST_DATABASE_URL=${redactUrl(configured)} is set but the server does not answer`);
    return configured;
  }
  return (await postgresReachable(DEFAULT_PG_ADMIN_URL)) ? DEFAULT_PG_ADMIN_URL : undefined;
}

/**
 * SQL that would bring a database migrated with the committed migrations of `provider` to the
 * models ("" when they agree).
 */
export async function pendingModelChanges(provider: Provider, options: { pgAdminUrl?: string; migrationsDir?: string } = {}): Promise<string> {
  if (provider === 'postgresql' && !options.pgAdminUrl) throw new Error('PostgreSQL: no server (set MCX_TEST_DATABASE_URL)');
  const db = await createThrowAwayDatabase({ provider, adminUrl: options.pgAdminUrl }, 'mcx_migrate');
  try {
    await applyMigrations(db.url, { migrationsDir: options.migrationsDir ?? migrationsDir(provider) });
    const engine = await startEngine(provider, db.url, { path: schemaPath(provider), content: schemaText(provider) });
    try {
      return await engine.diffDatabaseToModels();
    } finally {
      engine.close();
    }
  } finally {
    await db.drop();
  }
}

export interface CheckResult {
  provider: Provider;
  /** "in-sync", "drift" (sql holds the missing migration) or "skipped" (no PostgreSQL server). */
  status: 'in-sync' | 'drift' | 'skipped';
  sql: string;
}

export async function checkMigrations(providers: readonly Provider[] = PROVIDERS, env: NodeJS.ProcessEnv = process.env): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const provider of providers) {
    let pgAdminUrl: string | undefined;
    if (provider === 'postgresql') {
      pgAdminUrl = await resolvePostgresAdminUrl(env);
      if (!pgAdminUrl) {
        results.push({ provider, status: 'skipped', sql: '' });
        continue;
      }
    }
    const sql = await pendingModelChanges(provider, { pgAdminUrl });
    results.push({ provider, status: sql ? 'drift' : 'in-sync', sql });
  }
  return results;
}

/** "Add subscription expiry" -> "add_subscription_expiry" (Prisma's folder naming). */
export function migrationSlug(name: string): string {
  const slug = name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  if (!slug) throw new Error(`migration name "${name}" has no letters or digits`);
  return slug;
}

function timestamp(d = new Date()): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

export async function createMigration(name: string, env: NodeJS.ProcessEnv = process.env): Promise<{ written: string[] }> {
  const slug = migrationSlug(name);
  const pgAdminUrl = await resolvePostgresAdminUrl(env);
  if (!pgAdminUrl) {
    throw new Error(
      `no PostgreSQL server at ${DEFAULT_PG_ADMIN_URL} and MCX_TEST_DATABASE_URL is unset: a migration must be written for both providers at once`,
    );
  }
  const changes = new Map<Provider, string>();
  for (const provider of PROVIDERS) changes.set(provider, await pendingModelChanges(provider, { pgAdminUrl }));
  if ([...changes.values()].every((sql) => sql === '')) return { written: [] };
  const folder = `${timestamp()}_${slug}`;
  const written: string[] = [];
  for (const provider of PROVIDERS) {
    const sql = changes.get(provider)!;
    if (!sql) continue; // a change that only one provider sees (rare, e.g. a type mapping)
    const root = migrationsDir(provider);
    mkdirSync(join(root, folder), { recursive: true });
    const lock = join(root, 'migration_lock.toml');
    if (!existsSync(lock)) {
      writeFileSync(lock, `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${provider}"\n`);
    }
    const file = join(root, folder, 'migration.sql');
    writeFileSync(file, sql);
    written.push(file);
  }
  return { written };
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'create') {
    const name = rest.join(' ');
    if (!name) {
      console.error('usage: npm run migration:create -w @mcx/db -- <name>');
      return 2;
    }
    const { written } = await createMigration(name);
    if (written.length === 0) console.log('models and migrations already agree: nothing to migrate, nothing written');
    else for (const f of written) console.log(`wrote ${f}`);
    return 0;
  }
  if (command === 'check') {
    let failed = false;
    for (const r of await checkMigrations()) {
      if (r.status === 'in-sync') console.log(`${r.provider}: migrations and models are in sync`);
      else if (r.status === 'skipped') console.log(`${r.provider}: SKIPPED, no PostgreSQL server (set MCX_TEST_DATABASE_URL; CI does)`);
      else {
        failed = true;
        console.error(`${r.provider}: migrations do not match the models; missing migration:\n${r.sql}`);
      }
    }
    if (failed) console.error('run: npm run db:migration:create -- <name>');
    return failed ? 1 : 0;
  }
  console.error('usage: migrations.ts create <name> | check');
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
