/**
 * `mcx scenario run DIR|FILE... [--parallel N] [--json] [--junit FILE]`: runs scenarios against the
 * running ecosystem, or against one it starts itself (ephemeral ports, a temporary data directory)
 * when none runs; a directory stands for its *.yaml files, in name order. With --parallel N, up to
 * N scenarios run at once (each one's progress printed when it ends) and a summary table follows.
 * Exit 0 only when every expectation of every scenario held.
 */
import { adminTokenOf, controlTokenOf } from '@mcx/mc-system';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { parseScenario } from '../scenario/load.ts';
import {
  junitXml,
  runScenario,
  ScenarioContext,
  shortName,
  type ScenarioResult,
} from '../scenario/runner.ts';
import { onUserCopies, userCopiesOf, withUserCopies } from '../scenario/users.ts';
import { load } from './options.ts';

export async function scenarioCommand(
  positionals: string[],
  values: { config?: string; json?: boolean; junit?: string; 'timeout-scale'?: string; parallel?: string },
): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub !== 'run' || args.length === 0)
    throw new Error('mcx scenario run DIR|FILE... [--parallel N] [--json] [--junit FILE]');
  const parallel = Number(values.parallel ?? 1);
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new Error(`--parallel: a whole number of at least 1 (got ${values.parallel})`);
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
  try {
    // A scenario that restarts the ecosystem runs alone on it, after the others.
    const restarts = (i: number) => scenarios[i]!.scenario.steps.some((step) => 'restart_ecosystem' in step);
    const shared = scenarios.map((_, i) => i).filter((i) => !restarts(i));
    const alone = scenarios.map((_, i) => i).filter(restarts);
    const restartEcosystem = async () => {
      // On the same ports: the UE initial configurations stored in the CMS name them.
      const ecosystem = own!.systems.ecosystem;
      await own!.close();
      own = await startEcosystem({ ...ownOptions!, ecosystem, ephemeralPorts: false });
      endpoints = own.endpoints;
      return { endpoints: own.endpoints, faults: own.systems };
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
