/**
 * `mcx scenario run DIR|FILE... [--parallel N] [--json] [--junit FILE]`: runs scenarios against the
 * running ecosystem, or against one it starts itself (ephemeral ports, a temporary data directory)
 * when none runs; a directory stands for its *.yaml files, in name order. With --parallel N, up to
 * N scenarios run at once (each one's progress printed when it ends) and a summary table follows.
 * Exit 0 only when every expectation of every scenario held.
 *
 * With --ue-hosts N (N >= 2) the UEs run in N UE host processes this command starts
 * (ecosystem/ue-host-processes.ts, as `mcx bench migration --ue-hosts N`), pointing at the same
 * ecosystem; with --ue-host URL (repeatable) in UE hosts already running (`mcx ue-host`, here or
 * on another machine) for the running ecosystem. Each UE a scenario creates goes to one of them,
 * round-robin, and every step on it to its host (scenario/ue-hosts.ts); the reports are merged as
 * with one host, and the JSON names each UE's host (`ue_hosts`, and `ue_host` per step).
 */
import { adminTokenOf, controlTokenOf } from '@mcx/mc-system';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntime, type RuntimeEndpoints } from '../ecosystem/runtime-file.ts';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import type { UeHostProcesses } from '../ecosystem/ue-host-processes.ts';
import { ueClientOf, ueHostSystemsOf } from '../ecosystem/ue-host-remote.ts';
import { parseScenario } from '../scenario/load.ts';
import {
  junitXml,
  runScenario,
  ScenarioContext,
  shortName,
  type ScenarioResult,
} from '../scenario/runner.ts';
import { UeHostRouter, type UeHostRef } from '../scenario/ue-hosts.ts';
import { onUserCopies, userCopiesOf, withUserCopies } from '../scenario/users.ts';
import { load } from './options.ts';

const USAGE =
  'mcx scenario run DIR|FILE... [--parallel N] [--ue-hosts N | --ue-host URL...] [--json] [--junit FILE]';

export async function scenarioCommand(
  positionals: string[],
  values: {
    config?: string | undefined;
    json?: boolean | undefined;
    junit?: string | undefined;
    'timeout-scale'?: string | undefined;
    parallel?: string | undefined;
    'ue-hosts'?: string | undefined;
    'ue-host'?: string[] | undefined;
    'ue-host-token-file'?: string | undefined;
  },
): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub !== 'run' || args.length === 0) throw new Error(USAGE);
  const parallel = Number(values.parallel ?? 1);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new Error(`--parallel: a whole number of at least 1 (got ${values.parallel})`);
  const ueHostCount = Number(values['ue-hosts'] ?? 1);
  if (!Number.isInteger(ueHostCount) || ueHostCount < 1)
    throw new Error(`--ue-hosts: a whole number of at least 1 (got ${values['ue-hosts']})`);
  const remoteHosts = (values['ue-host'] ?? []).map((url) => {
    if (!/^https?:\/\/[^/]+/.test(url))
      throw new Error(`--ue-host ${url}: the URL of a UE host (http://host:port)`);
    return url.replace(/\/+$/, '');
  });
  if (remoteHosts.length && values['ue-hosts'] !== undefined)
    throw new Error(
      'give --ue-hosts N (UE host processes started here) or --ue-host URL (hosts already running), not both',
    );
  if (values['ue-host-token-file'] && !remoteHosts.length)
    throw new Error('--ue-host-token-file goes with --ue-host URL');
  const files = args.flatMap((arg) =>
    statSync(arg).isDirectory()
      ? readdirSync(arg)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(arg, f))
      : [arg],
  );
  const scenarios = files.map((file) => {
    return { file, scenario: parseScenario(readFileSync(file, 'utf8'), file) };
  });
  const loaded = load(values.config);
  let own: RunningEcosystem | undefined;
  let ownDir: string | undefined;
  let ownOptions: Parameters<typeof startEcosystem>[0] | undefined;
  let endpoints = readRuntime(loaded.dataDir);
  const progress = (line: string) => {
    if (!values.json) process.stdout.write(line + '\n');
  };
  if (!endpoints && remoteHosts.length)
    throw new Error(
      `--ue-host: the UE hosts given point at a running ecosystem, and none runs for ${loaded.file} (start it with mcx up)`,
    );
  if (!endpoints) {
    ownDir = mkdtempSync(join(tmpdir(), 'mcx-scenario-'));
    progress(`no running ecosystem: starting one (data in ${ownDir})`);
    // The scenarios' own users (users.ts): copies of the file's users, created with the ecosystem.
    const copies = scenarios.flatMap(({ file, scenario }) => userCopiesOf(scenario, file));
    ownOptions = {
      ecosystem: withUserCopies(loaded.ecosystem, copies),
      dataDir: ownDir,
      ephemeralPorts: true,
      startUes: false,
      console: false,
      configFile: loaded.file,
    };
    own = await startEcosystem(ownOptions);
    endpoints = own.endpoints;
  } else if (scenarios.some(({ scenario }) => scenario.users?.length))
    progress(
      'a running ecosystem: scenarios that declare users: run on those users themselves (their copies are created only in an ecosystem this command starts)',
    );
  // Each system's admin credential: the running ecosystem's (configured or generated in its data directory).
  const adminTokens = own
    ? new Map(own.systems.systems.map((s) => [s.config.id, s.admin.token]))
    : new Map(
        loaded.ecosystem.systems.map((s) => [s.id, adminTokenOf(loaded.dataDir, s.id, s.adminToken).token]),
      );
  // The UE host's control secret: the one of the data directory the ecosystem runs on.
  const controlToken = own ? own.ueHost.host.controlToken : controlTokenOf(loaded.dataDir).token;
  const results: ScenarioResult[] = new Array(scenarios.length);
  // Several UE hosts: processes started here (--ue-hosts N), or hosts already running (--ue-host URL).
  let children: UeHostProcesses | undefined;
  let childrenDir: string | undefined;
  let router: UeHostRouter | undefined;
  const startChildren = async (on: RuntimeEndpoints): Promise<UeHostRef[]> => {
    const { startUeHostProcesses } = await import('../ecosystem/ue-host-processes.ts');
    // The ecosystem's data directory holds the lab CA its https certificates chain to.
    const dataDir = own ? ownDir! : loaded.dataDir;
    const caFile = join(dataDir, 'tls', 'ca.pem');
    // Their UEs' protected copies: beside the ecosystem's own (<dataDir>/ue-host-<i>), or in a
    // temporary directory (removed at the end) when the ecosystem is not this command's.
    childrenDir ??= own ? ownDir! : mkdtempSync(join(tmpdir(), 'mcx-scenario-ue-hosts-'));
    const eco = own ? own.ecosystem : loaded.ecosystem;
    children = await startUeHostProcesses({
      count: ueHostCount,
      dataDir: childrenDir,
      ...(existsSync(caFile) ? { caPem: readFileSync(caFile, 'utf8') } : {}),
      config: {
        host: eco.ueHost.host,
        controlToken,
        systems: ueHostSystemsOf(on),
        users: eco.users.map((u) => ({ username: u.username, password: u.password, home: u.home })),
        ueClient: ueClientOf(on),
      },
    });
    progress(
      `${children.hosts.length} UE host processes: ${children.hosts.map((h) => `${h.name} ${h.url} (pid ${h.pid})`).join(', ')}`,
    );
    return children.hosts.map((h) => ({ name: h.name, url: h.url, token: controlToken }));
  };
  try {
    if (ueHostCount > 1) router = new UeHostRouter(await startChildren(endpoints));
    else if (remoteHosts.length) {
      const file = values['ue-host-token-file'];
      // Their control secret: the file's, else the ecosystem's (a host started with mcx ue-host's default).
      const token = file ? readFileSync(file, 'utf8').trim() : controlToken;
      router = new UeHostRouter(remoteHosts.map((url) => ({ name: url, url, token })));
      progress(`UE hosts: ${remoteHosts.join(', ')}`);
    }
    // A scenario that restarts the ecosystem runs alone on it, after the others.
    const restarts = (i: number) => scenarios[i]!.scenario.steps.some((step) => 'restart_ecosystem' in step);
    const shared = scenarios.map((_, i) => i).filter((i) => !restarts(i));
    const alone = scenarios.map((_, i) => i).filter(restarts);
    const restartEcosystem = async () => {
      // On the same ports: the UE initial configurations stored in the CMS name them.
      const ecosystem = own!.systems.ecosystem;
      // The UE host processes go with it (their UEs are gone, as the ecosystem's own host's are).
      await children?.close();
      await own!.close();
      own = await startEcosystem({ ...ownOptions!, ecosystem, ephemeralPorts: false });
      endpoints = own.endpoints;
      const ueHosts = children ? await startChildren(own.endpoints) : undefined;
      return { endpoints: own.endpoints, faults: own.systems, ...(ueHosts ? { ueHosts } : {}) };
    };
    const run = async (i: number, exclusive: boolean) => {
      const { file, scenario: declared } = scenarios[i]!;
      const scenario = own ? onUserCopies(declared, userCopiesOf(declared, file)) : declared;
      const ctx = new ScenarioContext(
        endpoints!,
        adminTokens,
        controlToken,
        Number(values['timeout-scale'] ?? 1),
      );
      if (router) ctx.router = router;
      if (own)
        ctx.faults = exclusive
          ? {
              stopServer: (a, b) => own!.systems.stopServer(a, b),
              startServer: (a, b) => own!.systems.startServer(a, b),
              restartEcosystem,
            }
          : own.systems;
      // In parallel, each scenario's lines are printed together when it ends.
      const lines: string[] = [];
      results[i] = await runScenario(scenario, file, ctx, parallel > 1 ? (l) => lines.push(l) : progress);
      if (lines.length) progress(lines.join('\n'));
    };
    let next = 0;
    const worker = async () => {
      for (let n = next++; n < shared.length; n = next++) await run(shared[n]!, false);
    };
    await Promise.all(Array.from({ length: Math.min(parallel, shared.length) }, worker));
    for (const i of alone) await run(i, true);
  } finally {
    await children?.close();
    if (childrenDir && childrenDir !== ownDir) rmSync(childrenDir, { recursive: true, force: true });
    await own?.close();
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  }
  if (values.junit) writeFileSync(values.junit, junitXml(results));
  const passed = results.filter((r) => r.ok).length;
  if (values.json)
    process.stdout.write(
      JSON.stringify({ passed, failed: results.length - passed, results }, null, 2) + '\n',
    );
  else progress(`\n${summaryTable(results)}\n\n${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}

/** The summary: one row per scenario (name, result, duration, the failing step). */
export function summaryTable(results: readonly ScenarioResult[]): string {
  const rows = results.map((r) => {
    const failing = r.steps.find((s) => !s.ok && !s.skipped);
    return [
      shortName(r),
      r.ok ? 'passed' : 'FAILED',
      `${(r.ms / 1000).toFixed(1)} s`,
      failing
        ? `${failing.block === 'cleanup' ? 'cleanup' : 'step'} ${failing.index + 1} ${failing.step}: ${failing.detail}`.slice(
            0,
            160,
          )
        : '',
    ];
  });
  const head = ['scenario', 'result', 'duration', 'failing step'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
