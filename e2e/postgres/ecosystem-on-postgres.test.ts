import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCX, REPO, startEcosystemProcess, type EcosystemProcess } from '../support/ecosystem-process.ts';
import { databasesOf, dropDatabases, prefixedDatabase } from '../support/postgres.ts';

// `mcx up --db postgres://...`: every server instance on its own PostgreSQL database, and the
// migration scenario through it. Needs MCX_TEST_DATABASE_URL (a server where databases may be created).
const { prefix, url: dbUrl } = prefixedDatabase('mcxe2e');
const run = promisify(execFile);
const instanceDatabases = () => databasesOf(prefix);

let eco: EcosystemProcess | undefined;
beforeAll(async () => {
  eco = await startEcosystemProcess(150_000, ['--db', dbUrl]);
});
afterAll(async () => {
  if (eco) expect(await eco.stop()).toBe(0);
  await dropDatabases(prefix);
});

describe('the ecosystem on PostgreSQL', () => {
  it('creates one database per server instance', async () => {
    expect(await instanceDatabases()).toEqual(
      ['mcx-a', 'mcx-b']
        .flatMap((s) => ['cms', 'gms', 'idms'].map((app) => `${prefix}_${s.replace('-', '_')}_${app}`))
        .sort(),
    );
  });

  it('runs the migration scenario A → B and back', async () => {
    const r = await run(
      process.execPath,
      [
        MCX,
        'scenario',
        'run',
        'scenarios/02-migration-a-to-b-and-back.yaml',
        'scenarios/04-version-sync.yaml',
        '--config',
        eco!.config,
      ],
      { cwd: REPO, timeout: 150_000 },
    );
    expect(r.stdout).toContain('2 passed, 0 failed');
  });

  it('mcx reset --db drops the databases mcx up --db created, once the ecosystem is stopped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-pg-reset-'));
    try {
      const config = join(dir, 'ecosystem.yaml');
      copyFileSync(eco!.config, config);
      expect(await eco!.stop()).toBe(0);
      eco = undefined;
      const { stdout } = await run(process.execPath, [MCX, 'reset', '--config', config, '--db', dbUrl], {
        cwd: REPO,
      });
      for (const s of ['mcx_a', 'mcx_b'])
        for (const app of ['cms', 'gms', 'idms'])
          expect(stdout).toContain(`PostgreSQL database ${prefix}_${s}_${app} on`);
      expect(await instanceDatabases()).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
