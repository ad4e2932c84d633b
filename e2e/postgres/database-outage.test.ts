import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MCX, REPO } from '../support/ecosystem-process.ts';

// A database outage fails nothing for good (issue #18 item 9): `mcx bench faults --case pg-outage`
// puts both MC systems on a private PostgreSQL cluster (never the machine's shared one), brings
// 20 UEs online, changes every PLMN and stops the cluster for 10 s while they migrate.
const run = promisify(execFile);

describe('PostgreSQL stopped during migrations', () => {
  it('ends with every UE migrated, nothing acknowledged lost, and 503 + Retry-After while the database was away', async () => {
    const r = await run(process.execPath, [MCX, 'bench', 'faults', '--case', 'pg-outage', '--ues', '20', '--json'], { cwd: REPO, timeout: 420_000, maxBuffer: 16 << 20 });
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(report).toMatchObject({ case: 'pg-outage', ues: 20, migrated: 20, failed: 0, online_failed: 0, rows_lost: 0, ues_http_503_without_retry_after: 0, ues_other_5xx: 0, healthz_unavailable_during_outage: '6/6', ok: true });
    // Requests that needed the database were refused with 503 + Retry-After and retried by the UEs,
    // unless every migration completed during the outage without touching the database.
    if (report['migrated_before_restart'] !== 20) {
      expect(report['servers_503_with_retry_after']).toBeGreaterThan(0);
      expect(report['ues_http_503_with_retry_after']).toBeGreaterThan(0);
    }
    // Rows committed before the stop were checked after it (documents, accounts, migration authorizations).
    expect(report['rows_checked']).toBeGreaterThan(20);
  }, 450_000);
});
