/**
 * `mcx bench <name>`: the benchmarks of each project, grouped here. They print numbers (JSON), they
 * do not pass or fail. `migration` is implemented by the UE host (apps/ue) against an ecosystem.
 */
import { spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { REPO_ROOT } from './options.ts';

const PACKAGE_BENCHES: Record<string, string> = {
  sip: '@mcx/sip',
  idms: '@mcx/idms',
  cms: '@mcx/cms',
  gms: '@mcx/gms',
};

function runNpm(args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npm', args, { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** `--ue-hosts H`: 0 (the UE host in the bench's own process) or a positive integer. */
function ueHostsOption(value: string): number {
  if (!/^(0|[1-9]\d*)$/.test(value)) throw new Error('--ue-hosts takes 0 or a positive integer');
  return Number(value);
}

export async function benchCommand(
  positionals: string[],
  values: { config?: string; ues?: string; json?: boolean; 'scrypt-cost'?: string; profile?: string; case?: string; minutes?: string; 'heap-snapshot'?: string; processes?: string; 'ue-hosts'?: string; db?: string; replicas?: string; vs?: string; members?: string; transport?: string },
): Promise<number> {
  const name = positionals[0];
  if (name === 'xcap') {
    // 304 GETs of a 50 KB user profile through the CMS, `--vs kamailio` side by side with Kamailio's
    // xcap_server (apps/cms/bench/xcap-bench.ts; BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_ROUNDS).
    if (values.vs !== undefined && values.vs !== 'kamailio') throw new Error('mcx bench xcap: --vs takes kamailio');
    return runNpm([
      'run',
      '--silent',
      'bench:xcap',
      '-w',
      '@mcx/cms',
      '--',
      ...(values.vs ? ['--vs', values.vs] : []),
      ...(values.json ? ['--json'] : []),
      ...(values.profile ? ['--profile', values.profile] : []),
    ]);
  }
  if (name === 'soak') {
    const { soakBench } = await import('./bench-soak.ts');
    return soakBench({
      config: values.config,
      ues: Number(values.ues ?? 50),
      minutes: Number(values.minutes ?? 10),
      json: values.json ?? false,
      ...(values['heap-snapshot'] ? { heapSnapshotDir: values['heap-snapshot'] } : {}),
    });
  }
  if (name === 'faults') {
    const { faultsBench } = await import('./bench-faults.ts');
    return faultsBench({ config: values.config, json: values.json ?? false, ...(values.ues ? { ues: Number(values.ues) } : {}), ...(values.case ? { case: values.case } : {}) });
  }
  if (name === 'migration') {
    const [{ migrationBench }, { processesOption }] = await Promise.all([import('./bench-migration.ts'), import('./processes-option.ts')]);
    // `--replicas N`: 2 to 8 (1 is what the bench measures without it).
    if (values.replicas !== undefined && !/^[2-8]$/.test(values.replicas)) throw new Error('mcx bench migration: --replicas takes 2 to 8');
    const cost = values['scrypt-cost'];
    if (cost !== undefined && !/^\d+$/.test(cost)) throw new Error('--scrypt-cost takes a power of 2 (1024 or more)');
    return migrationBench({
      config: values.config,
      ues: Number(values.ues ?? 100),
      json: values.json ?? false,
      ...(cost !== undefined ? { scryptCost: Number(cost) } : {}),
      ...(values.profile ? { profile: values.profile } : {}),
      ...(values.processes !== undefined ? { processes: processesOption(values.processes) } : {}),
      ...(values['ue-hosts'] !== undefined ? { ueHosts: ueHostsOption(values['ue-hosts']) } : {}),
      ...(values.db !== undefined ? { db: values.db } : {}),
      ...(values.replicas !== undefined ? { replicas: Number(values.replicas) } : {}),
    });
  }
  const pkg = name ? PACKAGE_BENCHES[name] : undefined;
  if (!pkg) {
    process.stderr.write(
      `mcx bench: name one of ${['xcap', ...Object.keys(PACKAGE_BENCHES), 'migration', 'faults', 'soak'].join(', ')}\n`,
    );
    return 2;
  }
  if (name === 'gms') {
    // apps/gms/bench/group-fanout.ts: --members N (BENCH_MEMBERS), --transport udp|tcp (BENCH_TRANSPORT).
    if (values.members !== undefined && !/^[1-9]\d*$/.test(values.members)) throw new Error('mcx bench gms: --members takes a positive number');
    if (values.transport !== undefined && values.transport !== 'udp' && values.transport !== 'tcp') throw new Error('mcx bench gms: --transport takes udp or tcp');
    return runNpm(['run', '--silent', 'bench', '-w', pkg], {
      ...(values.members ? { BENCH_MEMBERS: values.members } : {}),
      ...(values.transport ? { BENCH_TRANSPORT: values.transport } : {}),
      ...(values.profile ? { BENCH_PROFILE: resolvePath(values.profile) } : {}),
    });
  }
  return runNpm(['run', '--silent', 'bench', '-w', pkg]);
}
