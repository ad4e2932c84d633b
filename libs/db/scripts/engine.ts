/**
 * Drives Prisma's schema engine (WASM build, @prisma/schema-engine-wasm) from Node through the
 * driver adapters, without the Rust binary the CLI would download (docs/toolchain.md, "Prisma
 * offline"). Used only by developers (migration:create) and CI (migration:check); the app applies
 * migration files itself (src/migrate.ts).
 *
 * Known engine bugs and how this module avoids them (docs/toolchain.md, "Prisma offline"):
 *  1. P1014 on diagnostics without _prisma_migrations: we never call the diagnostics; the
 *     database we diff has had the migrations applied by our own runner.
 *  2. SQLite shadow replay through executeRaw: we never use the shadow database (no
 *     `migrations` diff target); our runner replays migrations with executeScript semantics.
 *  3. PrismaPg {connectionString} vs database: we pass host/port/user/password/database fields.
 *  4. Shadow database dropped before its pool is closed: no shadow database is used;
 *     connectToShadowDb refuses.
 *  5. PrismaPg cannot read catalog columns of type "char" (OID 18) / name (OID 19): a pg.Client
 *     subclass reports those fields as text (OID 25) before the adapter maps them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';
import type * as EngineGlue from '@prisma/schema-engine-wasm';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { pgConfigFromUrl, sqlitePathFromUrl, type Provider } from '../src/url.ts';

// The wasm-bindgen glue; its default entry `import`s the .wasm, which Node 20 cannot do.
type Glue = typeof EngineGlue;

// The WebAssembly global, typed here: the repo's lib setting (ES2023, no DOM) does not declare it.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, unknown>) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let gluePromise: Promise<Glue> | undefined;

async function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    const bg = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as Glue & {
      __wbg_set_wasm(exports: Record<string, unknown>): void;
    };
    const pkgDir = dirname(fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm')));
    const module = new wasmApi.Module(readFileSync(join(pkgDir, 'schema_engine_bg.wasm')));
    const instance = new wasmApi.Instance(module, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return gluePromise;
}

/** pg.Client that reports "char" (18) and name (19) columns as text (bug 5). */
class CatalogFriendlyClient extends pg.Client {
  override query(...args: unknown[]): never {
    const fix = (r: pg.QueryResult | undefined): void => {
      for (const f of r?.fields ?? []) if (f.dataTypeID === 18 || f.dataTypeID === 19) f.dataTypeID = 25;
    };
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      // pg.Pool#query calls the client with a callback.
      args[last] = (err: unknown, r: pg.QueryResult) => {
        if (!err) fix(r);
        (callback as (e: unknown, r: pg.QueryResult) => void)(err, r);
      };
      return (super.query as (...a: unknown[]) => never)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) return result.then((r: pg.QueryResult) => (fix(r), r)) as never;
    return result as never;
  }
}

/** Adapter factory for the engine: main connection only, no shadow database (bugs 2-4). */
export function engineAdapterFactory(provider: Provider, url: string): SqlMigrationAwareDriverAdapterFactory {
  if (provider === 'sqlite') {
    const inner = new PrismaBetterSqlite3({ url: sqlitePathFromUrl(url) });
    return {
      provider: inner.provider,
      adapterName: inner.adapterName,
      connect: () => inner.connect(),
      connectToShadowDb: () => Promise.reject(new Error('no shadow database: migrations are replayed by src/migrate.ts')),
    };
  }
  const pool = new pg.Pool({ ...pgConfigFromUrl(url), Client: CatalogFriendlyClient, max: 2 });
  const inner = new PrismaPg(pool, { disposeExternalPool: true });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: () => inner.connect(),
    connectToShadowDb: () => Promise.reject(new Error('no shadow database: migrations are replayed by src/migrate.ts')),
  };
}

export interface Engine {
  /** SQL that turns the database at the engine's url into the datamodel ("" when in sync). */
  diffDatabaseToModels(): Promise<string>;
  /** SQL that creates the datamodel from nothing. */
  diffEmptyToModels(): Promise<string>;
  close(): void;
}

/** Starts a schema engine on `url` with one schema file (the provider's generated schema). */
export async function startEngine(provider: Provider, url: string, schema: { path: string; content: string }): Promise<Engine> {
  const glue = await loadGlue();
  const logs: string[] = [];
  const engine: SchemaEngine = await glue.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    (line: string) => {
      logs.push(line);
      if (process.env.MCX_ENGINE_DEBUG) console.error('[schema-engine]', line);
    },
    bindMigrationAwareSqlAdapterFactory(engineAdapterFactory(provider, url)),
  );
  const filters = { externalTables: [], externalEnums: [] };
  const to = { tag: 'schemaDatamodel' as const, files: [schema] };
  const diff = async (from: Parameters<SchemaEngine['diff']>[0]['from']): Promise<string> => {
    const result = await engine.diff({ from, to, script: true, exitCode: null, filters } as Parameters<SchemaEngine['diff']>[0]);
    return normalizeScript(result.stdout ?? '');
  };
  return {
    diffDatabaseToModels: () => diff({ tag: 'schemaDatasource', files: [schema], configDir: dirname(schema.path) }),
    diffEmptyToModels: () => diff({ tag: 'empty' }),
    close: () => engine.free(),
  };
}

/** The engine prints "-- This is an empty migration." for no change. */
export function normalizeScript(script: string): string {
  const trimmed = script.trim();
  if (trimmed === '' || trimmed === '-- This is an empty migration.') return '';
  return script.endsWith('\n') ? script : `${script}\n`;
}
