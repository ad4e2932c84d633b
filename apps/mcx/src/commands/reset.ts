/**
 * `mcx reset [--all] [--db URL]` and `mcx up --fresh`: put the seeded state back (our choice of
 * what that means): the databases of every server instance of the file's systems are removed, so
 * the next `mcx up` seeds accounts, documents and groups from the file again; the UE host's data
 * folder (the UEs' local copies) goes too. The lab CA (`tls/`) and the generated credentials
 * (`secrets/`: admin credentials, the control secret) are kept, so browsers, curl --cacert and
 * bookmarked console links keep working, unless `--all`, which empties the data directory.
 * Refused while an ecosystem runs on that data directory.
 *
 * Steps: refuseWhileRunning → removeEmbeddedDatabases → dropPostgresDatabases → removeUeHostData
 * → (--all) removeEverything.
 */
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dropPostgresInstanceDatabase } from '@mcx/mc-system';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { load, type Loaded } from './options.ts';

/** The server kinds that own a database (`InstanceDatabases.open` in @mcx/mc-system; the MCS has none). */
const APPS_WITH_A_DATABASE = ['idms', 'cms', 'gms'] as const;

export interface ResetOptions {
  config?: string | undefined;
  /** A postgres:// URL: the databases `mcx up --db URL` created there are dropped. */
  db?: string | undefined;
  /** Also the lab CA (tls/) and the generated credentials (secrets/): the whole data directory. */
  all?: boolean | undefined;
}

function refuseWhileRunning(loaded: Loaded): void {
  const runtime = readRuntime(loaded.dataDir);
  if (runtime)
    throw new Error(
      `an ecosystem runs on ${loaded.dataDir} (pid ${runtime.pid}): stop it first (Ctrl-C in its terminal, or kill -TERM ${runtime.pid}), then run mcx reset again`,
    );
}

/** <dataDir>/<system>-<app>.db and its SQLite companions (-wal, -shm, -journal). */
function removeEmbeddedDatabases(loaded: Loaded, removed: string[]): void {
  if (!existsSync(loaded.dataDir)) return;
  const ids = new Set(loaded.ecosystem.systems.map((s) => s.id));
  for (const name of readdirSync(loaded.dataDir)) {
    const m = /^(.+)-([a-z]+)\.db(-wal|-shm|-journal)?$/.exec(name);
    if (!m || !ids.has(m[1]!) || !(APPS_WITH_A_DATABASE as readonly string[]).includes(m[2]!)) continue;
    rmSync(join(loaded.dataDir, name), { force: true });
    removed.push(join(loaded.dataDir, name));
  }
}

/** The instance databases on PostgreSQL (--db, or a system whose `database:` is a postgres:// URL). */
async function dropPostgresDatabases(
  loaded: Loaded,
  db: string | undefined,
  removed: string[],
): Promise<void> {
  for (const s of loaded.ecosystem.systems) {
    const setting = db ?? s.database;
    if (!/^postgres(ql)?:\/\//.test(setting)) continue;
    for (const app of APPS_WITH_A_DATABASE) {
      const { dropped, name } = await dropPostgresInstanceDatabase(setting, s.id, app);
      if (dropped) removed.push(`PostgreSQL database ${name} on ${new URL(setting).host}`);
    }
  }
}

function removePath(path: string, removed: string[]): void {
  if (!existsSync(path)) return;
  const directory = statSync(path).isDirectory();
  rmSync(path, { recursive: true, force: true });
  removed.push(directory ? `${path}/` : path);
}

/** Puts the seeded state back; returns what it removed. */
export async function resetDataDirectory(loaded: Loaded, options: ResetOptions): Promise<string[]> {
  refuseWhileRunning(loaded);
  const removed: string[] = [];
  removeEmbeddedDatabases(loaded, removed);
  await dropPostgresDatabases(loaded, options.db, removed);
  removePath(join(loaded.dataDir, 'ue-host'), removed);
  if (options.all && existsSync(loaded.dataDir))
    for (const name of readdirSync(loaded.dataDir)) removePath(join(loaded.dataDir, name), removed);
  return removed;
}

export async function resetCommand(options: ResetOptions): Promise<number> {
  if (options.db && !/^postgres(ql)?:\/\//.test(options.db)) throw new Error('--db takes a postgres:// URL');
  const loaded = load(options.config);
  const removed = await resetDataDirectory(loaded, options);
  process.stdout.write(
    removed.length === 0
      ? `mcx reset: nothing to remove in ${loaded.dataDir}; the next mcx up seeds from ${loaded.file}\n`
      : `mcx reset: removed\n${removed.map((r) => `  ${r}\n`).join('')}the next mcx up seeds from ${loaded.file}` +
          `${options.all ? '' : ` (kept ${join(loaded.dataDir, 'tls')} and ${join(loaded.dataDir, 'secrets')}; --all removes them too)`}\n`,
  );
  return 0;
}
