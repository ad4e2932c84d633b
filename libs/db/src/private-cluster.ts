/**
 * A private PostgreSQL cluster for fault tests and `mcx bench faults` (`@mcx/db/testing`): its own
 * data directory in a temp dir, its own free port on 127.0.0.1, trust authentication, started and
 * stopped with the distribution's `initdb` / `pg_ctl`. Stopping it is a real database outage
 * for whatever is connected to it, without touching the machine's shared PostgreSQL.
 *
 * When run as root the cluster runs as the `postgres` OS user (`runuser`), as PostgreSQL refuses
 * to run as root.
 */
import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivateCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: an admin URL (databases may be created). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** `pg_ctl stop -m fast`: every connection is terminated (SQLSTATE 57P01), new ones are refused. */
  stop(): Promise<void>;
  /** `pg_ctl start` on the same data directory and port. */
  start(): Promise<void>;
  /** Stops the cluster (if running) and removes its directory. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL server binaries installed (Debian layout /usr/lib/postgresql/<major>/bin), or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(root, majors[0], 'bin') : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Creates and starts a private cluster; throws when no PostgreSQL server binaries are installed. */
export async function startPrivateCluster(): Promise<PrivateCluster> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('private PostgreSQL cluster: no server binaries under /usr/lib/postgresql/<major>/bin');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'mcx-pg-'));
  const dataDir = join(dir, 'data');
  const log = join(dir, 'postgres.log');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const exec = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // Our choice: no fsync (a throw-away cluster), sockets in the cluster's own directory, enough connections for two systems.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  let running = false;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async start() {
      await exec('pg_ctl', ['-D', dataDir, '-l', log, '-o', options, '-w', 'start']);
      running = true;
    },
    async stop() {
      await exec('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return cluster;
}
