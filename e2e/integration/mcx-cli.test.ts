import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { MCX, REPO, SERVER_CONTROL_STEP, writeTestEcosystem } from '../support/ecosystem-process.ts';

const run = promisify(execFile);

describe('mcx command line', () => {
  it('--help documents every command (and exits 0)', async () => {
    const { stdout } = await run(process.execPath, [MCX, '--help'], { cwd: REPO });
    for (const command of ['up', 'endpoints', 'ca', 'token', 'ue', 'scenario run', 'bench'])
      expect(stdout).toContain(`  ${command}`);
  });

  it('each command documents its own options with an example (mcx <command> --help, mcx help <command>)', async () => {
    const commands = ['up', 'endpoints', 'token', 'ue', 'scenario', 'bench', 'ca'];
    const texts = await Promise.all(commands.map(async (c) => (await run(process.execPath, [MCX, c, '--help'], { cwd: REPO })).stdout));
    texts.forEach((text, i) => {
      expect(text.startsWith(`Usage: mcx ${commands[i]}`), text).toBe(true);
      expect(text).toMatch(new RegExp(`\\nExample\\n  .*mcx ${commands[i]} `));
    });
    expect(new Set(texts).size).toBe(commands.length);
    expect(texts[2]).toContain('--audience');
    expect((await run(process.execPath, [MCX, 'help', 'token'], { cwd: REPO })).stdout).toBe(texts[2]);
  });

  it('mcx ca creates the lab CA in the data directory on first use, prints its path, and keeps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-ca-'));
    try {
      const config = writeTestEcosystem(dir);
      const first = (await run(process.execPath, [MCX, 'ca', '--config', config], { cwd: REPO })).stdout.trim();
      expect(first).toBe(join(dir, 'data', 'tls', 'ca.pem'));
      const pem = readFileSync(first, 'utf8');
      expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      expect((await run(process.execPath, [MCX, 'ca', '--config', config], { cwd: REPO })).stdout.trim()).toBe(first);
      expect(readFileSync(first, 'utf8')).toBe(pem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mcx token for a user of another MC system names the user\'s home', async () => {
    const err = (await run(process.execPath, [MCX, 'token', '--system', 'mcx-b', '--user', 'alice'], { cwd: REPO }).catch(
      (e: unknown) => e,
    )) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain("alice's home is mcx-a");
    expect(err.stderr).not.toContain('Invalid username or password');
  });

  it('a port clash names the server and the port', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-cli-'));
    const taken = createServer();
    try {
      const port = await new Promise<number>((res) => taken.listen(0, '127.0.0.1', () => res((taken.address() as { port: number }).port)));
      const file = writeTestEcosystem(dir);
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.setIn(['systems', 0, 'ports', 'cms'], port);
      writeFileSync(file, doc.toString());
      const err = (await run(process.execPath, [MCX, 'up', '--no-ues', '--config', file], { cwd: REPO, timeout: 90_000 }).catch(
        (e: unknown) => e,
      )) as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toContain(`mcx-a CMS: port ${port} is in use`);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the line and field of an invalid ecosystem file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-cli-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(
        file,
        'systems:\n  - id: mcx-a\n    name: A\n    role: primary\n    plmns: ["1"]\n    domain: a\n    ports: { idms: 1, cms: 2, gms: 3, cmsSip: 4, gmsSip: 5, mcsSip: 6 }\n',
      );
      const err = (await run(process.execPath, [MCX, 'endpoints', '--config', file], { cwd: REPO }).catch(
        (e: unknown) => e,
      )) as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toContain(`${file}:5:`);
      expect(err.stderr).toContain('systems[0].plmns[0]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says so when no ecosystem runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-cli-'));
    try {
      const file = join(dir, 'eco.yaml');
      writeFileSync(
        file,
        `dataDir: ${join(dir, 'data')}\nsystems:\n  - { id: mcx-a, name: A, role: primary, plmns: ["00101"], domain: a, ports: { idms: 1, cms: 2, gms: 3, cmsSip: 4, gmsSip: 5, mcsSip: 6 } }\n`,
      );
      const err = (await run(process.execPath, [MCX, 'endpoints', '--json', '--config', file], {
        cwd: REPO,
      }).catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(err.code).toBe(1);
      expect(err.stderr).toContain('no running ecosystem');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped scenarios that stop, start or restart servers pass on an ecosystem the runner starts itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-cli-'));
    try {
      const shipped = join(REPO, 'scenarios');
      const files = readdirSync(shipped)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(shipped, f))
        .filter((f) => SERVER_CONTROL_STEP.test(readFileSync(f, 'utf8')));
      expect(files.length).toBeGreaterThanOrEqual(2);
      // No ecosystem runs for this file: the runner starts its own (free ports) and may stop its servers.
      const config = writeTestEcosystem(dir);
      const { stdout } = await run(process.execPath, [MCX, 'scenario', 'run', ...files, '--config', config], {
        cwd: REPO,
        timeout: 300_000,
      });
      expect(stdout).toContain(`${files.length} passed, 0 failed`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 320_000);

  it('a failing scenario exits non-zero and names the failed step in JUnit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcx-cli-'));
    try {
      const scenario = join(dir, 'fails.yaml');
      writeFileSync(
        scenario,
        'name: impossible\nsteps:\n  - start_ue: { id: sc-x, user: alice }\n  - expect_state: { ue: sc-x, state: STABLE, system: mcx-b, within: 2s }\n',
      );
      const junit = join(dir, 'out.xml');
      const err = (await run(process.execPath, [MCX, 'scenario', 'run', scenario, '--junit', junit], {
        cwd: REPO,
        timeout: 90_000,
      }).catch((e: unknown) => e)) as { code: number; stdout: string };
      expect(err.code).toBe(1);
      expect(err.stdout).toContain('0 passed, 1 failed');
      const xml = readFileSync(junit, 'utf8');
      expect(xml).toContain('<testsuite name="fails: impossible" tests="2" failures="1"');
      expect(xml).toMatch(/<failure message="UE sc-x  ?STABLE mcx-b: not within 2000 ms/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
