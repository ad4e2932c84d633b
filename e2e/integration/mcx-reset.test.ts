/**
 * The ecosystem file is the source of truth for what it seeds (issue "The command line"):
 * a restart over an existing data directory puts the file's groups back and says what it changed,
 * the member reaches the GMS document and the UE that subscribes to it; `mcx reset` refuses while
 * the ecosystem runs, then removes the seeded state (databases, UE local copies) and keeps the lab
 * CA and the credentials.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { trustLabCa } from '@mcx/lab-ca';
import { MCX, REPO, writeTestEcosystem } from '../support/ecosystem-process.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'mcx-reset-'));
const dataDir = join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `mcx up` on `config` until "Ready in"; stop() sends SIGTERM and waits for its exit. */
async function up(config: string): Promise<{ output: () => string; stop: () => Promise<number | null> }> {
  let output = '';
  const child = spawn(process.execPath, [MCX, 'up', '--config', config], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const deadline = Date.now() + 150_000;
  while (!output.includes('Ready in')) {
    if (child.exitCode !== null) throw new Error(`mcx up exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mcx up not ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { output: () => output, stop: async () => (child.kill('SIGTERM'), exited) };
}

/**
 * Fixed ports for the MC systems: the documents seeded on the first start embed the servers' URLs
 * (UE initial configuration), which a restart on other free ports would not match.
 */
async function fixPorts(config: string): Promise<void> {
  const doc = parseDocument(readFileSync(config, 'utf8'));
  const keys = ['idms', 'cms', 'gms', 'cmsSip', 'gmsSip', 'mcsSip'];
  const servers = await Promise.all(
    [0, 1]
      .flatMap(() => keys)
      .map(
        () =>
          new Promise<ReturnType<typeof createServer>>((res) => {
            const s = createServer();
            s.listen(0, '127.0.0.1', () => res(s));
          }),
      ),
  );
  servers.forEach((s, i) =>
    doc.setIn(
      ['systems', Math.floor(i / keys.length), 'ports', keys[i % keys.length]!],
      (s.address() as { port: number }).port,
    ),
  );
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  writeFileSync(config, doc.toString());
}

function setFireAMembers(config: string, members: string[]): void {
  const doc = parseDocument(readFileSync(config, 'utf8'));
  const groups = doc.get('groups') as { items: { get(k: string): unknown }[] };
  const i = groups.items.findIndex((g) => g.get('id') === 'fire-a');
  doc.setIn(['groups', i, 'members'], doc.createNode(members));
  writeFileSync(config, doc.toString());
}

interface UeSnapshot {
  state: string;
  documents: { n: number; server: string; selector: string }[];
}

async function ueSnapshot(ueHost: string, token: string, id: string): Promise<UeSnapshot> {
  const res = await fetch(`${ueHost}/api/ues/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as UeSnapshot;
}

describe('groups reconciled on restart, mcx reset', () => {
  const config = writeTestEcosystem(dir);
  const fireA = 'sip:fire-a@mcx-a.example.net';
  const bob = 'sip:bob@mcx-a.example.net';

  it(
    'a member added to a group in the file reaches the GMS and the UE on the next start; mcx up says so',
    { timeout: 360_000 },
    async () => {
      await fixPorts(config);
      setFireAMembers(config, ['alice', 'carol']);
      const first = await up(config);
      expect(first.output()).not.toContain(`group ${fireA}:`);
      expect(await first.stop()).toBe(0);

      setFireAMembers(config, ['alice', 'bob', 'carol']);
      const second = await up(config);
      try {
        expect(second.output()).toContain(`mcx-a: group ${fireA}: member ${bob} added`);
        const runtime = JSON.parse(readFileSync(join(dataDir, 'run', 'endpoints.json'), 'utf8')) as {
          ueHost: string;
        };
        const token = readFileSync(join(dataDir, 'secrets', 'control-token'), 'utf8').trim();
        trustLabCa(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'));
        // ue-bob subscribes to his groups at the GMS (TS 24.484 4.2.2.1.1) and now holds fire-a's document.
        const deadline = Date.now() + 60_000;
        let snap = await ueSnapshot(runtime.ueHost, token, 'ue-bob');
        while (!(
          snap.state === 'STABLE' &&
          snap.documents.some((d) => d.server === 'gms' && d.selector.includes('fire-a'))
        )) {
          if (Date.now() > deadline) throw new Error(`ue-bob never held fire-a: ${JSON.stringify(snap)}`);
          await new Promise((r) => setTimeout(r, 250));
          snap = await ueSnapshot(runtime.ueHost, token, 'ue-bob');
        }
        const n = snap.documents.find((d) => d.server === 'gms' && d.selector.includes('fire-a'))!.n;
        const copy = await fetch(`${runtime.ueHost}/api/ues/ue-bob/documents/${n}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(await copy.text()).toContain(`uri="${bob}"`);

        // mcx reset is refused while the ecosystem runs, and says how to stop it.
        const refused = (await run(process.execPath, [MCX, 'reset', '--config', config], { cwd: REPO }).catch(
          (e: unknown) => e,
        )) as { code: number; stderr: string };
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/stop it first \(Ctrl-C in its terminal, or kill -TERM \d+\)/);
        expect(existsSync(join(dataDir, 'mcx-a-gms.db'))).toBe(true);
      } finally {
        expect(await second.stop()).toBe(0);
      }
    },
  );

  it('mcx reset removes the databases and the UE local copies, keeps the lab CA and the credentials, and prints what it removed', async () => {
    const { stdout } = await run(process.execPath, [MCX, 'reset', '--config', config], { cwd: REPO });
    for (const system of ['mcx-a', 'mcx-b'])
      for (const app of ['idms', 'cms', 'gms'])
        expect(stdout).toContain(join(dataDir, `${system}-${app}.db`));
    expect(stdout).toContain(`${join(dataDir, 'ue-host')}/`);
    expect(readdirSync(dataDir).filter((f) => f.includes('.db'))).toEqual([]);
    expect(existsSync(join(dataDir, 'ue-host'))).toBe(false);
    expect(existsSync(join(dataDir, 'tls', 'ca.pem'))).toBe(true);
    expect(existsSync(join(dataDir, 'secrets', 'control-token'))).toBe(true);
    // Nothing left to remove: said so.
    expect((await run(process.execPath, [MCX, 'reset', '--config', config], { cwd: REPO })).stdout).toContain(
      'nothing to remove',
    );
  });
});
