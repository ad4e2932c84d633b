// Scenario files are checked before anything runs: unknown steps and keys, and values outside
// their enums (UE states, protocols, peers), are errors naming file:line and the step.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load.ts';

const SCENARIOS = fileURLToPath(new URL('../../../../scenarios/', import.meta.url));

function problemsOf(text: string): readonly string[] {
  try {
    parseScenario(text, 'bad.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e.problems;
    throw e;
  }
  throw new Error('expected the scenario to be refused');
}

const scenario = (...steps: string[]) => `name: test\nsteps:\n${steps.map((s) => `  - ${s}`).join('\n')}\n`;
const start = 'start_ue: { id: ue-1, user: alice }';

describe('scenario validation', () => {
  it('accepts every shipped scenario', () => {
    const files = readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files)
      expect(parseScenario(readFileSync(`${SCENARIOS}${f}`, 'utf8'), f).steps.length, f).toBeGreaterThan(0);
  });

  it('refuses a misspelt UE state at its line, naming the step', () => {
    expect(problemsOf(scenario(start, 'expect_state: { ue: ue-1, state: STABEL }'))).toEqual([
      expect.stringMatching(
        /^bad\.yaml:4: step 2 \(expect_state\): state: Invalid option: expected one of .*"STABLE"/,
      ),
    ]);
  });

  it('refuses an unknown step type with the nearest one', () => {
    expect(problemsOf(scenario(start, 'chnage_plmn: { ue: ue-1, plmn: "00102" }'))).toEqual([
      expect.stringMatching(/^bad\.yaml:4: step 2: unknown step "chnage_plmn": did you mean "change_plmn"\?/),
    ]);
  });

  it('refuses an unknown key in a step, at its own line', () => {
    const text = `name: test\nsteps:\n  - ${start}\n  - expect_state:\n      ue: ue-1\n      state: STABLE\n      sytem: mcx-b\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(
        /^bad\.yaml:7: step 2 \(expect_state\): sytem: unknown key "sytem": did you mean "system"\?/,
      ),
    ]);
  });

  it('refuses an unknown protocol or peer, and an unknown top-level key', () => {
    const problems = problemsOf(
      `${scenario(start, 'expect_message: { ue: ue-1, protocol: SIPS, summary: NOTIFY }', 'expect_message: { ue: ue-1, peer: CMS-a, summary: NOTIFY }')}cleanpu: []\n`,
    );
    expect(problems).toEqual([
      expect.stringMatching(/^bad\.yaml:4: step 2 \(expect_message\): protocol: /),
      expect.stringMatching(/^bad\.yaml:5: step 3 \(expect_message\): peer: a peer is IdMS-<X>/),
      expect.stringMatching(/^bad\.yaml:6: cleanpu: unknown key "cleanpu"/),
    ]);
  });

  it('checks the cleanup block like the steps, and an after: that names no earlier mark', () => {
    const text = `${scenario(start, 'expect_message: { ue: ue-1, from: CMS-A, summary: NOTIFY, after: edit }', 'mark: edit')}cleanup:\n  - stop_server: { system: mcx-a, server: idsm }\n`;
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(
        /^bad\.yaml:4: step 2 \(expect_message\): after: no "mark: edit" before this step/,
      ),
      expect.stringMatching(
        /^bad\.yaml:7: cleanup step 1 \(stop_server\): server: Invalid option: expected one of "idms"/,
      ),
    ]);
  });

  it('refuses a step that is not one key', () => {
    expect(problemsOf(scenario('{ start_ue: { id: ue-1, user: alice }, wait: 1 }'))).toEqual([
      expect.stringMatching(/^bad\.yaml:3: step 1: a step is one key, its type/),
    ]);
  });
});
