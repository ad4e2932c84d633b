/**
 * `mcx bench migration --ues N [--scrypt-cost C] [--profile FILE] [--processes P] [--ue-hosts H] [--db URL] [--replicas R] [--json]`:
 * boots the two MC systems of the ecosystem file in this process, or each in its own with `--processes
 * per-system` (CPU and peak RSS then summed over the processes), on free ports and a temporary data directory, with N
 * distinct generated users (bench-ecosystem.ts) hashed at scrypt cost C (default 1024, reported as
 * `scrypt_cost`), brings N UEs online (one per user), changes every PLMN at once and prints what
 * it measured (apps/ue/src/bench/migration-bench.ts) as JSON on standard output; progress goes to
 * standard error. Exit 1 when a UE failed (the reasons are in `failures`).
 *
 * `--ue-hosts H`: the UEs run in H UE host processes (ue-host-processes.ts) instead of the UE host of
 * this process, each with a contiguous share; their CPU and peak RSS are summed with the others' and
 * reported per host in `ue_hosts`. Default {@link defaultUeHosts}: one UE host process on a machine
 * with two cores or more (issue #14: "every core used", the bench uses it), so that the simulated UEs
 * do not share the servers' event loop; `--ue-hosts 0` keeps the UE host in this process.
 *
 * `--db postgres://...`: the servers' databases on that PostgreSQL server instead of the file's
 * setting, named `<prefix>_<system>_<app>` (@mcx/mc-system databases.ts) under a fresh prefix
 * `mcx_bench_<random>` per run, created by the composition and all dropped at the end (WITH (FORCE)),
 * whatever happened.
 *
 * `--replicas R` (2 or more; PostgreSQL, by default postgres://postgres@127.0.0.1:5432/): two rounds
 * in one invocation, each booting its own ecosystem on a prefix of its own, with the same users and
 * UE hosts and measured the same way: round A with one instance of each server (the single-instance
 * reference, on PostgreSQL too), round B with R instances of each system's CMS, GMS and MCS behind
 * the HAProxy/Kamailio fronts (`mcx up --replicas`). The report is round B's, with `replicas`,
 * round A's numbers in `single_instance` and `rate_ratio` (B's rate over A's). The replica
 * processes (instances 2..R) and the fronts are in the CPU and peak RSS sums of both rounds where
 * they run. Exit 1 when a UE failed in either round.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { runMigrationBench, type MigrationBenchResult } from '@mcx/ue';
import { startEcosystem, type Processes, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import type { SystemsView } from '../ecosystem/systems-view.ts';
import type { ProcessUsage } from '../ecosystem/system-processes.ts';
import type { StopProfiles } from '../ecosystem/child-profiles.ts';
import type { UeHostProcesses } from '../ecosystem/ue-host-processes.ts';
import { ueHostSystemsOf } from '../ecosystem/ue-host-remote.ts';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { benchEcosystem, benchUsername } from './bench-ecosystem.ts';
import { frontUsage } from './front-usage.ts';
import { load } from './options.ts';

/** The bench's password hash cost: scrypt's lowest sensible N, so that logins do not hide the migration. */
export const BENCH_SCRYPT_COST = 1024;

/** The PostgreSQL server of `--replicas` without `--db` (the local server .ci/run starts). */
export const BENCH_DEFAULT_DATABASE = 'postgres://postgres@127.0.0.1:5432/';

export interface MigrationBenchArgs {
  config?: string;
  ues: number;
  json: boolean;
  scryptCost?: number;
  profile?: string;
  processes?: Processes;
  ueHosts?: number;
  /** A postgres:// server URL: the instance databases there, under a fresh prefix, dropped at the end. */
  db?: string;
  /** 2 or more: round A with one instance, round B with this many (see above). */
  replicas?: number;
}

type Usage = { usage(reset?: boolean): Promise<{ name: string; cpuMicros: number; peakRssBytes: number }[]> };

/** `s` with its LIKE wildcards (`_`, `%`) and the escape character escaped (PostgreSQL's default escape `\`). */
const likeLiteral = (s: string) => s.replace(/[\\_%]/g, (c) => `\\${c}`);

/** The server URL with `database` as its database name: the composition's prefix of the instance databases. */
function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops every database named `<prefix>_...` on the server (connections still open to one are ended); their names. */
export async function dropBenchDatabases(serverUrl: string, prefix: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const found = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${likeLiteral(prefix)}\\_%`]);
    for (const { datname } of found.rows) await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
    return found.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

/**
 * UE host processes when `--ue-hosts` is not given: 1 with two cores or more, else 0 (the UE host in
 * this process). Our choice, measured on 2 cores (docs/performance.md): the systems in this process
 * and the UEs in another beat one process by about 1.3-1.6x in rate; a process per MC system on top
 * of that did not pay on 2 cores.
 */
export function defaultUeHosts(cores = availableParallelism()): number {
  return cores >= 2 ? 1 : 0;
}

interface Round {
  report: Record<string, unknown> & MigrationBenchResult;
  failed: boolean;
}

export async function migrationBench(args: MigrationBenchArgs): Promise<number> {
  if (!Number.isInteger(args.ues) || args.ues < 1) throw new Error('--ues takes a positive integer');
  if (args.ueHosts !== undefined && (!Number.isInteger(args.ueHosts) || args.ueHosts < 0)) throw new Error('--ue-hosts takes 0 or a positive integer');
  const ueHosts = args.ueHosts ?? defaultUeHosts();
  args = { ...args, ...(ueHosts > 0 ? { ueHosts } : { ueHosts: undefined }) };
  if (args.replicas !== undefined && (!Number.isInteger(args.replicas) || args.replicas < 2 || args.replicas > 8)) throw new Error('mcx bench migration: --replicas takes 2 to 8');
  const server = args.db ?? (args.replicas !== undefined ? BENCH_DEFAULT_DATABASE : undefined);
  if (server !== undefined && !/^postgres(ql)?:\/\//.test(server)) throw new Error('--db takes a postgres:// URL');
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  // One prefix per run; each round adds a letter of its own (its databases `<prefix>_<round>_<system>_<app>`).
  const prefix = `mcx_bench_${randomBytes(5).toString('hex')}`;
  try {
    if (args.replicas === undefined) {
      const round = await migrationRound(args, { progress, ...(server ? { database: withDatabase(server, `${prefix}_a`) } : {}) });
      print(args, round.report);
      return round.failed ? 1 : 0;
    }
    progress(`round A of 2: one instance of each server (the single-instance reference), PostgreSQL databases ${prefix}_a_*`);
    const a = await migrationRound(args, { progress: (line) => progress(`[A] ${line}`), replicas: 1, database: withDatabase(server!, `${prefix}_a`) });
    progress(`round A: ${a.report.rate_per_s}/s, ${a.report.cpu_ms_per_migration} ms CPU per migration, ${a.report.failed} failed`);
    progress(`round B of 2: ${args.replicas} instances of each CMS, GMS and MCS behind HAProxy and Kamailio, PostgreSQL databases ${prefix}_b_*`);
    const b = await migrationRound(args, { progress: (line) => progress(`[B] ${line}`), replicas: args.replicas, database: withDatabase(server!, `${prefix}_b`) });
    const ra = a.report;
    progress(`round B: ${b.report.rate_per_s}/s, ${b.report.cpu_ms_per_migration} ms CPU per migration, ${b.report.failed} failed`);
    const report = {
      ...b.report,
      replicas: args.replicas,
      // Round A, measured like round B: the reference the ratio is taken against.
      single_instance: {
        replicas: 1,
        ues: ra.ues,
        ok: ra.ok,
        failed: ra.failed,
        online_failed: ra.online_failed,
        setup_ms: ra['setup_ms'],
        wall_ms: ra.wall_ms,
        rate_per_s: ra.rate_per_s,
        p50_ms: ra.p50_ms,
        p99_ms: ra.p99_ms,
        max_ms: ra.max_ms,
        cpu_ms_per_migration: ra.cpu_ms_per_migration,
        online_rate_per_s: ra.online_rate_per_s,
        peak_rss_bytes: ra.peak_rss_bytes,
        processes: ra.processes,
        ...(ra.process_usage ? { process_usage: ra.process_usage } : {}),
        loadavg_before: ra.loadavg_before,
        ...(ra.failures.length ? { failures: ra.failures } : {}),
      },
      // null when round A migrated nobody (no rate to compare with).
      rate_ratio: ra.rate_per_s > 0 ? Math.round((b.report.rate_per_s / ra.rate_per_s) * 100) / 100 : null,
      cpu_ratio: ra.cpu_ms_per_migration > 0 ? Math.round((b.report.cpu_ms_per_migration / ra.cpu_ms_per_migration) * 100) / 100 : null,
    };
    print(args, report);
    return a.failed || b.failed ? 1 : 0;
  } finally {
    if (server !== undefined) {
      const dropped = await dropBenchDatabases(server, prefix).catch((err: unknown) => {
        progress(`could not drop the bench databases ${prefix}_*: ${(err as Error).message}`);
        return [];
      });
      if (dropped.length) progress(`dropped ${dropped.length} bench databases (${prefix}_*)`);
    }
  }
}

function print(args: MigrationBenchArgs, report: object): void {
  process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
}

/** One ecosystem booted, measured and closed: today's whole bench, or one round of `--replicas`. */
async function migrationRound(args: MigrationBenchArgs, round: { progress: (line: string) => void; database?: string; replicas?: number }): Promise<Round> {
  const scryptCost = args.scryptCost ?? BENCH_SCRYPT_COST;
  const loaded = load(args.config);
  const progress = round.progress;
  if (readRuntime(loaded.dataDir)) progress('an ecosystem is running: the bench boots its own (it needs its own users) beside it');
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, args.ues, scryptCost);
  const dir = mkdtempSync(join(tmpdir(), 'mcx-bench-'));
  const processes = args.processes ?? loaded.ecosystem.processes;
  let own: RunningEcosystem<SystemsView> | undefined;
  let ueHosts: UeHostProcesses | undefined;
  // The heap flags in effect (bin/mcx.js sets them, MCX_MEMORY picks them), read from this process
  // rather than from the environment: run without the launcher, MCX_MEMORY changes nothing.
  const heapFlags = process.execArgv.filter((a) => /^--(max-semi-space-size|heap-growing-percent|max-old-space-size)=/.test(a));
  try {
    progress(
      `booting both MC systems with ${args.ues} users (scrypt cost ${scryptCost}; data in ${dir}${processes === 'per-system' ? '; a process per MC system' : ''}${heapFlags.length > 0 ? `; V8 ${heapFlags.join(' ')}` : ''}${round.replicas && round.replicas > 1 ? `; ${round.replicas} replicas` : ''})`,
    );
    const t0 = Date.now();
    own = await startEcosystem({
      processes,
      ecosystem,
      dataDir: dir,
      ephemeralPorts: true,
      startUes: false,
      console: false,
      configFile: loaded.file,
      ...(round.database ? { database: round.database } : {}),
      ...(round.replicas !== undefined ? { replicas: round.replicas } : {}),
    });
    if (args.ueHosts !== undefined) {
      progress(`starting ${args.ueHosts} UE host process(es)`);
      const { startUeHostProcesses } = await import('../ecosystem/ue-host-processes.ts');
      ueHosts = await startUeHostProcesses({
        count: args.ueHosts,
        dataDir: dir,
        caPem: readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'),
        config: {
          host: ecosystem.ueHost.host,
          controlToken: own.control.token,
          systems: ueHostSystemsOf(own.endpoints),
          users: ecosystem.users.map((u) => ({ username: u.username, password: u.password, home: u.home })),
          ueClient: own.endpoints.ueClient,
        },
      });
    }
    const setupMs = Date.now() - t0;
    progress(`ready in ${(setupMs / 1000).toFixed(1)} s`);
    // Every process but this one: MC systems' processes, replica processes (instances 2..N), UE hosts, and the fronts.
    const fronts = own.replicaProcesses ? frontUsage() : undefined;
    const others: (Usage | { usage(reset?: boolean): Promise<ProcessUsage[]>; profile?(file: string): Promise<StopProfiles> })[] = [
      ...(own.systemProcesses ? [own.systemProcesses] : []),
      ...(own.replicaProcesses ? [own.replicaProcesses] : []),
      ...(fronts ? [fronts] : []),
      ...(ueHosts ? [ueHosts] : []),
    ];
    const result = await runMigrationBench({
      ...(ueHosts
        ? { ueHosts: ueHosts.hosts.map((h) => ({ name: h.name, url: h.url, token: own!.control.token })) }
        : { ueHostUrl: own.endpoints.ueHost, ueHostToken: own.ueHost.host.controlToken }),
      n: args.ues,
      users: Array.from({ length: args.ues }, (_, i) => benchUsername(i)),
      partnerPlmn,
      progress,
      ...(args.profile ? { profile: resolve(args.profile) } : {}),
      ...(others.length
        ? {
            otherProcesses: {
              usage: async (reset?: boolean) => (await Promise.all(others.map((p) => p.usage(reset)))).flat(),
              // Every child process profiles itself too (the fronts are not Node processes).
              profile: async (file: string) => {
                const stops = await Promise.all(others.map((p) => ('profile' in p && p.profile ? p.profile(file) : undefined)));
                return async () => (await Promise.all(stops.map((stop) => stop?.() ?? []))).flat();
              },
            },
          }
        : {}),
    });
    // `processes`: how many the CPU time and peak RSS are summed over; `process_layout`: single or per-system.
    const report = {
      bench: 'migration',
      scrypt_cost: scryptCost,
      setup_ms: setupMs,
      process_layout: processes,
      // The Node/V8 flags this process runs with (bin/mcx.js: MCX_MEMORY picks them): a reader of
      // the numbers sees which GC trade-off they were measured under.
      exec_argv: process.execArgv,
      ...(round.database ? { database: 'postgresql' } : {}),
      ...(ueHosts ? { ue_host_processes: ueHosts.hosts.length } : {}),
      ...result,
    };
    if (result.failures.length) progress(`${result.failures.length} UE(s) failed:\n${result.failures.map((f) => `  ${f.ue} (${f.user}) ${f.phase}: ${f.state}${f.step ? ` at ${f.step}` : ''}${f.reason ? `: ${f.reason}` : ''}`).join('\n')}`);
    return { report, failed: result.failed !== 0 || result.online_failed !== 0 };
  } finally {
    await ueHosts?.close();
    await own?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
