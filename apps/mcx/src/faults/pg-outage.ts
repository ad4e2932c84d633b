/**
 * Fault case `pg-outage` (issue #18 item 9): both MC systems on a private PostgreSQL cluster
 * (@mcx/db/testing `startPrivateCluster`; the machine's own PostgreSQL is never touched), N UEs
 * (`--ues`, default 200) online in the primary system, every PLMN changed at once
 * (`runMigrationBench`), and the cluster stopped for 10 s while they migrate (`pg_ctl stop -m
 * fast`: connections terminated, new ones refused), then started again.
 *
 * Goal: every UE ends migrated, nothing acknowledged before the outage is lost (every document,
 * account and migration authorization row committed before the stop is there afterwards, at the
 * same or a newer version), and the servers said 503 + Retry-After meanwhile (counted in the UEs'
 * message logs, docs/ue-host-api.md "messages").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUnavailableAnswers, type Database } from '@mcx/db';
import { startPrivateCluster, type PrivateCluster } from '@mcx/db/testing';
import { runMigrationBench } from '@mcx/ue';
import { UeHostClient } from '@mcx/ue-host-api';
import { BENCH_SCRYPT_COST } from '../commands/bench-migration.ts';
import { benchEcosystem, benchUsername } from '../commands/bench-ecosystem.ts';
import { load } from '../commands/options.ts';
import { startEcosystem, type RunningEcosystem } from '../ecosystem/ecosystem.ts';
import type { FaultCase, FaultCaseOptions, FaultReport } from './fault-case.ts';

/** How long the database is away, and how long after the PLMN changes it goes (our choice: while the first migrations are in flight). */
export const OUTAGE_MS = 10_000;
export const OUTAGE_AFTER_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every committed row a server must not lose, as `<database> <table> <key>` → version. */
async function committedRows(databases: readonly Database[]): Promise<Map<string, number>> {
  const rows = new Map<string, number>();
  for (const [i, db] of databases.entries()) {
    for (const d of await db.prisma.xcapDocument.findMany({ select: { server: true, selector: true, version: true } })) rows.set(`${i} document ${d.server} ${d.selector}`, d.version);
    for (const a of await db.prisma.account.findMany({ select: { id: true, version: true } })) rows.set(`${i} account ${a.id}`, a.version);
    for (const m of await db.prisma.migrationAuthorization.findMany({ select: { id: true, version: true } })) rows.set(`${i} migration-authorization ${m.id}`, m.version);
  }
  return rows;
}

/** Rows of `before` missing from `after` or at an older version. */
function lostRows(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...before].filter(([key, version]) => (after.get(key) ?? -1) < version).map(([key]) => key);
}

export interface PgOutageMeasures {
  /** UEs that were STABLE in the partner when the database stopped. */
  migratedBeforeOutage: number;
  /** 503 + Retry-After answers of the servers (this process) because the database was away. */
  servers503: number;
  /** HTTP 503 answers with Retry-After the UEs received (their message logs; a log full of later traffic may have dropped some). */
  http503: number;
  http503WithoutRetryAfter: number;
  /** SIP 503 answers the UEs received. */
  sip503: number;
  /** Other 5xx answers the UEs received (goal 0: a database outage is a 503). */
  other5xx: number;
  /** From the database's restart to the last UE migrated (ms). */
  convergedAfterRestartMs: number;
  /** Servers whose /healthz answered 503 `database: "unavailable"` during the outage, of those asked. */
  healthzUnavailable: number;
  healthzAsked: number;
}

/** Asks every server's /healthz; how many said 503 with `database: "unavailable"` and Retry-After. */
async function healthUnavailable(eco: RunningEcosystem): Promise<{ asked: number; unavailable: number }> {
  const urls = eco.systems.systems.flatMap((s) => [s.idms.url, s.cms.httpUrl, s.gms.httpUrl]);
  const answers = await Promise.all(
    urls.map(async (url) => {
      const res = await fetch(`${url}/healthz`).catch(() => undefined);
      const body = (await res?.json().catch(() => undefined)) as { database?: string } | undefined;
      return res?.status === 503 && res.headers.has('retry-after') && body?.database === 'unavailable';
    }),
  );
  return { asked: urls.length, unavailable: answers.filter(Boolean).length };
}

export async function runPgOutage(options: FaultCaseOptions): Promise<FaultReport> {
  const n = options.ues ?? 200;
  const say = options.progress;
  const loaded = load(options.config);
  const { ecosystem, partnerPlmn } = benchEcosystem(loaded.ecosystem, n, BENCH_SCRYPT_COST);
  const dir = mkdtempSync(join(tmpdir(), 'mcx-fault-pg-'));
  let cluster: PrivateCluster | undefined;
  let own: RunningEcosystem | undefined;
  try {
    cluster = await startPrivateCluster();
    say(`private PostgreSQL cluster on port ${cluster.port}; booting both MC systems with ${n} users`);
    own = await startEcosystem({ ecosystem, dataDir: dir, database: cluster.url.replace(/\/postgres$/, '/mcxfault'), ephemeralPorts: true, startUes: false, console: false, configFile: loaded.file });
    const running = own;
    const pg = cluster;
    const client = new UeHostClient(own.endpoints.ueHost, { token: own.control.token });
    let before = new Map<string, number>();
    let migratedBeforeOutage = 0;
    let migratedBeforeRestart = 0;
    let restartedAt = 0;
    let health = { asked: 0, unavailable: 0 };
    const prefix = `fault${Date.now().toString(36)}`;
    const answered0 = databaseUnavailableAnswers();
    const result = await runMigrationBench({
      ueHostUrl: own.endpoints.ueHost,
      ueHostToken: own.control.token,
      n,
      users: Array.from({ length: n }, (_, i) => benchUsername(i)),
      partnerPlmn,
      prefix,
      progress: say,
      cleanup: false,
      async duringMigration() {
        await sleep(OUTAGE_AFTER_MS);
        before = await committedRows(running.systems.databases);
        migratedBeforeOutage = (await client.listUes(`${prefix}-`)).filter((u) => u.state === 'STABLE' && u.migrated).length;
        await pg.stop();
        say(`PostgreSQL stopped (${migratedBeforeOutage}/${n} migrated); starting it again in ${OUTAGE_MS / 1000} s`);
        // The servers' health probe is cached for 1 s: ask after that.
        await sleep(2000);
        health = await healthUnavailable(running);
        await sleep(Math.max(0, OUTAGE_MS - 2000));
        migratedBeforeRestart = (await client.listUes(`${prefix}-`)).filter((u) => u.state === 'STABLE' && u.migrated).length;
        await pg.start();
        restartedAt = Date.now();
        say('PostgreSQL started');
      },
    });
    const endedAt = Date.now();
    const servers503 = databaseUnavailableAnswers() - answered0;
    const after = await committedRows(own.systems.databases);
    const lost = lostRows(before, after);
    const counts = { http503: 0, http503WithoutRetryAfter: 0, sip503: 0, other5xx: 0 };
    const byPeer: Record<string, number> = {};
    const ues = await client.listUes(`${prefix}-`);
    for (const u of ues) {
      for (const m of await client.messages(u.id)) {
        if (m.direction !== 'in') continue;
        const status = Number(/^(?:SIP\/2\.0 )?(\d{3})\b/.exec(m.summary)?.[1] ?? 0);
        if (status === 503 && m.protocol === 'HTTP') {
          counts[m.headers['retry-after'] ? 'http503' : 'http503WithoutRetryAfter']++;
          byPeer[m.peer] = (byPeer[m.peer] ?? 0) + 1;
        }
        else if (status === 503) counts.sip503++;
        else if (status >= 500) counts.other5xx++;
      }
    }
    for (let i = 0; i < ues.length; i += 50) await Promise.all(ues.slice(i, i + 50).map((u) => client.deleteUe(u.id)));
    const measures: PgOutageMeasures = { migratedBeforeOutage, servers503, ...counts, convergedAfterRestartMs: Math.max(0, endedAt - restartedAt), healthzUnavailable: health.unavailable, healthzAsked: health.asked };
    return {
      case: 'pg-outage',
      goal: `PostgreSQL stopped ${OUTAGE_MS / 1000} s during ${n} migrations: ${n}/${n} end migrated, nothing acknowledged lost, 503 + Retry-After meanwhile (issue #18 item 9)`,
      // 503s are expected only from requests that needed the database: when every migration
      // completed during the outage (its hot path reads memory only), there were none to refuse.
      ok: result.ok === n && lost.length === 0 && (servers503 > 0 || migratedBeforeRestart === n) && counts.http503WithoutRetryAfter === 0 && health.unavailable === health.asked,
      migrated_before_restart: migratedBeforeRestart,
      ues: n,
      migrated: result.ok,
      failed: result.failed,
      online_failed: result.online_failed,
      outage_ms: OUTAGE_MS,
      outage_after_plmn_change_ms: OUTAGE_AFTER_MS,
      migrated_before_outage: measures.migratedBeforeOutage,
      servers_503_with_retry_after: measures.servers503,
      ues_http_503_with_retry_after: measures.http503,
      ues_http_503_without_retry_after: measures.http503WithoutRetryAfter,
      ues_http_503_by_peer: byPeer,
      ues_sip_503: measures.sip503,
      ues_other_5xx: measures.other5xx,
      healthz_unavailable_during_outage: `${measures.healthzUnavailable}/${measures.healthzAsked}`,
      rows_checked: before.size,
      rows_lost: lost.length,
      converged_after_restart_ms: measures.convergedAfterRestartMs,
      wall_ms: result.wall_ms,
      p50_ms: result.p50_ms,
      max_ms: result.max_ms,
      loadavg_before: result.loadavg_before,
      failures: result.failures.slice(0, 10),
      ...(lost.length ? { lost: lost.slice(0, 10) } : {}),
    };
  } finally {
    await own?.close().catch(() => undefined);
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const pgOutageCase: FaultCase = {
  name: 'pg-outage',
  summary: `both systems on a private PostgreSQL cluster, every PLMN changed, the database stopped ${OUTAGE_MS / 1000} s while the UEs migrate`,
  run: runPgOutage,
};
