// The scenario runner against a real ecosystem (both lab systems and the UE host, started with the
// composition on ephemeral ports): expectations after a point, documents, group membership,
// negative and ordered expectations, the cleanup block and the documents put back, fault steps,
// and the JUnit report (readable names, steps after a failure skipped).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupUriOf, labEcosystem } from '@mcx/mc-system';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { parseScenario } from './load.ts';
import { junitXml, runScenario, ScenarioContext } from './runner.ts';
import { onUserCopies, scenarioUsername, userCopiesOf, withUserCopies } from './users.ts';

let running: RunningEcosystem;
let dir: string;
let options: Parameters<typeof startEcosystem>[0];
const ALICE_PROFILE =
  'org.3gpp.mcptt.user-profile/users/sip:alice@mcx-a.example.net/mcptt-user-profile-1.xml';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcx-scenario-runner-'));
  // As `mcx scenario run` does for a scenario that declares `users: [carol]`.
  const ecosystem = withUserCopies(labEcosystem(), [
    { from: 'carol', as: scenarioUsername('09-test.yaml', 'carol') },
  ]);
  options = {
    ecosystem,
    dataDir: dir,
    ephemeralPorts: true,
    scryptCost: 1024,
    console: false,
    startUes: false,
  };
  running = await startEcosystem(options);
}, 120_000);

afterAll(async () => {
  await running?.close();
  rmSync(dir, { recursive: true, force: true });
});

function context(faults = true): ScenarioContext {
  const ctx = new ScenarioContext(
    running.endpoints,
    new Map(running.systems.systems.map((s) => [s.config.id, s.admin.token])),
    running.control.token,
  );
  if (faults) ctx.faults = running.systems;
  return ctx;
}

const run = (yaml: string, ctx = context()) =>
  runScenario(parseScenario(yaml, '09-test.yaml'), '09-test.yaml', ctx);

describe('scenario runner', () => {
  it('looks at messages after the previous action or a mark, checks documents and groups, and puts the edited profile back', async () => {
    const before = await context().adminGet('mcx-a', ALICE_PROFILE);
    const result = await run(`
name: after a point
steps:
  - start_ue: { id: run-alice, user: alice }
  - expect_state: { ue: run-alice, state: STABLE, system: mcx-a }
  - expect_message: { ue: run-alice, from: CMS-A, summary: NOTIFY }
  - wait: 0.3
  # The initial NOTIFY came before the wait: after it, there is none.
  - expect_no_message: { ue: run-alice, from: CMS-A, summary: NOTIFY, within: 1s }
  - mark: before-edit
  - admin_edit_profile: { ue: run-alice, profile_name: edited-by-runner-test }
  - expect_message: { ue: run-alice, from: CMS-A, protocol: SIP, summary: NOTIFY }
  - expect_order: { ue: run-alice, after: before-edit, messages: [{ from: CMS-A, summary: NOTIFY }, { to: CMS-A, protocol: SIP, summary: '200' }] }
  - expect_document: { ue: run-alice, xpath: '//ProfileName', value: edited-by-runner-test, version: ${before.version + 1} }
  - expect_document: { ue: run-alice, kind: ue-config, xpath: '/*' }
  - expect_group_member: { system: mcx-a, group: '${groupUriOf(running.ecosystem, 'fire-a')}', member: 'sip:alice@mcx-a.example.net' }
  - expect_group_member: { system: mcx-a, group: '${groupUriOf(running.ecosystem, 'fire-a')}', member: 'sip:dave@mcx-b.example.net', present: false, within: 1s }
`);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    // The runner put the profile back as it was (a new version with the old body).
    const after = await context().adminGet('mcx-a', ALICE_PROFILE);
    expect(after.body).toBe(before.body);
    expect(after.version).toBe(before.version + 2);
  }, 120_000);

  it('fails an expectation on a message that came before the point, skips the rest and still runs the cleanup', async () => {
    const result = await run(`
name: failing
steps:
  - start_ue: { id: run-carol, user: carol }
  - expect_state: { ue: run-carol, state: STABLE, system: mcx-a }
  - change_plmn: { ue: run-carol, plmn: '00101' }
  - expect_message: { ue: run-carol, to: CMS-A, summary: SUBSCRIBE, within: 1s }
  - expect_state: { ue: run-carol, state: STABLE }
cleanup:
  - mark: cleaned
  - stop_ue: { ue: run-carol }
`);
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => [s.block, s.index + 1, s.ok, s.skipped ?? false])).toEqual([
      ['steps', 1, true, false],
      ['steps', 2, true, false],
      ['steps', 3, true, false],
      ['steps', 4, false, false],
      ['steps', 5, false, true],
      ['cleanup', 1, true, false],
      ['cleanup', 2, true, false],
    ]);
    expect(result.steps[3]!.detail).toMatch(/SUBSCRIBE to CMS-A after the point: not within 1000 ms/);
    const xml = junitXml([result]);
    expect(xml).toMatch(
      /name="09-test: step 4 expect_message SUBSCRIBE to CMS-A" time="[\d.]+"><failure message=/,
    );
    expect(xml).toContain(
      'name="09-test: step 5 expect_state run-carol STABLE" time="0.000"><skipped/></testcase>',
    );
    expect(xml).toContain('failures="1" skipped="1"');
    expect(xml).not.toContain('{');
  }, 120_000);

  it('runs a scenario that declares users on their copies: the demo user is left untouched', async () => {
    const CAROL_PROFILE =
      'org.3gpp.mcptt.user-profile/users/sip:carol@mcx-a.example.net/mcptt-user-profile-1.xml';
    const before = await context().adminGet('mcx-a', CAROL_PROFILE);
    const declared = parseScenario(
      `
name: own users
users: [carol]
steps:
  - start_ue: { id: run-own-carol, user: carol }
  - expect_state: { ue: run-own-carol, state: STABLE, system: mcx-a }
  - admin_edit_profile: { ue: run-own-carol, profile_name: edited-on-the-copy }
  - expect_document: { ue: run-own-carol, xpath: '//ProfileName', value: edited-on-the-copy }
  - expect_group_member: { system: mcx-a, group: '${groupUriOf(running.ecosystem, 'fire-a')}', member: 'sip:carol@mcx-a.example.net' }
  - change_plmn: { ue: run-own-carol, plmn: '00102' }
  - expect_state: { ue: run-own-carol, state: STABLE, system: mcx-b }
  - expect_group_member: { system: mcx-b, group: '${groupUriOf(running.ecosystem, 'rescue-b')}', member: 'sip:carol.mcx-a@mcx-b.example.net' }
`,
      '09-test.yaml',
    );
    const result = await runScenario(
      onUserCopies(declared, userCopiesOf(declared, '09-test.yaml')),
      '09-test.yaml',
      context(),
    );
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(result.steps[0]!.step).toBe('start_ue run-own-carol (scn-09-test-carol)');
    expect(result.steps[4]!.detail).toContain('sip:scn-09-test-carol@mcx-a.example.net');
    expect(result.steps[7]!.detail).toContain('sip:scn-09-test-carol.mcx-a@mcx-b.example.net');
    const after = await context().adminGet('mcx-a', CAROL_PROFILE);
    expect(after.version).toBe(before.version);
  }, 120_000);

  it('drops the NOTIFYs from CMS-A for a while: the UE logs them dropped and is synchronized once they get through again', async () => {
    const result = await run(`
name: sip fault
steps:
  - start_ue: { id: run-drop-alice, user: alice }
  - expect_state: { ue: run-drop-alice, state: STABLE, system: mcx-a }
  - sip_fault: { ue: run-drop-alice, peer: CMS-A, action: drop, direction: in, for: 2s }
  - admin_edit_profile: { ue: run-drop-alice, profile_name: after-a-drop }
  - expect_message: { ue: run-drop-alice, from: CMS-A, summary: 'NOTIFY' }
  - expect_message: { ue: run-drop-alice, from: CMS-A, summary: '[dropped by a fault]' }
  - expect_profile_synchronized: { ue: run-drop-alice, profile_name: after-a-drop, within: 40s }
  - expect_order: { ue: run-drop-alice, messages: [{ from: CMS-A, summary: '[dropped by a fault]' }, { to: CMS-A, summary: '200' }] }
`);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
  }, 120_000);

  it("expires a migrated UE's token: it exchanges its home token at IdMS-B again and registers anew", async () => {
    const result = await run(`
name: token expiry
steps:
  - start_ue: { id: run-exp-carol, user: carol }
  - expect_state: { ue: run-exp-carol, state: STABLE, system: mcx-a }
  - change_plmn: { ue: run-exp-carol, plmn: '00102' }
  - expect_state: { ue: run-exp-carol, state: STABLE, system: mcx-b }
  - expire_token: { ue: run-exp-carol }
  - expect_order: { ue: run-exp-carol, messages: [{ to: IdMS-B, summary: POST }, { to: MCS-B, summary: REGISTER }, { from: MCS-B, summary: '200' }] }
  - expect_state: { ue: run-exp-carol, state: STABLE, system: mcx-b, reason: 'tokens of mcx-b renewed' }
`);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
  }, 120_000);

  it('stops and starts a server: the UE waits to retry while IdMS-A is down and comes online once it is back', async () => {
    const result = await run(`
name: idms down
steps:
  - stop_server: { system: mcx-a, server: idms }
  - start_ue: { id: run-bob, user: bob }
  - expect_state: { ue: run-bob, state: RETRY_WAIT, within: 20s }
  - start_server: { system: mcx-a, server: idms }
  - expect_state: { ue: run-bob, state: STABLE, system: mcx-a, within: 60s }
`);
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
  }, 120_000);

  it('starts a stopped server again at the end when the scenario did not, and refuses fault steps without control of the ecosystem', async () => {
    const stopped = await run(`
name: left stopped
steps:
  - stop_server: { system: mcx-b, server: gms }
`);
    expect(stopped.ok).toBe(true);
    // GMS-B answers again: its admin API shows the group.
    const again = await run(
      `name: answers\nsteps:\n  - expect_group_member: { system: mcx-b, group: '${groupUriOf(running.ecosystem, 'rescue-b')}', member: 'sip:dave@mcx-b.example.net', within: 5s }\n`,
    );
    expect(again.steps.filter((s) => !s.ok)).toEqual([]);
    const restartRefused = await run('name: not alone\nsteps:\n  - restart_ecosystem: {}\n');
    expect(restartRefused.steps[0]!.detail).toMatch(
      /restart_ecosystem needs an ecosystem the runner started itself/,
    );
    const refused = await run(
      'name: no control\nsteps:\n  - stop_server: { system: mcx-a, server: cms }\n',
      context(false),
    );
    expect(refused.ok).toBe(false);
    expect(refused.steps[0]!.detail).toMatch(/fault injection needs an ecosystem the runner started itself/);
  }, 60_000);

  it('restarts the whole ecosystem: what the CMS stored is still there, and the edit is put back afterwards', async () => {
    const ctx = context();
    ctx.faults = {
      stopServer: (a, b) => running.systems.stopServer(a, b),
      startServer: (a, b) => running.systems.startServer(a, b),
      async restartEcosystem() {
        // The same ports: the stored UE initial configurations name them.
        const ecosystem = running.systems.ecosystem;
        await running.close();
        running = await startEcosystem({ ...options, ecosystem, ephemeralPorts: false });
        return { endpoints: running.endpoints, faults: running.systems };
      },
    };
    const before = await ctx.adminGet('mcx-a', ALICE_PROFILE);
    const previous = running;
    const result = await run(
      `
name: restart
steps:
  - start_ue: { id: run-restart-alice, user: alice }
  - expect_state: { ue: run-restart-alice, state: STABLE, system: mcx-a }
  - admin_edit_profile: { ue: run-restart-alice, profile_name: before-the-restart }
  - restart_ecosystem: {}
  - start_ue: { id: run-restart-alice-2, user: alice }
  - expect_state: { ue: run-restart-alice-2, state: STABLE, system: mcx-a, within: 60s }
  - expect_document: { ue: run-restart-alice-2, xpath: '//ProfileName', value: before-the-restart }
`,
      ctx,
    );
    expect(result.steps.filter((s) => !s.ok)).toEqual([]);
    expect(running).not.toBe(previous);
    expect((await context().adminGet('mcx-a', ALICE_PROFILE)).body).toBe(before.body);
  }, 180_000);
});
