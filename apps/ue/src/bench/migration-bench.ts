/**
 * The migration benchmark (`mcx bench migration --ues N`): N UEs, one per user (distinct users,
 * each with its own profiles, groups and migration authorization, created by the caller), come
 * online in the primary system; then every UE's registered PLMN changes at once. Per UE the time
 * from its PLMN change to "configured in the partner system" (measured by the UE:
 * timings.migrationMs) and the duration of each step of its migration (timings.steps, recorded by
 * the UE's step runner). Drives UE hosts through their control API only: one (`ueHostUrl`), or
 * several (`ueHosts`, `mcx bench migration --ue-hosts N`), each owning a contiguous share of the UEs
 * (our choice: UE i of N on host floor(i·H/N)); every phase runs on every host at once and the
 * results are merged: counts summed, percentiles over the raw samples of every UE of every host.
 *
 * CPU, memory and the CPU profile are those of THIS process (the MC systems, and the UEs too with
 * `--ue-hosts 0`); CPU and memory are summed with `otherProcesses` when the MC systems or the UE
 * hosts run in processes of their own (`--processes per-system`, `--ue-hosts N`, the UE host process
 * `mcx bench migration` starts by default on two cores or more), and those that can profile
 * themselves write CPU profiles of their own.
 */
import { loadavg } from 'node:os';
import { UeHostClient, type UeSnapshot, type UeState, type UeSummary } from '@mcx/ue-host-api';
import { startV8Profile, type V8Profiler } from '@mcx/v8-profile';

/** One of several UE hosts the bench drives (`ueHosts`). */
export interface BenchUeHost {
  /** Its name in the report (`ue_hosts`, `process_usage`: the CPU of an `otherProcesses` entry of that name is the host's). */
  name: string;
  /** Control API base URL. */
  url: string;
  /** Its control secret. */
  token?: string;
}

export interface MigrationBenchOptions {
  /** Control API base URL of the UE host (one host; `ueHosts` for several). */
  ueHostUrl?: string;
  /** The host's control secret (docs/ue-host-api.md "Authentication"). */
  ueHostToken?: string;
  /**
   * Several UE hosts (processes of their own, e.g. `--ue-hosts N`): the UEs are shared out in
   * contiguous shares; this process is then named "bench" in `process_usage`, not "ue-host".
   */
  ueHosts?: BenchUeHost[];
  /** Number of UEs. */
  n: number;
  /** The users the UEs log in as, UE i as users[i % length]: give N distinct users to measure N users. */
  users?: string[];
  /** One user for every UE (when `users` is not given). Default alice. */
  user?: string;
  /** PLMN of the partner system. Default 00102. */
  partnerPlmn?: string;
  /** Id prefix of the bench UEs. */
  prefix?: string;
  /** Give up after this long per phase (ms). Default 10 min. */
  timeoutMs?: number;
  /** Delete the UEs afterwards (default true). */
  cleanup?: boolean;
  /** Called with progress lines. */
  progress?: (line: string) => void;
  /**
   * Write a V8 CPU profile (.cpuprofile) of this process during the migration phase to this file, and
   * one of each other process that can profile itself (`otherProcesses.profile`) to files of its own;
   * a file ending in `.heapprofile` gets an allocation profile instead (libs/v8-profile).
   */
  profile?: string;
  /** Started right after the PLMN changes and awaited before the report (a fault injected while the UEs migrate: `mcx bench faults`). */
  duringMigration?: () => Promise<void>;
  /**
   * The other processes of the ecosystem (MC systems in processes of their own): their CPU time in
   * the migration phase and their peak RSS are added to this process's (`reset` restarts their peaks).
   */
  otherProcesses?: {
    usage(reset?: boolean): Promise<{ name: string; cpuMicros: number; peakRssBytes: number }[]>;
    /** Starts a CPU profile of each of them (`profile` is this process's file); the function returned stops and writes them, resolving with their files. */
    profile?(file: string): Promise<() => Promise<string[]>>;
  };
}

/** One process's share of the run (`process_usage`): CPU of the migration phase and peak RSS. */
export interface ProcessShare {
  name: string;
  cpu_ms: number;
  peak_rss_bytes: number;
}

/** One UE host's part of the run (`ue_hosts`). */
export interface UeHostShare {
  name: string;
  url: string;
  ues: number;
  ok: number;
  failed: number;
  online_failed: number;
  p50_ms: number;
  p99_ms: number;
  /** CPU time of its process in the migration phase (ms), when its process is one of `otherProcesses`. */
  cpu_ms?: number;
  peak_rss_bytes?: number;
}

/** p50 and p99 of a duration (ms) over the UEs that have it. */
export interface Percentiles {
  p50: number;
  p99: number;
  /** UEs that recorded it. */
  n: number;
}

export interface BenchFailure {
  ue: string;
  user: string;
  phase: 'online' | 'migration';
  /** The UE host it ran on (`ueHosts`). */
  host?: string;
  state: string;
  step?: string;
  reason?: string;
}

export interface MigrationBenchResult {
  ues: number;
  /** Distinct users the UEs logged in as. */
  users: number;
  ok: number;
  failed: number;
  /** Wall time from the PLMN changes to the last UE migrated (its `timings.configuredAt`), in ms. */
  wall_ms: number;
  /** Migrations completed per second of wall time. */
  rate_per_s: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** CPU time (user + system) during the migration phase, of this process and the others, divided by N (ms). */
  cpu_ms_per_migration: number;
  /** Time to bring the N UEs online in the primary system (ms), and the rate. */
  online_ms: number;
  online_rate_per_s: number;
  online_failed: number;
  /** Peak RSS during the run (sampled every 100 ms): of this process, plus each other process's peak when there are others. */
  peak_rss_bytes: number;
  /** Processes the numbers are summed over (1: this one alone). */
  processes: number;
  /** Per process (this one is "ue-host", or "bench" with `ueHosts`), when there are others. */
  process_usage?: ProcessShare[];
  /** Per UE host (`ueHosts` only): its share of the UEs and what they did; CPU and RSS of its process when measured. */
  ue_hosts?: UeHostShare[];
  /** Per step of the migration, over the migrated UEs (ms). */
  steps: Record<string, Percentiles>;
  /** Per step of the online configuration, over the UEs that came online (ms). */
  online_steps: Record<string, Percentiles>;
  /** os.loadavg() when the bench started. */
  loadavg_before: number[];
  /** The CPU profile written (when asked), and those of the other processes (`others`: their files). */
  profile?: { file: string; bytes: number; others?: string[] };
  failures: BenchFailure[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function percentiles(values: number[]): Percentiles {
  const sorted = values.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

/** What the report calls each step (TS 24.484 4.2.2.1.1 / 4.2.2.1.2.1 steps, `timings.steps` names); the concurrent CMS and GMS subscriptions count by the slower. */
const MIGRATION_STEPS: Record<string, string[]> = {
  select_partner: ['select-partner'],
  select_profile: ['select-profile'],
  token: ['migration-token'],
  exchange: ['token-exchange'],
  register: ['migration-service-authorization'],
  subscribe: ['subscribe-partner-cms/SUBSCRIBE', 'subscribe-partner-gms/SUBSCRIBE'],
  first_notify: ['subscribe-partner-cms/NOTIFY', 'subscribe-partner-gms/NOTIFY'],
  gets: ['subscribe-partner-cms/GET', 'subscribe-partner-gms/GET'],
  subscriptions: ['subscribe-partner-cms', 'subscribe-partner-gms'],
};

const ONLINE_STEPS: Record<string, string[]> = {
  ue_init_config: ['ue-init-config'],
  login: ['login'],
  register: ['service-authorization'],
  subscribe: ['subscribe-cms/SUBSCRIBE', 'subscribe-gms/SUBSCRIBE'],
  first_notify: ['subscribe-cms/NOTIFY', 'subscribe-gms/NOTIFY'],
  gets: ['subscribe-cms/GET', 'subscribe-gms/GET'],
  subscriptions: ['subscribe-cms', 'subscribe-gms'],
};

function stepTable(ues: readonly UeSnapshot[], names: Record<string, string[]>, total?: (u: UeSnapshot) => number | undefined): Record<string, Percentiles> {
  const out: Record<string, Percentiles> = {};
  const sumOf = (steps: Record<string, number>) =>
    Object.entries(names)
      .filter(([k]) => !['subscribe', 'first_notify', 'gets'].includes(k))
      .reduce((sum, [, keys]) => sum + Math.max(0, ...keys.map((k) => steps[k] ?? 0)), 0);
  for (const [label, keys] of Object.entries(names)) {
    const values = ues.flatMap((u) => {
      const steps = u.timings.steps ?? {};
      const got = keys.map((k) => steps[k]).filter((v): v is number => v !== undefined);
      return got.length ? [Math.max(...got)] : [];
    });
    if (values.length) out[label] = percentiles(values);
  }
  if (total) {
    // What the steps do not account for: waiting for a procedure slot of the host, leaving the previous system.
    const other = ues.flatMap((u) => {
      const t = total(u);
      return t === undefined || !u.timings.steps ? [] : [Math.max(0, Math.round(t - sumOf(u.timings.steps)))];
    });
    if (other.length) out['other'] = percentiles(other);
  }
  return out;
}

function failureOf(u: UeSnapshot, phase: BenchFailure['phase'], host?: string): BenchFailure {
  return { ue: u.id, user: u.user, phase, ...(host ? { host } : {}), state: u.state, ...(u.error ? { step: u.error.step, reason: u.error.reason } : {}) };
}

/** UE i of n goes to host floor(i·hosts/n): the [start, end) of each host's contiguous share. */
export function sharesOf(n: number, hosts: number): { start: number; end: number }[] {
  return Array.from({ length: hosts }, (_, h) => ({ start: Math.floor((h * n) / hosts), end: Math.floor(((h + 1) * n) / hosts) }));
}

/**
 * When the last of `ues` was configured (`timings.configuredAt`, stamped by its UE host), in ms after `t0`:
 * the end of a phase as the UEs saw it, not as the next poll of the counts did (up to a second later).
 * Bench and UE hosts read the same machine's clock. Undefined when no UE has the stamp.
 */
export function lastConfigured(ues: readonly UeSnapshot[], t0: number): number | undefined {
  let last = -Infinity;
  for (const u of ues) {
    const at = u.timings.configuredAt ? Date.parse(u.timings.configuredAt) : NaN;
    if (at > last) last = at;
  }
  return Number.isFinite(last) ? Math.max(1, last - t0) : undefined;
}

function sumSummaries(all: readonly UeSummary[]): UeSummary {
  const states: UeSummary['states'] = {};
  for (const s of all) for (const [st, k] of Object.entries(s.states) as [UeState, number][]) states[st] = (states[st] ?? 0) + k;
  return { total: all.reduce((t, s) => t + s.total, 0), states, migrated: all.reduce((t, s) => t + s.migrated, 0) };
}

export async function runMigrationBench(o: MigrationBenchOptions): Promise<MigrationBenchResult> {
  const prefix = o.prefix ?? `bench${Date.now().toString(36)}`;
  const several = o.ueHosts !== undefined;
  if (several && o.ueHosts!.length === 0) throw new Error('ueHosts: at least one UE host');
  if (!several && !o.ueHostUrl) throw new Error('ueHostUrl or ueHosts is required');
  const users = o.users?.length ? o.users : [o.user ?? 'alice'];
  // Each host: its client, its contiguous share of the UEs (UE i logs in as users[i % length]) and its id prefix.
  const hosts = (o.ueHosts ?? [{ name: 'ue-host', url: o.ueHostUrl!, ...(o.ueHostToken ? { token: o.ueHostToken } : {}) }]).map((h, i, all) => {
    const share = sharesOf(o.n, all.length)[i]!;
    return {
      ...h,
      client: new UeHostClient(h.url, h.token ? { token: h.token } : {}),
      users: Array.from({ length: share.end - share.start }, (_, k) => users[(share.start + k) % users.length]!),
      prefix: several && all.length > 1 ? `${prefix}h${i + 1}` : prefix,
    };
  });
  type Host = (typeof hosts)[number];
  const timeout = o.timeoutMs ?? 600_000;
  const say = o.progress ?? (() => undefined);
  const loadavgBefore = loadavg().map((x) => Math.round(x * 100) / 100);
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 100);
  /** A poll that fails at the socket (a keep-alive connection the server closed as it was reused) is polled again. */
  const retried = <T>(poll: () => Promise<T>) =>
    poll().catch(async (err: unknown) => {
      say(`polling the UE host failed (${(err as Error).message}); again in 1 s`);
      await sleep(1000);
      return poll();
    });
  const mineOn = async (h: Host) => (await retried(() => h.client.listUes(`${h.prefix}-`))).filter((u) => u.id.startsWith(`${h.prefix}-`));
  const onEvery = <T>(f: (h: Host) => Promise<T>) => Promise.all(hosts.map(f));
  /**
   * Waits until `finished(summary)` counts every UE, polling the UE hosts' counts (`GET /api/ues/summary`,
   * summed over the hosts), not every snapshot: the bench's own CPU is in `cpu_ms_per_migration`, so it
   * must not grow with N per poll.
   */
  async function until(finished: (s: UeSummary) => number, what: string, t0: number): Promise<void> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const summary = sumSummaries(await onEvery((h) => retried(() => h.client.summary(`${h.prefix}-`))));
      const done = finished(summary);
      const s = (Date.now() - t0) / 1000;
      say(`${what}: ${done}/${summary.total} after ${s.toFixed(1)} s (${(done / Math.max(s, 0.001)).toFixed(0)}/s)`);
      if (done >= summary.total || Date.now() > deadline) return;
      // Every second at most; near the end, about when the rest should be done at the rate so far (not
      // before 50 ms), so that the CPU window closes soon after the last UE.
      const rest = done > 0 ? ((summary.total - done) / done) * (Date.now() - t0) : Infinity;
      await sleep(Math.max(50, Math.min(1000, 100 + o.n, rest)));
    }
  }
  const count = (s: UeSummary, ...states: UeState[]) => states.reduce((n, st) => n + (s.states[st] ?? 0), 0);
  let profiler: V8Profiler | undefined;
  let stopOthers: (() => Promise<string[]>) | undefined;
  try {
    await o.otherProcesses?.usage(true);
    const t0 = Date.now();
    await onEvery((h) => (h.users.length ? h.client.createBulk({ count: h.users.length, users: h.users, prefix: h.prefix }) : Promise.resolve(undefined)));
    await until((s) => count(s, 'STABLE', 'FAILED'), 'online', t0);
    const onlineOf = await onEvery(mineOn);
    const online = onlineOf.flat();
    const ready = online.filter((u) => u.state === 'STABLE');
    const onlineMs = lastConfigured(ready, t0) ?? Date.now() - t0;
    const readyIds = new Set(ready.map((u) => u.id));

    if (o.profile) {
      profiler = await startV8Profile(o.profile);
      stopOthers = await o.otherProcesses?.profile?.(o.profile);
    }
    const cpu0 = process.cpuUsage();
    const others0 = await o.otherProcesses?.usage();
    const t1 = Date.now();
    const plmn = o.partnerPlmn ?? '00102';
    await Promise.all(
      hosts.map((h, i) => {
        const ids = onlineOf[i]!.filter((u) => readyIds.has(u.id)).map((u) => u.id);
        return ids.length ? h.client.changePlmnBulk({ ids, plmn }) : Promise.resolve(undefined);
      }),
    );
    const fault = o.duringMigration?.();
    fault?.catch(() => undefined); // awaited (and thrown) below, after the wait
    // Finished: migrated, failed, or not online in the first place (those count in `online_failed`).
    const notReady = online.filter((u) => !readyIds.has(u.id) && u.state !== 'FAILED').length;
    await until((s) => count(s, 'FAILED', 'MIGRATION_FAILED') + s.migrated + notReady, 'migrated', t1);
    await fault;
    const polledWall = Date.now() - t1;
    const cpu = process.cpuUsage(cpu0);
    const others1 = await o.otherProcesses?.usage();
    const shares: ProcessShare[] = [
      { name: several ? 'bench' : 'ue-host', cpu_ms: (cpu.user + cpu.system) / 1000, peak_rss_bytes: peak },
      ...(others1 ?? []).map((u, i) => ({ name: u.name, cpu_ms: (u.cpuMicros - (others0?.[i]?.cpuMicros ?? 0)) / 1000, peak_rss_bytes: u.peakRssBytes })),
    ];
    const cpuMs = shares.reduce((sum, p) => sum + p.cpu_ms, 0);
    const written = profiler ? await profiler.stop() : undefined;
    profiler = undefined;
    const othersWritten = await stopOthers?.();
    stopOthers = undefined;
    if (o.profile) say(`CPU profile of the migration phase: ${[o.profile, ...(othersWritten ?? [])].join(', ')}`);
    const afterOf = await onEvery(mineOn);

    const perHost = hosts.map((h, i) => {
      const moved = afterOf[i]!.filter((u) => readyIds.has(u.id));
      const ok = moved.filter((u) => u.state === 'STABLE' && u.migrated);
      const okIds = new Set(ok.map((u) => u.id));
      const hostReady = onlineOf[i]!.filter((u) => readyIds.has(u.id));
      const failures = [
        ...onlineOf[i]!.filter((u) => !readyIds.has(u.id)).map((u) => failureOf(u, 'online', several ? h.name : undefined)),
        ...moved.filter((u) => !okIds.has(u.id)).map((u) => failureOf(u, 'migration', several ? h.name : undefined)),
      ];
      return { ok, ready: hostReady, online: onlineOf[i]!, failures };
    });
    const ok = perHost.flatMap((p) => p.ok);
    const wall = lastConfigured(ok, t1) ?? polledWall;
    const times = ok.map((u) => u.timings.migrationMs ?? 0).sort((a, b) => a - b);
    const failures = perHost.flatMap((p) => p.failures);
    if (o.cleanup ?? true) {
      say(`removing ${afterOf.flat().length} UEs`);
      await onEvery(async (h) => {
        const after = afterOf[hosts.indexOf(h)]!;
        for (let i = 0; i < after.length; i += 50) await Promise.all(after.slice(i, i + 50).map((u) => h.client.deleteUe(u.id)));
      });
    }
    const ueHosts: UeHostShare[] | undefined = several
      ? hosts.map((h, i) => {
          const p = perHost[i]!;
          const hostTimes = p.ok.map((u) => u.timings.migrationMs ?? 0).sort((a, b) => a - b);
          const usage = shares.find((s) => s.name === h.name);
          return {
            name: h.name,
            url: h.url,
            ues: h.users.length,
            ok: p.ok.length,
            failed: h.users.length - p.ok.length,
            online_failed: p.online.length - p.ready.length,
            p50_ms: percentile(hostTimes, 50),
            p99_ms: percentile(hostTimes, 99),
            ...(usage ? { cpu_ms: Math.round(usage.cpu_ms), peak_rss_bytes: usage.peak_rss_bytes } : {}),
          };
        })
      : undefined;
    return {
      ues: o.n,
      users: new Set(online.map((u) => u.user)).size,
      ok: ok.length,
      failed: o.n - ok.length,
      wall_ms: wall,
      rate_per_s: Math.round((ok.length / Math.max(wall / 1000, 0.001)) * 10) / 10,
      p50_ms: percentile(times, 50),
      p99_ms: percentile(times, 99),
      max_ms: times[times.length - 1] ?? 0,
      cpu_ms_per_migration: Math.round((cpuMs / o.n) * 100) / 100,
      online_ms: onlineMs,
      online_rate_per_s: Math.round((ready.length / Math.max(onlineMs / 1000, 0.001)) * 10) / 10,
      online_failed: online.length - ready.length,
      peak_rss_bytes: shares.reduce((sum, p) => sum + p.peak_rss_bytes, 0),
      processes: shares.length,
      ...(shares.length > 1 ? { process_usage: shares.map((p) => ({ ...p, cpu_ms: Math.round(p.cpu_ms) })) } : {}),
      ...(ueHosts ? { ue_hosts: ueHosts } : {}),
      steps: stepTable(ok, MIGRATION_STEPS, (u) => u.timings.migrationMs),
      online_steps: stepTable(ready, ONLINE_STEPS, (u) => u.timings.configuredMs),
      loadavg_before: loadavgBefore,
      ...(o.profile && written !== undefined ? { profile: { file: o.profile, bytes: written, ...(othersWritten?.length ? { others: othersWritten } : {}) } } : {}),
      failures,
    };
  } finally {
    clearInterval(sampler);
    await profiler?.stop().catch(() => undefined);
    await stopOthers?.().catch(() => undefined);
  }
}
