/**
 * `mcx bench migration --ues N [--scrypt-cost C] [--profile FILE] [--processes P] [--ue-hosts H] [--json]`: boots the
 * two MC systems of the ecosystem file in this process, or each in its own with `--processes
 * per-system` (CPU and peak RSS then summed over the processes), on free ports and a temporary data directory, with N
 * distinct generated users (bench-ecosystem.ts) hashed at scrypt cost C (default 1024, reported as
 * `scrypt_cost`), brings N UEs online (one per user), changes every PLMN at once and prints what
 * it measured (apps/ue/src/bench/migration-bench.ts) as JSON on standard output; progress goes to
 * standard error. Exit 1 when a UE failed (the reasons are in `failures`).
 *
 * `--ue-hosts H`: the UEs run in H UE host processes (ue-host-processes.ts) instead of the UE host of
 * this process, each with a contiguous share; their CPU and peak RSS are summed with the others' and
 * reported per host in `ue_hosts`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMigrationBench } from '@mcx/ue';
import { startEcosystem, type Processes, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import type { SystemsView } from '../ecosystem/systems-view.ts';
import type { ProcessUsage } from '../ecosystem/system-processes.ts';
import type { UeHostProcesses } from '../ecosystem/ue-host-processes.ts';
import { ueHostSystemsOf } from '../ecosystem/ue-host-remote.ts';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { benchEcosystem, benchUsername } from './bench-ecosystem.ts';
import { load } from './options.ts';

/** The bench's password hash cost: scrypt's lowest sensible N, so that logins do not hide the migration. */
export const BENCH_SCRYPT_COST = 1024;

export async function migrationBench(args: { config?: string; ues: number; json: boolean; scryptCost?: number; profile?: string; processes?: Processes; ueHosts?: number }): Promise<number> {
  if (!Number.isInteger(args.ues) || args.ues < 1) throw new Error('--ues takes a positive integer');
  if (args.ueHosts !== undefined && (!Number.isInteger(args.ueHosts) || args.ueHosts < 1)) throw new Error('--ue-hosts takes a positive integer');
  const scryptCost = args.scryptCost ?? BENCH_SCRYPT_COST;
  const loaded = load(args.config);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (readRuntime(loaded.dataDir)) progress('an ecosystem is running: the bench boots its own (it needs its own users) beside it');
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, args.ues, scryptCost);
  const dir = mkdtempSync(join(tmpdir(), 'mcx-bench-'));
  const processes = args.processes ?? loaded.ecosystem.processes;
  let own: RunningEcosystem<SystemsView> | undefined;
  let ueHosts: UeHostProcesses | undefined;
  try {
    progress(`booting both MC systems with ${args.ues} users (scrypt cost ${scryptCost}; data in ${dir}${processes === 'per-system' ? '; a process per MC system' : ''})`);
    const t0 = Date.now();
    own = await startEcosystem({ processes, ecosystem, dataDir: dir, ephemeralPorts: true, startUes: false, console: false, configFile: loaded.file });
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
    const others: { usage(reset?: boolean): Promise<ProcessUsage[]> }[] = [...(own.systemProcesses ? [own.systemProcesses] : []), ...(ueHosts ? [ueHosts] : [])];
    const result = await runMigrationBench({
      ...(ueHosts
        ? { ueHosts: ueHosts.hosts.map((h) => ({ name: h.name, url: h.url, token: own!.control.token })) }
        : { ueHostUrl: own.endpoints.ueHost, ueHostToken: own.ueHost.host.controlToken }),
      n: args.ues,
      users: Array.from({ length: args.ues }, (_, i) => benchUsername(i)),
      partnerPlmn,
      progress,
      ...(args.profile ? { profile: resolve(args.profile) } : {}),
      ...(others.length ? { otherProcesses: { usage: async (reset?: boolean) => (await Promise.all(others.map((p) => p.usage(reset)))).flat() } } : {}),
    });
    // `processes`: how many the CPU time and peak RSS are summed over; `process_layout`: single or per-system.
    const report = { bench: 'migration', scrypt_cost: scryptCost, setup_ms: setupMs, process_layout: processes, ...(ueHosts ? { ue_host_processes: ueHosts.hosts.length } : {}), ...result };
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
    if (result.failures.length) progress(`${result.failures.length} UE(s) failed:\n${result.failures.map((f) => `  ${f.ue} (${f.user}) ${f.phase}: ${f.state}${f.step ? ` at ${f.step}` : ''}${f.reason ? `: ${f.reason}` : ''}`).join('\n')}`);
    return result.failed === 0 && result.online_failed === 0 ? 0 : 1;
  } finally {
    await ueHosts?.close();
    await own?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
