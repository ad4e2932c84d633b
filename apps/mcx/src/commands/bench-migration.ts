/**
 * `mcx bench migration --ues N [--scrypt-cost C] [--profile FILE] [--processes P] [--json]`: boots the
 * two MC systems of the ecosystem file in this process, or each in its own with `--processes
 * per-system` (CPU and peak RSS then summed over the processes), on free ports and a temporary data directory, with N
 * distinct generated users (bench-ecosystem.ts) hashed at scrypt cost C (default 1024, reported as
 * `scrypt_cost`), brings N UEs online (one per user), changes every PLMN at once and prints what
 * it measured (apps/ue/src/bench/migration-bench.ts) as JSON on standard output; progress goes to
 * standard error. Exit 1 when a UE failed (the reasons are in `failures`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runMigrationBench } from '@mcx/ue';
import { startEcosystem, type Processes, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import type { SystemsView } from '../ecosystem/systems-view.ts';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { benchEcosystem, benchUsername } from './bench-ecosystem.ts';
import { load } from './options.ts';

/** The bench's password hash cost: scrypt's lowest sensible N, so that logins do not hide the migration. */
export const BENCH_SCRYPT_COST = 1024;

export async function migrationBench(args: { config?: string; ues: number; json: boolean; scryptCost?: number; profile?: string; processes?: Processes }): Promise<number> {
  if (!Number.isInteger(args.ues) || args.ues < 1) throw new Error('--ues takes a positive integer');
  const scryptCost = args.scryptCost ?? BENCH_SCRYPT_COST;
  const loaded = load(args.config);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  if (readRuntime(loaded.dataDir)) progress('an ecosystem is running: the bench boots its own (it needs its own users) beside it');
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, args.ues, scryptCost);
  const dir = mkdtempSync(join(tmpdir(), 'mcx-bench-'));
  const processes = args.processes ?? loaded.ecosystem.processes;
  let own: RunningEcosystem<SystemsView> | undefined;
  try {
    progress(`booting both MC systems with ${args.ues} users (scrypt cost ${scryptCost}; data in ${dir}${processes === 'per-system' ? '; a process per MC system' : ''})`);
    const t0 = Date.now();
    own = await startEcosystem({ processes, ecosystem, dataDir: dir, ephemeralPorts: true, startUes: false, console: false, configFile: loaded.file });
    const setupMs = Date.now() - t0;
    progress(`ready in ${(setupMs / 1000).toFixed(1)} s`);
    const result = await runMigrationBench({
      ueHostUrl: own.endpoints.ueHost,
      ueHostToken: own.ueHost.host.controlToken,
      n: args.ues,
      users: Array.from({ length: args.ues }, (_, i) => benchUsername(i)),
      partnerPlmn,
      progress,
      ...(args.profile ? { profile: resolve(args.profile) } : {}),
      ...(own.systemProcesses ? { otherProcesses: own.systemProcesses } : {}),
    });
    // `processes`: how many the CPU time and peak RSS are summed over; `process_layout`: single or per-system.
    const report = { bench: 'migration', scrypt_cost: scryptCost, setup_ms: setupMs, process_layout: processes, ...result };
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
    if (result.failures.length) progress(`${result.failures.length} UE(s) failed:\n${result.failures.map((f) => `  ${f.ue} (${f.user}) ${f.phase}: ${f.state}${f.step ? ` at ${f.step}` : ''}${f.reason ? `: ${f.reason}` : ''}`).join('\n')}`);
    return result.failed === 0 && result.online_failed === 0 ? 0 : 1;
  } finally {
    await own?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
