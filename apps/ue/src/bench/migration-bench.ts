/**
 * The migration benchmark (`mcx bench migration --ues N --json`): N UEs online in the primary
 * system, then every UE's registered PLMN changes at once; per UE the time from its PLMN change
 * to "configured in the partner system" (measured by the UE: timings.migrationMs). Drives a UE
 * host through its control API only, so it works in-process and against a running `mcx up`.
 */
import { UeHostClient, type UeSnapshot } from '@mcx/ue-host-api';

export interface MigrationBenchOptions {
  /** Control API base URL of the UE host. */
  ueHostUrl: string;
  /** Number of UEs. */
  n: number;
  /** User the UEs log in as (must be authorized to migrate). Default alice. */
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
}

export interface MigrationBenchResult {
  ues: number;
  ok: number;
  failed: number;
  /** Wall time from the PLMN changes to the last UE done (ms). */
  wall_ms: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  /** Time to bring the N UEs online in the primary system (ms). */
  online_ms: number;
  online_failed: number;
  /** Peak RSS of this process while the bench ran (bytes; the UE host's when in-process). */
  peak_rss_bytes: number;
  failures: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function runMigrationBench(o: MigrationBenchOptions): Promise<MigrationBenchResult> {
  const client = new UeHostClient(o.ueHostUrl);
  const prefix = o.prefix ?? `bench${Date.now().toString(36)}`;
  const timeout = o.timeoutMs ?? 600_000;
  const say = o.progress ?? (() => undefined);
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const mine = async () => (await client.listUes(`${prefix}-`)).filter((u) => u.id.startsWith(`${prefix}-`));
  async function until(done: (u: UeSnapshot) => boolean, what: string): Promise<UeSnapshot[]> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const list = await mine();
      const finished = list.filter(done).length;
      say(`${what}: ${finished}/${list.length}`);
      if (finished === list.length) return list;
      if (Date.now() > deadline) return list;
      await sleep(Math.min(1000, 100 + o.n));
    }
  }
  try {
    const t0 = Date.now();
    await client.createBulk({ count: o.n, user: o.user ?? 'alice', prefix });
    const online = await until((u) => u.state === 'STABLE' || u.state === 'FAILED', 'online');
    const onlineMs = Date.now() - t0;
    const ready = online.filter((u) => u.state === 'STABLE');
    const homeSystem = ready[0]?.system;
    const t1 = Date.now();
    await client.changePlmnBulk({ ids: ready.map((u) => u.id), plmn: o.partnerPlmn ?? '00102' });
    const after = await until(
      (u) => u.state === 'FAILED' || u.state === 'MIGRATION_FAILED' || (u.state === 'STABLE' && u.system !== homeSystem && u.timings.migrationMs !== undefined) || !ready.some((r) => r.id === u.id),
      'migrated',
    );
    const wall = Date.now() - t1;
    const moved = after.filter((u) => ready.some((r) => r.id === u.id));
    const ok = moved.filter((u) => u.state === 'STABLE' && u.migrated);
    const times = ok.map((u) => u.timings.migrationMs ?? 0).sort((a, b) => a - b);
    const failures: Record<string, number> = {};
    for (const u of [...after.filter((x) => !ok.includes(x))]) {
      const key = u.error ? `${u.state} ${u.error.step}: ${u.error.reason.slice(0, 80)}` : u.state;
      failures[key] = (failures[key] ?? 0) + 1;
    }
    if (o.cleanup ?? true) {
      for (let i = 0; i < after.length; i += 20) {
        await Promise.all(after.slice(i, i + 20).map((u) => client.deleteUe(u.id)));
      }
    }
    return {
      ues: o.n,
      ok: ok.length,
      failed: o.n - ok.length,
      wall_ms: wall,
      p50_ms: percentile(times, 50),
      p99_ms: percentile(times, 99),
      max_ms: times[times.length - 1] ?? 0,
      online_ms: onlineMs,
      online_failed: online.length - ready.length,
      peak_rss_bytes: peak,
      failures,
    };
  } finally {
    clearInterval(sampler);
  }
}
