/**
 * `mcx scenario run FILE... [--json] [--junit FILE]`: runs scenarios against the running ecosystem,
 * or against one it starts itself (ephemeral ports, a temporary data directory) when none runs.
 * Exit 0 only when every expectation of every scenario held.
 */
import { adminTokenOf, controlTokenOf } from '@mcx/mc-system';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRuntime } from '../ecosystem/runtime-file.ts';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { parseScenario } from '../scenario/load.ts';
import { junitXml, runScenario, ScenarioContext, type ScenarioResult } from '../scenario/runner.ts';
import { load } from './options.ts';

export async function scenarioCommand(
  positionals: string[],
  values: { config?: string; json?: boolean; junit?: string; 'timeout-scale'?: string },
): Promise<number> {
  const [sub, ...files] = positionals;
  if (sub !== 'run' || files.length === 0)
    throw new Error('mcx scenario run FILE... [--json] [--junit FILE]');
  const scenarios = files.map((file) => {
    return { file, scenario: parseScenario(readFileSync(file, 'utf8'), file) };
  });
  const loaded = load(values.config);
  let own: RunningEcosystem | undefined;
  let ownDir: string | undefined;
  let endpoints = readRuntime(loaded.dataDir);
  const progress = (line: string) => {
    if (!values.json) process.stdout.write(line + '\n');
  };
  if (!endpoints) {
    ownDir = mkdtempSync(join(tmpdir(), 'mcx-scenario-'));
    progress(`no running ecosystem: starting one (data in ${ownDir})`);
    own = await startEcosystem({
      ecosystem: loaded.ecosystem,
      dataDir: ownDir,
      ephemeralPorts: true,
      startUes: false,
      console: false,
      configFile: loaded.file,
    });
    endpoints = own.endpoints;
  }
  // Each system's admin credential: the running ecosystem's (configured or generated in its data directory).
  const adminTokens = own
    ? new Map(own.systems.systems.map((s) => [s.config.id, s.admin.token]))
    : new Map(loaded.ecosystem.systems.map((s) => [s.id, adminTokenOf(loaded.dataDir, s.id, s.adminToken).token]));
  // The UE host's control secret: the one of the data directory the ecosystem runs on.
  const controlToken = own ? own.ueHost.host.controlToken : controlTokenOf(loaded.dataDir).token;
  const results: ScenarioResult[] = [];
  try {
    for (const { file, scenario } of scenarios) {
      const ctx = new ScenarioContext(endpoints, adminTokens, controlToken, Number(values['timeout-scale'] ?? 1));
      results.push(await runScenario(scenario, file, ctx, progress));
    }
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
  else progress(`\n${passed} passed, ${results.length - passed} failed`);
  return passed === results.length ? 0 : 1;
}
