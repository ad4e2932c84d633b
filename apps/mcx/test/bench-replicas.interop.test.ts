/**
 * `mcx bench migration --replicas 2` (issue #17): in one run, round A with one instance of each
 * server and round B with two instances of each system's CMS, GMS and MCS behind the HAProxy and
 * Kamailio fronts, both on PostgreSQL under a fresh `mcx_bench_<random>` prefix that is dropped at
 * the end. Interop tier (vitest.interop.config.ts): it needs haproxy and kamailio, which .ci/run
 * installs, and the PostgreSQL server .ci/run starts before this tier (MCX_TEST_DATABASE_URL, else
 * the local postgres://postgres@127.0.0.1:5432/). Real processes (bin/mcx.js from the sources),
 * real sockets, free ports; no assertion on the numbers' size, only that they are there.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MCX, REPO, removeTestEcosystems, testEcosystem } from './test-ecosystem.ts';

const DATABASE = process.env['MCX_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
afterAll(removeTestEcosystems);


function run(args: string[], ms: number): Promise<{ code: number | null; stdout: string; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [MCX, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MCX_FROM_SOURCE: '1' } });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, output });
    });
  });
}

async function databasesNamed(prefix: string): Promise<string[]> {
  const admin = new URL(DATABASE);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const rows = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '!'", [`${prefix.replace(/[!_%]/g, (c) => `!${c}`)}%`]);
    return rows.rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

interface Report {
  ues: number;
  ok: number;
  failed: number;
  online_failed: number;
  rate_per_s: number;
  cpu_ms_per_migration: number;
  peak_rss_bytes: number;
  replicas: number;
  database: string;
  process_usage: { name: string; cpu_ms: number; peak_rss_bytes: number }[];
  single_instance: { replicas: number; ues: number; ok: number; failed: number; online_failed: number; rate_per_s: number; cpu_ms_per_migration: number; p99_ms: number };
  rate_ratio: number;
}

describe('mcx bench migration --replicas', () => {
  it('--ues 6 --replicas 2: every UE migrates in both rounds, the single-instance round beside the replicated one, no bench database left', async () => {
    const config = testEcosystem('bench-replicas').config;
    // The UEs in the bench's own process (`--ue-hosts 0`), whatever the machine's cores: the processes summed are the replicas'.
    const bench = await run(['bench', 'migration', '--config', config, '--ues', '6', '--replicas', '2', '--db', DATABASE, '--ue-hosts', '0', '--json'], 280_000);
    expect(bench.code, bench.output).toBe(0);
    const report = JSON.parse(bench.stdout) as Report;
    // Round B: two instances of each replicated server.
    expect([report.ues, report.ok, report.failed, report.online_failed]).toEqual([6, 6, 0, 0]);
    expect(report.replicas).toBe(2);
    expect(report.database).toBe('postgresql');
    expect(report.rate_per_s).toBeGreaterThan(0);
    // Instance 2 runs in a process of its own, the fronts in theirs: both are in the sums.
    expect(report.process_usage.map((p) => p.name)).toEqual(['ue-host', 'replica-2', 'fronts']);
    expect(report.process_usage.find((p) => p.name === 'replica-2')!.cpu_ms).toBeGreaterThan(0);
    expect(report.process_usage.find((p) => p.name === 'fronts')!.peak_rss_bytes).toBeGreaterThan(0);
    expect(report.peak_rss_bytes).toBe(report.process_usage.reduce((s, p) => s + p.peak_rss_bytes, 0));
    // Round A: the single-instance reference of the same run.
    const a = report.single_instance;
    expect([a.replicas, a.ues, a.ok, a.failed, a.online_failed]).toEqual([1, 6, 6, 0, 0]);
    expect(a.rate_per_s).toBeGreaterThan(0);
    expect(a.cpu_ms_per_migration).toBeGreaterThan(0);
    expect(report.rate_ratio).toBeGreaterThan(0);
    // The rounds said which they were; the databases were on PostgreSQL and are gone.
    expect(bench.output).toMatch(/round A of 2/);
    expect(bench.output).toMatch(/round B of 2/);
    const prefix = /PostgreSQL databases (mcx_bench_[0-9a-f]+)_a_\*/.exec(bench.output)?.[1];
    expect(prefix, bench.output).toBeDefined();
    expect(bench.output).toMatch(new RegExp(`dropped [1-9]\\d* bench databases \\(${prefix}_\\*\\)`));
    expect(await databasesNamed(`${prefix}_`)).toEqual([]);
  }, 300_000);
});
