/**
 * `mcx bench migration --ues N [--json]`: N UEs online in A, every PLMN changed at once, per-UE time
 * to "configured in B". Uses the running ecosystem, or boots one (ephemeral ports, temp data dir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMigrationBench } from '@mcx/ue';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { load } from './options.ts';

export async function migrationBench(args: { config?: string; ues: number; json: boolean }): Promise<number> {
  if (!Number.isInteger(args.ues) || args.ues < 1) throw new Error('--ues takes a positive integer');
  const loaded = load(args.config);
  const progress = (line: string) => (args.json ? process.stderr : process.stdout).write(line + '\n');
  let own: RunningEcosystem | undefined;
  let dir: string | undefined;
  let ueHost = readRuntime(loaded.dataDir)?.ueHost;
  if (!ueHost) {
    dir = mkdtempSync(join(tmpdir(), 'mcx-bench-'));
    progress(`no running ecosystem: booting one (data in ${dir})`);
    own = await startEcosystem({
      ecosystem: loaded.ecosystem,
      dataDir: dir,
      ephemeralPorts: true,
      startUes: false,
      console: false,
      configFile: loaded.file,
    });
    ueHost = own.endpoints.ueHost;
  }
  try {
    const partner = loaded.ecosystem.systems.find((s) => s.role === 'partner');
    const result = await runMigrationBench({
      ueHostUrl: ueHost,
      n: args.ues,
      progress,
      ...(partner ? { partnerPlmn: partner.plmns[0]! } : {}),
    });
    process.stdout.write(args.json ? JSON.stringify(result) + '\n' : `${JSON.stringify(result, null, 2)}\n`);
    return result.failed === 0 && result.online_failed === 0 ? 0 : 1;
  } finally {
    await own?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
