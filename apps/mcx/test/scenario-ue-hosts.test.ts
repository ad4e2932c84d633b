/**
 * `mcx scenario run --ue-hosts N` (issue #17): the scenario runner starts N UE host processes for
 * the ecosystem it starts itself, places each UE a scenario creates on one of them (round-robin in
 * creation order) and sends every step on that UE to its host; one merged report that names each
 * UE's host. Real processes (bin/mcx.js from the sources), real sockets, free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { MCX, REPO, removeTestEcosystems, runMcx, testEcosystem } from './test-ecosystem.ts';
import { UeHostRouter } from '../src/scenario/ue-hosts.ts';

afterAll(removeTestEcosystems);


/** A long-running bin/mcx.js (mcx up, mcx ue-host): waits for `ready` in its output. */
async function start(
  args: string[],
  ready: RegExp,
  ms: number,
): Promise<{ child: ChildProcess; match: RegExpExecArray; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [MCX, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCX_FROM_SOURCE: '1' },
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + ms;
  for (;;) {
    const match = ready.exec(output);
    if (match) return { child, match, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`mcx ${args[0]}: not ready (${ready}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Report {
  passed: number;
  failed: number;
  results: {
    file: string;
    ok: boolean;
    steps: { step: string; ok: boolean; ue_host?: string; detail: string }[];
    ue_hosts?: { ue: string; host: string; url: string }[];
  }[];
}

describe('mcx scenario run --ue-hosts', () => {
  it('runs 02 and 11 over two UE host processes: every step passes, UEs round-robin, the report names the host of each UE and step', async () => {
    const config = testEcosystem('scenario-ue-hosts').config;
    const run = await runMcx(
      [
        'scenario',
        'run',
        'scenarios/02-migration-a-to-b-and-back.yaml',
        'scenarios/11-concurrent-migrations.yaml',
        '--ue-hosts',
        '2',
        '--json',
        '--config',
        config,
      ],
      240_000,
    );
    expect(run.code, run.output).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect([report.passed, report.failed]).toEqual([2, 0]);
    const [mig, conc] = report.results;
    // Round-robin in creation order over the run: 02's UE on the first host, 11's two UEs on the second and the first.
    expect(mig!.ue_hosts?.map((h) => [h.ue, h.host])).toEqual([['sc-mig-alice', 'ue-host-1']]);
    expect(conc!.ue_hosts?.map((h) => [h.ue, h.host])).toEqual([
      ['sc-conc-alice', 'ue-host-2'],
      ['sc-conc-carol', 'ue-host-1'],
    ]);
    // Two distinct hosts (processes of their own: distinct control API ports), the same one for ue-host-1 in both scenarios.
    const urls = new Set(conc!.ue_hosts!.map((h) => h.url));
    expect(urls.size).toBe(2);
    expect(mig!.ue_hosts![0]!.url).toBe(conc!.ue_hosts!.find((h) => h.host === 'ue-host-1')!.url);
    // Each step on a UE went to (and names) its UE's host; a mark addresses none.
    for (const r of report.results)
      for (const s of r.steps) {
        expect(s.ok, `${s.step}: ${s.detail}`).toBe(true);
        const ue = r.ue_hosts!.find((h) => s.step.includes(h.ue));
        if (ue) expect(s.ue_host, s.step).toBe(ue.host);
      }
    expect(conc!.steps.find((s) => s.step.startsWith('mark'))!.ue_host).toBeUndefined();
    expect(conc!.steps.find((s) => s.step === 'start_ue sc-conc-alice (alice)')!.detail).toBe(
      'started sc-conc-alice on ue-host-2',
    );
    // Both migrations (the ones on ue-host-2 and ue-host-1) saw IdMS-B, MCS-B and CMS-B in order.
    expect(conc!.steps.filter((s) => s.step.startsWith('expect_order')).map((s) => s.ue_host)).toEqual([
      'ue-host-2',
      'ue-host-1',
    ]);
  }, 250_000);

  it('--ue-host URL twice: UE hosts already running (mcx ue-host) for a running mcx up take the UEs round-robin', async () => {
    const config = testEcosystem('scenario-ue-hosts').config;
    const up = await start(['up', '--config', config, '--no-ues'], /Ready in/, 150_000);
    const hosts: Awaited<ReturnType<typeof start>>[] = [];
    try {
      // Each with the lab control secret of the data directory (mcx ue-host's default).
      for (let i = 0; i < 2; i++)
        hosts.push(await start(['ue-host', '--config', config], /UE host listening: (http\S+)/, 60_000));
      const [url1, url2] = hosts.map((h) => h.match[1]!);
      const run = await runMcx(
        [
          'scenario',
          'run',
          'scenarios/11-concurrent-migrations.yaml',
          '--ue-host',
          url1!,
          '--ue-host',
          url2!,
          '--json',
          '--config',
          config,
        ],
        120_000,
      );
      expect(run.code, run.output).toBe(0);
      const report = JSON.parse(run.stdout) as Report;
      expect(report.results[0]!.ue_hosts).toEqual([
        { ue: 'sc-conc-alice', host: url1, url: url1 },
        { ue: 'sc-conc-carol', host: url2, url: url2 },
      ]);
      // The UEs were created on those hosts (and stopped there at the end of the scenario).
      expect(report.results[0]!.steps[1]!.detail).toBe(`started sc-conc-carol on ${url2}`);
    } finally {
      for (const h of hosts) await h.stop();
      await up.stop();
    }
  }, 300_000);

  it('refuses --ue-host without a running ecosystem, and --ue-hosts with --ue-host', async () => {
    const config = testEcosystem('scenario-ue-hosts').config;
    const alone = await runMcx(
      [
        'scenario',
        'run',
        'scenarios/02-migration-a-to-b-and-back.yaml',
        '--ue-host',
        'http://127.0.0.1:1',
        '--config',
        config,
      ],
      60_000,
    );
    expect(alone.code).not.toBe(0);
    expect(alone.output).toContain('none runs for');
    const both = await runMcx(
      [
        'scenario',
        'run',
        'scenarios/02-migration-a-to-b-and-back.yaml',
        '--ue-hosts',
        '2',
        '--ue-host',
        'http://127.0.0.1:1',
        '--config',
        config,
      ],
      60_000,
    );
    expect(both.code).not.toBe(0);
    expect(both.output).toContain('not both');
  }, 130_000);
});

describe('UeHostRouter', () => {
  it('places UEs round-robin in creation order, routes to the owner, forgets released UEs', () => {
    const h = (n: number) => ({ name: `ue-host-${n}`, url: `http://127.0.0.1:${4000 + n}`, token: 't' });
    const router = new UeHostRouter([h(1), h(2)]);
    expect(['a', 'b', 'c'].map((ue) => router.assign(ue).name)).toEqual([
      'ue-host-1',
      'ue-host-2',
      'ue-host-1',
    ]);
    expect(router.of('b')?.name).toBe('ue-host-2');
    expect(router.of('never-created')).toBeUndefined();
    router.release('b');
    expect(router.of('b')).toBeUndefined();
    router.replace([h(3)]);
    expect(router.of('a')).toBeUndefined();
    expect(router.assign('d').name).toBe('ue-host-3');
  });
});
