/**
 * `mcx bench soak [--ues N] [--minutes M] [--heap-snapshot DIR] [--json]`: boots the two MC
 * systems in this process as `mcx bench migration` does (bench-ecosystem.ts, free ports, a
 * temporary data directory), brings N UEs online in the primary system, then moves every UE back
 * and forth for M minutes, each on its own: PLMN of the partner → STABLE in the partner → home
 * PLMN → STABLE at home → ... (TS 24.484 4.2.2.1.2 migration and the return home). Every 10 s it
 * forces a garbage collection and samples `process.memoryUsage()` of this process (the whole
 * ecosystem). It prints what it measured: migrations and returns done, failures, memory at the
 * end of the warm-up, at the end, after the UEs are removed, the growth after warm-up and its
 * slope (least squares, MB per minute). Exit 1 when a move failed.
 *
 * Goal (issue #18): the memory after warm-up grows less than 50 MB over 10 minutes.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import { benchEcosystem, benchUsername } from './bench-ecosystem.ts';
import { BENCH_SCRYPT_COST } from './bench-migration.ts';
import { load } from './options.ts';

/** Memory sampling period (ms). */
export const SOAK_SAMPLE_MS = 10_000;
/** The warm-up: the first fifth of the run (2 min of 10; our choice: caches, JIT and pools fill up in it). */
export const SOAK_WARMUP_FRACTION = 0.2;
/** A move not STABLE within this long counts as failed (our choice: far above a loaded migration's p99). */
export const SOAK_MOVE_TIMEOUT_MS = 120_000;
/** How often the UE list is polled for the moves' ends (ms). */
const POLL_MS = 250;

export interface MemorySample {
  /** Seconds since the start of the moves. */
  t_s: number;
  rss_mb: number;
  heap_used_mb: number;
  external_mb: number;
  array_buffers_mb: number;
}

const MB = 1024 * 1024;
const round1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `gc()` of this process: V8's flag set at run time, the function taken from a fresh context. */
export function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function sample(gc: () => void, t0: number): MemorySample {
  gc();
  gc();
  const m = process.memoryUsage();
  return {
    t_s: Math.round((Date.now() - t0) / 1000),
    rss_mb: round1(m.rss / MB),
    heap_used_mb: round1(m.heapUsed / MB),
    external_mb: round1(m.external / MB),
    array_buffers_mb: round1(m.arrayBuffers / MB),
  };
}

/** Least-squares slope of `y` over `t_s`, per minute. */
export function slopePerMinute(samples: readonly MemorySample[], y: (s: MemorySample) => number): number {
  if (samples.length < 2) return 0;
  const n = samples.length;
  const mt = samples.reduce((a, s) => a + s.t_s, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  const num = samples.reduce((a, s) => a + (s.t_s - mt) * (y(s) - my), 0);
  const den = samples.reduce((a, s) => a + (s.t_s - mt) ** 2, 0);
  return den === 0 ? 0 : round1((num / den) * 60);
}

interface Leg {
  /** Where the UE is going: the partner or home. */
  to: 'partner' | 'home';
  since: number;
}

export async function soakBench(args: { config?: string; ues: number; minutes: number; json: boolean; heapSnapshotDir?: string }): Promise<number> {
  if (!Number.isInteger(args.ues) || args.ues < 1) throw new Error('--ues takes a positive integer');
  if (!(args.minutes > 0)) throw new Error('--minutes takes a positive number');
  const gc = exposeGc();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const loaded = load(args.config);
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, args.ues, BENCH_SCRYPT_COST);
  const [primary, partner] = ecosystem.systems;
  const homePlmn = primary!.plmns[0]!;
  const snapshotDir = args.heapSnapshotDir ? resolve(args.heapSnapshotDir) : undefined;
  if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
  const snapshots: string[] = [];
  const snapshot = (name: string) => {
    if (!snapshotDir) return;
    gc();
    snapshots.push(writeHeapSnapshot(join(snapshotDir, `soak-${name}.heapsnapshot`)));
    progress(`heap snapshot: ${snapshots[snapshots.length - 1]}`);
  };
  const dir = mkdtempSync(join(tmpdir(), 'mcx-soak-'));
  let own: RunningEcosystem | undefined;
  try {
    const loadavgBefore = loadavg().map((x) => Math.round(x * 100) / 100);
    progress(`booting both MC systems with ${args.ues} users (data in ${dir})`);
    own = await startEcosystem({ ecosystem, dataDir: dir, ephemeralPorts: true, startUes: false, console: false, configFile: loaded.file });
    const client = new UeHostClient(own.endpoints.ueHost, { token: own.control.token });
    const prefix = `soak${Date.now().toString(36)}`;
    // A poll the loaded host did not answer (a connection reset while a heap snapshot or a GC held
    // this process) is counted and the next poll tries again: the UEs move on either way.
    let pollErrors = 0;
    let last: UeSnapshot[] = [];
    const mine = async () => {
      try {
        last = (await client.listUes(`${prefix}-`)).filter((u) => u.id.startsWith(`${prefix}-`));
      } catch (e) {
        pollErrors += 1;
        progress(`poll of the UE host failed (${(e as Error).message}${(e as Error).cause ? `: ${String((e as Error).cause)}` : ''}); polling on`);
      }
      return last;
    };

    // Step 1: the UEs come online in the primary system.
    const booted = sample(gc, Date.now());
    await client.createBulk({ count: args.ues, users: Array.from({ length: args.ues }, (_, i) => benchUsername(i)), prefix });
    const onlineDeadline = Date.now() + 600_000;
    let ues: UeSnapshot[] = await mine();
    while ((ues.length < args.ues || ues.some((u) => u.state !== 'STABLE' && u.state !== 'FAILED')) && Date.now() < onlineDeadline) {
      await sleep(500);
      ues = await mine();
    }
    const online = ues.filter((u) => u.state === 'STABLE');
    progress(`${online.length}/${args.ues} UEs online`);

    // What the UE host holds (it should not grow with the moves): its SIP endpoint's transactions,
    // dialog routes and timers, and the messages its tap keeps.
    const host = own.ueHost.host;
    const countsNow = () => ({ ...host.endpoint.stats(), log_messages: host.log.size.messages, ues: host.ues().length });
    const counts: Record<string, ReturnType<typeof countsNow>> = { start: countsNow() };

    // Step 2: each UE moves on its own, back and forth, until the time is up.
    const t0 = Date.now();
    const durationMs = args.minutes * 60_000;
    const warmupMs = durationMs * SOAK_WARMUP_FRACTION;
    const legs = new Map<string, Leg>();
    let migrations = 0;
    let returns = 0;
    const failures: Array<{ ue: string; to: string; state: string; step?: string; reason?: string }> = [];
    const samples: MemorySample[] = [sample(gc, t0)];
    let warmup: MemorySample | undefined;
    const send = async (id: string, to: Leg['to']) => {
      legs.set(id, { to, since: Date.now() });
      try {
        await client.changePlmn(id, to === 'partner' ? partnerPlmn : homePlmn);
      } catch (e) {
        failures.push({ ue: id, to, state: 'refused', reason: (e as Error).message });
        if (failures.length <= 3) progress(`${id}: the PLMN change was refused: ${(e as Error).message}`);
        legs.delete(id);
      }
    };
    await Promise.all(online.map((u) => send(u.id, 'partner')));
    let nextSample = t0 + SOAK_SAMPLE_MS;
    while (Date.now() - t0 < durationMs) {
      await sleep(POLL_MS);
      const now = Date.now();
      if (now >= nextSample) {
        const s = sample(gc, t0);
        samples.push(s);
        nextSample = now + SOAK_SAMPLE_MS;
        if (!warmup && now - t0 >= warmupMs) {
          warmup = s;
          counts.warmup = countsNow();
          snapshot('warmup');
        }
        progress(`${s.t_s} s: ${migrations} migrations, ${returns} returns, ${failures.length} failures; rss ${s.rss_mb} MB, heap ${s.heap_used_mb} MB`);
      }
      const moves: Promise<void>[] = [];
      for (const u of await mine()) {
        const leg = legs.get(u.id);
        if (!leg) continue;
        const arrived = u.state === 'STABLE' && (leg.to === 'partner' ? u.system === partner!.id : u.system === primary!.id);
        const failed = u.state === 'FAILED' || u.state === 'MIGRATION_FAILED' || Date.now() - leg.since > SOAK_MOVE_TIMEOUT_MS;
        if (arrived) {
          if (leg.to === 'partner') migrations++;
          else returns++;
          moves.push(send(u.id, leg.to === 'partner' ? 'home' : 'partner'));
        } else if (failed) {
          failures.push({ ue: u.id, to: leg.to, state: u.state, ...(u.error ? { step: u.error.step, reason: u.error.reason } : {}) });
          if (failures.length <= 3) progress(`${u.id}: the move to ${leg.to} ended ${u.state}${u.error ? ` at ${u.error.step}: ${u.error.reason}` : ''}`);
          // The UE stays configured where it was (MIGRATION_FAILED): it tries the same move again.
          moves.push(send(u.id, leg.to));
        }
      }
      await Promise.all(moves);
    }
    legs.clear();
    const end = sample(gc, t0);
    counts.end = countsNow();
    samples.push(end);
    snapshot('end');
    const warm = warmup ?? samples[0]!;

    // Step 3: the UEs are removed (they un-subscribe and stop); what stays is what leaked.
    progress(`removing ${ues.length} UEs`);
    // A connection the host closed while a heap snapshot held this process is retried once.
    const remove = (id: string) => client.deleteUe(id).catch(() => client.deleteUe(id));
    for (let i = 0; i < ues.length; i += 50) await Promise.all(ues.slice(i, i + 50).map((u) => remove(u.id)));
    // The UE host's transactions end by RFC 3261 timers (Timer J: 64*T1 over UDP) and its dialogs
    // with the last NOTIFY: wait for them (at most 64*T1 + T4 at the default timers, 37 s).
    const drainDeadline = Date.now() + 37_000;
    while (Date.now() < drainDeadline) {
      const c = countsNow();
      if (c.serverTransactions + c.clientTransactions + c.dialogRoutes === 0) break;
      await sleep(1_000);
    }
    const removed = sample(gc, t0);
    counts.after_removal = countsNow();

    const afterWarmup = samples.filter((s) => s.t_s >= warm.t_s);
    const report = {
      bench: 'soak',
      ues: args.ues,
      online: online.length,
      minutes: args.minutes,
      warmup_s: warm.t_s,
      migrations,
      returns,
      failed: failures.length,
      poll_errors: pollErrors,
      migrations_per_min: round1(migrations / args.minutes),
      memory_mb: { booted, start: samples[0], warmup: warm, end, after_removal: removed },
      ue_host_counts: counts,
      growth_after_warmup_mb: {
        rss: round1(end.rss_mb - warm.rss_mb),
        heap_used: round1(end.heap_used_mb - warm.heap_used_mb),
        external: round1(end.external_mb - warm.external_mb),
      },
      slope_after_warmup_mb_per_min: {
        rss: slopePerMinute(afterWarmup, (s) => s.rss_mb),
        heap_used: slopePerMinute(afterWarmup, (s) => s.heap_used_mb),
      },
      samples,
      loadavg_before: loadavgBefore,
      loadavg_after: loadavg().map((x) => Math.round(x * 100) / 100),
      ...(snapshots.length ? { heap_snapshots: snapshots } : {}),
      failures: failures.slice(0, 20),
    };
    process.stdout.write(args.json ? `${JSON.stringify(report)}\n` : `${JSON.stringify(report, null, 2)}\n`);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await own?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
