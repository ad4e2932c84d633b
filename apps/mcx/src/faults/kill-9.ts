/**
 * Fault case `kill-9` (issue #18, "kill -9 during a migration -> everything converges"): the
 * whole ecosystem as a child process (`mcx up` on a temporary ecosystem file and data directory,
 * embedded SQLite), N UEs of that file (`--ues`, default 200) online in the primary system, every
 * PLMN changed at once, and the process killed with SIGKILL while they migrate. Then:
 * - every SQLite file passes `PRAGMA integrity_check`;
 * - `mcx up` again on the same data directory: every document committed before the kill is there
 *   (same or newer version); every subscription row committed before the kill is on disk after it;
 * - the UEs of the file come online again and, their PLMN changed again, all migrate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { openDatabase } from '@mcx/db';
import { allocatePorts, readControlToken } from '@mcx/mc-system';
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';
import { BENCH_SCRYPT_COST } from '../commands/bench-migration.ts';
import { benchEcosystem, benchUsername } from '../commands/bench-ecosystem.ts';
import { load, REPO_ROOT } from '../commands/options.ts';
import type { FaultCase, FaultCaseOptions, FaultReport } from './fault-case.ts';

/** How long after the PLMN changes the process is killed (our choice: while the first migrations are in flight). */
export const KILL_AFTER_MS = 1_000;
/** Give up waiting for a phase after this long (ms). */
const PHASE_TIMEOUT_MS = 600_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A control API call, made again (up to 3 times, 1 s apart) when it fails at the socket ("fetch failed"); idempotent calls only. */
async function retried<T>(call: () => Promise<T>, say: (line: string) => void): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= 3 || !(err instanceof TypeError)) throw err;
      say(`the UE host call failed (${err.message}${err.cause ? `: ${(err.cause as Error).message}` : ''}); again in 1 s`);
      await sleep(1000);
    }
  }
}

interface Up {
  /** The launcher (bin/mcx.js). */
  child: ChildProcess;
  /** The ecosystem's own process (the launcher's child; its pid is in the runtime file). */
  pid: number;
  exited: Promise<number | null>;
  ueHost: string;
  readyMs: number;
  /** What it printed (standard output and error). */
  output(): string;
}

/** `mcx up --config <file>` as a child process; resolves once it printed "Ready in" and wrote its runtime file (a pid other than `stalePid`). */
async function up(config: string, dataDir: string, stalePid?: number): Promise<Up> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [join(REPO_ROOT, 'apps/mcx/bin/mcx.js'), 'up', '--config', config], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const runtime = join(dataDir, 'run', 'endpoints.json');
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mcx up exited with ${child.exitCode}:\n${output.slice(-2000)}`);
    if (output.includes('Ready in') && existsSync(runtime)) {
      const endpoints = JSON.parse(readFileSync(runtime, 'utf8')) as { pid: number; ueHost: string };
      if (endpoints.pid !== stalePid) return { child, pid: endpoints.pid, exited, ueHost: endpoints.ueHost, readyMs: Date.now() - t0, output: () => output };
    }
    if (Date.now() - t0 > PHASE_TIMEOUT_MS) {
      child.kill('SIGKILL');
      throw new Error(`mcx up not ready within ${PHASE_TIMEOUT_MS} ms:\n${output.slice(-2000)}`);
    }
    await sleep(200);
  }
}

/** Documents (with their version) and subscriptions of every server database of the data directory. */
async function rows(dataDir: string): Promise<{ documents: Map<string, number>; subscriptions: Set<string>; integrity: string[] }> {
  const documents = new Map<string, number>();
  const subscriptions = new Set<string>();
  const integrity: string[] = [];
  for (const file of readdirSync(dataDir).filter((f) => f.endsWith('.db'))) {
    const db = await openDatabase({ url: `file:${join(dataDir, file)}` });
    try {
      const check = await db.prisma.$queryRawUnsafe<{ integrity_check: string }[]>('PRAGMA integrity_check');
      if (check[0]?.integrity_check !== 'ok') integrity.push(`${file}: ${JSON.stringify(check)}`);
      for (const d of await db.prisma.xcapDocument.findMany({ select: { server: true, selector: true, version: true } })) documents.set(`${file} ${d.server} ${d.selector}`, d.version);
      for (const s of await db.prisma.subscription.findMany({ select: { id: true } })) subscriptions.add(`${file} ${s.id}`);
    } finally {
      await db.close();
    }
  }
  return { documents, subscriptions, integrity };
}

async function until(client: UeHostClient, ids: string[], done: (u: UeSnapshot) => boolean, what: string, say: (line: string) => void): Promise<UeSnapshot[]> {
  const t0 = Date.now();
  for (;;) {
    const list = (await retried(() => client.listUes(), say)).filter((u) => ids.includes(u.id));
    const finished = list.filter(done).length;
    say(`${what}: ${finished}/${ids.length} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if ((finished === ids.length && list.length === ids.length) || Date.now() - t0 > PHASE_TIMEOUT_MS) return list;
    await sleep(1000);
  }
}

const stable = (u: UeSnapshot) => u.state === 'STABLE' || u.state === 'FAILED';
const settledMigration = (home: string) => (u: UeSnapshot) => (u.state === 'STABLE' && u.system !== home) || u.state === 'MIGRATION_FAILED' || u.state === 'FAILED';

export async function runKill9(options: FaultCaseOptions): Promise<FaultReport> {
  const n = options.ues ?? 200;
  const say = options.progress;
  const loaded = load(options.config);
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, n, BENCH_SCRYPT_COST);
  const home = ecosystem.systems.find((s) => s.role === 'primary')!.id;
  const ids = Array.from({ length: n }, (_, i) => `ue-${benchUsername(i)}`);
  const dir = mkdtempSync(join(tmpdir(), 'mcx-fault-kill9-'));
  const dataDir = join(dir, 'data');
  const config = join(dir, 'ecosystem.yaml');
  // The bench ecosystem with one UE per user in the file, so that `mcx up` creates them at every
  // start, on ports chosen now and kept across the restart (the stored documents embed the servers' URLs).
  const fixed = await allocatePorts(ecosystem);
  writeFileSync(config, stringify({ ...fixed, dataDir, ues: ids.map((id, i) => ({ id, user: benchUsername(i) })) }));
  let running: Up | undefined;
  try {
    say(`mcx up with ${n} users and UEs (data in ${dir})`);
    running = await up(config, dataDir);
    let client = new UeHostClient(running.ueHost, { token: readControlToken(dataDir) });
    const online = await until(client, ids, stable, 'online', say);
    const onlineOk = online.filter((u) => u.state === 'STABLE').length;

    await retried(() => client.changePlmnBulk({ ids, plmn: partnerPlmn }), say);
    await sleep(KILL_AFTER_MS);
    const atKill = (await retried(() => client.listUes(), say)).filter((u) => ids.includes(u.id) && u.state === 'STABLE' && u.system !== home).length;
    const before = await rows(dataDir);
    // kill -9 of the ecosystem's process itself (the launcher then exits too).
    const killed = running.pid;
    process.kill(killed, 'SIGKILL');
    await running.exited;
    say(`killed mcx up (pid ${killed}) with SIGKILL (${atKill}/${n} migrated)`);
    const afterKill = await rows(dataDir);

    running = await up(config, dataDir, killed);
    const restartReadyMs = running.readyMs;
    say(`mcx up again: ready in ${(restartReadyMs / 1000).toFixed(1)} s`);
    const afterRestart = await rows(dataDir);
    const documentsLost = [...before.documents].filter(([k, v]) => (afterRestart.documents.get(k) ?? -1) < v).map(([k]) => k);
    // A subscription row committed before the kill must be on disk after it. After the restart some
    // rows go on purpose: the UEs died with the process, so a restored subscription's first NOTIFY
    // fails and ends it (RFC 6665 clause 4.2.2), and the restarted UEs subscribe again.
    const subscriptionsLost = [...before.subscriptions].filter((k) => !afterKill.subscriptions.has(k));
    client = new UeHostClient(running.ueHost, { token: readControlToken(dataDir) });
    const t0 = Date.now();
    const again = await until(client, ids, stable, 'online again', say);
    const onlineAgain = again.filter((u) => u.state === 'STABLE').length;
    await retried(() => client.changePlmnBulk({ ids, plmn: partnerPlmn }), say);
    const migrated = await until(client, ids, settledMigration(home), 'migrated', say);
    const ok = migrated.filter((u) => u.state === 'STABLE' && u.system !== home).length;
    const convergeMs = Date.now() - t0;
    running.child.kill('SIGTERM');
    const code = await Promise.race([running.exited, sleep(30_000).then(() => 'timeout' as const)]);
    if (code === 'timeout') running.child.kill('SIGKILL');
    running = undefined;
    return {
      case: 'kill-9',
      goal: `mcx up killed with SIGKILL while ${n} UEs migrate: SQLite intact, every document and subscription back after a restart, ${n}/${n} UEs online again and migrated`,
      ok: afterKill.integrity.length === 0 && documentsLost.length === 0 && subscriptionsLost.length === 0 && onlineOk === n && onlineAgain === n && ok === n,
      ues: n,
      online_before_kill: onlineOk,
      migrated_at_kill: atKill,
      kill_after_plmn_change_ms: KILL_AFTER_MS,
      integrity_errors: afterKill.integrity.length,
      documents_checked: before.documents.size,
      documents_lost: documentsLost.length,
      subscriptions_checked: before.subscriptions.size,
      subscriptions_lost: subscriptionsLost.length,
      subscriptions_after_restart: afterRestart.subscriptions.size,
      restart_ready_ms: restartReadyMs,
      online_after_restart: onlineAgain,
      migrated_after_restart: ok,
      converge_after_restart_ms: convergeMs,
      clean_stop_exit_code: code,
      failures: migrated.filter((u) => !(u.state === 'STABLE' && u.system !== home)).slice(0, 10).map((u) => ({ ue: u.id, state: u.state, ...(u.error ? { step: u.error.step, reason: u.error.reason } : {}) })),
      ...(documentsLost.length ? { lost_documents: documentsLost.slice(0, 10) } : {}),
      ...(afterKill.integrity.length ? { integrity: afterKill.integrity.slice(0, 5) } : {}),
    };
  } catch (err) {
    if (running) say(`mcx up printed:\n${running.output().slice(-3000)}`);
    throw err;
  } finally {
    if (running) {
      for (const pid of [running.pid, running.child.pid]) {
        try {
          if (pid) process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await running.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export const kill9Case: FaultCase = {
  name: 'kill-9',
  summary: 'mcx up (SQLite) killed with SIGKILL while the UEs migrate, then started again on the same data directory',
  run: runKill9,
};
