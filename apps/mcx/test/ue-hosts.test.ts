/**
 * The UE load over several UE host processes (issue #17): `mcx bench migration --ue-hosts 2` with its
 * UE hosts in child processes, and `mcx ue-host` as a UE host of its own pointing at a running `mcx up`
 * from copies of what another machine would be given (endpoints file, lab CA, a control secret of
 * its own). Real processes (bin/mcx.js from the sources), real sockets, free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MCX, REPO, removeTestEcosystems, testEcosystem } from './test-ecosystem.ts';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterAll(removeTestEcosystems);


interface Run {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  exited: Promise<number | null>;
}

/** bin/mcx.js from the TypeScript sources (no dist build shared with other runs). */
function mcx(args: string[]): Run {
  const child = spawn(process.execPath, [MCX, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MCX_FROM_SOURCE: '1', MCX_MEMORY: '' } }); // '': the default memory mode
  let out = '';
  let all = '';
  child.stdout!.on('data', (d: Buffer) => ((out += d.toString()), (all += d.toString())));
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  return { child, output: () => all, stdout: () => out, exited: new Promise((r) => child.on('exit', (code) => r(code))) };
}

async function until(what: string, run: Run, ready: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (run.child.exitCode !== null) throw new Error(`${what}: the process exited with ${run.child.exitCode}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms:\n${run.output()}`);
    await pause(200);
  }
}

async function stop(run: Run): Promise<number | null> {
  if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGTERM');
  const code = await Promise.race([run.exited, pause(20_000).then(() => -1)]);
  if (code === -1) run.child.kill('SIGKILL');
  return code;
}

describe('UE hosts in processes of their own', () => {
  it('mcx bench migration --ue-hosts 2: every UE migrates, two hosts each with its share and CPU of its own, merged', async () => {
    const { config, dir } = testEcosystem('ue-hosts');
    const profile = join(dir, 'm.cpuprofile');
    const bench = mcx(['bench', 'migration', '--config', config, '--ues', '6', '--ue-hosts', '2', '--profile', profile, '--json']);
    const code = await Promise.race([bench.exited, pause(170_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') await stop(bench);
    expect(code, bench.output()).toBe(0);
    const report = JSON.parse(bench.stdout()) as {
      ues: number;
      ok: number;
      failed: number;
      online_failed: number;
      wall_ms: number;
      max_ms: number;
      processes: number;
      cpu_ms_per_migration: number;
      peak_rss_bytes: number;
      ue_host_processes: number;
      steps: Record<string, { n: number }>;
      process_usage: { name: string; cpu_ms: number; peak_rss_bytes: number }[];
      ue_hosts: { name: string; url: string; ues: number; ok: number; failed: number; cpu_ms: number; peak_rss_bytes: number }[];
      profile: { file: string; bytes: number; others?: string[] };
      exec_argv: string[];
    };
    expect([report.ues, report.ok, report.failed, report.online_failed]).toEqual([6, 6, 0, 0]);
    // MCX_MEMORY empty: the launcher's default V8 flags (bin/mcx.js), reported with the numbers.
    expect(report.exec_argv).toContain('--max-semi-space-size=64');
    expect(report.exec_argv.some((a) => a.startsWith('--heap-growing-percent'))).toBe(false);
    // The wall time holds every UE's migration (PLMN change -> configured in B).
    expect(report.wall_ms).toBeGreaterThanOrEqual(report.max_ms);
    expect(report.ue_host_processes).toBe(2);
    expect(report.ue_hosts.map((h) => [h.name, h.ues, h.ok, h.failed])).toEqual([
      ['ue-host-1', 3, 3, 0],
      ['ue-host-2', 3, 3, 0],
    ]);
    // Each host's process did work of its own in the migration phase, measured in that process.
    for (const h of report.ue_hosts) {
      expect(h.cpu_ms).toBeGreaterThan(0);
      expect(h.peak_rss_bytes).toBeGreaterThan(0);
      expect(new URL(h.url).port).not.toBe('');
    }
    expect(new Set(report.ue_hosts.map((h) => h.url)).size).toBe(2);
    // This process (the MC systems) and both hosts: CPU and RSS summed over the three.
    expect(report.process_usage.map((p) => p.name)).toEqual(['bench', 'ue-host-1', 'ue-host-2']);
    expect(report.processes).toBe(3);
    expect(report.peak_rss_bytes).toBe(report.process_usage.reduce((s, p) => s + p.peak_rss_bytes, 0));
    expect(report.cpu_ms_per_migration).toBeGreaterThan(0);
    // Per-step percentiles over the UEs of both hosts.
    expect(report.steps['token']?.n).toBe(6);
    // --profile: the bench's process (the MC systems) and each host's process, each in a file of its own.
    expect(report.profile.file).toBe(profile);
    expect(report.profile.others).toEqual([join(dir, 'm.ue-host-1.cpuprofile'), join(dir, 'm.ue-host-2.cpuprofile')]);
    const sources = (file: string) => {
      const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: { callFrame: { url: string } }[]; samples: number[] };
      expect(p.samples.length, file).toBeGreaterThan(0);
      return new Set(p.nodes.map((n) => n.callFrame.url.match(/\/(apps\/[a-z-]+)\/src\//)?.[1]).filter((a) => a !== undefined));
    };
    expect(sources(profile)).toContain('apps/cms');
    for (const file of report.profile.others!) {
      const apps = sources(file);
      expect(apps, file).toContain('apps/ue');
      expect(apps, file).not.toContain('apps/cms'); // a UE host runs no server
    }
  }, 180_000);

  it('mcx ue-host: a UE host of its own, given the endpoints, the lab CA and a control secret, brings a UE online and migrates it', async () => {
    const { dir, config, dataDir } = testEcosystem('ue-hosts');
    const up = mcx(['up', '--config', config, '--no-ues']);
    let host: Run | undefined;
    try {
      await until('mcx up ready', up, () => up.output().includes('Ready in'), 150_000);
      // What another machine is given: the endpoints as mcx endpoints --json prints them, the lab CA, a secret.
      const endpointsCmd = mcx(['endpoints', '--config', config, '--json']);
      expect(await endpointsCmd.exited, endpointsCmd.output()).toBe(0);
      const remote = join(dir, 'remote');
      const endpointsFile = join(dir, 'endpoints.json');
      writeFileSync(endpointsFile, endpointsCmd.stdout());
      const caFile = join(dir, 'ca.pem');
      copyFileSync(join(dataDir, 'tls', 'ca.pem'), caFile);
      const token = 'a-control-secret-of-this-host-only';
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, `${token}\n`);

      host = mcx(['ue-host', '--config', config, '--endpoints', endpointsFile, '--ca', caFile, '--control-token-file', tokenFile, '--data-dir', remote]);
      await until('mcx ue-host listening', host, () => /UE host listening: (http\S+)/.test(host!.stdout()), 60_000);
      const url = /UE host listening: (http\S+)/.exec(host.stdout())![1]!;
      const api = async <T>(method: string, path: string, body?: unknown, secret = token): Promise<{ status: number; body: T }> => {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { authorization: `Bearer ${secret}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
        });
        return { status: res.status, body: (res.status === 204 ? undefined : await res.json()) as T };
      };
      // Its own secret, not the lab's.
      const labToken = readFileSync(join(dataDir, 'secrets', 'control-token'), 'utf8').trim();
      expect((await api('GET', '/api/ues', undefined, labToken)).status).toBe(401);

      expect((await api('POST', '/api/ues', { id: 'ue-remote', user: 'alice' })).status).toBe(201);
      type Snap = { state: string; system: string | null; migrated: boolean };
      const snap = async () => (await api<Snap>('GET', '/api/ues/ue-remote')).body;
      const waitState = async (ok: (s: Snap) => boolean, what: string) => {
        const deadline = Date.now() + 60_000;
        let s = await snap();
        while (!ok(s)) {
          if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(s)}`);
          await pause(200);
          s = await snap();
        }
      };
      await waitState((s) => s.state === 'STABLE' && s.system === 'mcx-a', 'online in mcx-a');
      expect((await api('POST', '/api/ues/ue-remote/plmn', { plmn: '00102' })).status).toBe(202);
      await waitState((s) => s.state === 'STABLE' && s.system === 'mcx-b' && s.migrated, 'migrated to mcx-b');
      // Its UEs' protected copies are where it was told (the UE host's copy log, apps/ue at-rest/copy-log.ts).
      expect(statSync(join(remote, 'copies.log')).size).toBeGreaterThan(0);

      expect(await stop(host)).toBe(0);
      expect(host.output()).toContain('stopped.');
    } finally {
      if (host) await stop(host);
      await stop(up);
    }
  }, 240_000);
});
