/**
 * What the tests that run the `mcx` command line share: the repository, the launcher, and the demo
 * ecosystem file with every port 0 (free ones are chosen) and a data directory of its own, removed
 * after the test file (`removeTestEcosystems` in an afterAll).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const MCX = join(REPO, 'apps/mcx/bin/mcx.js');

const dirs: string[] = [];

/** A copy of ecosystem.yaml with every port 0 and its own data directory, under a new temporary directory. */
export function testEcosystem(name: string): { dir: string; config: string; dataDir: string } {
  const dir = mkdtempSync(join(tmpdir(), `mcx-${name}-`));
  dirs.push(dir);
  const doc = parseDocument(readFileSync(join(REPO, 'ecosystem.yaml'), 'utf8'));
  doc.set('dataDir', join(dir, 'data'));
  doc.setIn(['console', 'port'], 0);
  doc.setIn(['ueHost', 'port'], 0);
  (doc.get('systems') as { items: unknown[] }).items.forEach((_s, i) => {
    for (const key of ['idms', 'cms', 'gms', 'cmsSip', 'gmsSip', 'mcsSip']) doc.setIn(['systems', i, 'ports', key], 0);
  });
  const config = join(dir, 'ecosystem.yaml');
  writeFileSync(config, doc.toString());
  return { dir, config, dataDir: join(dir, 'data') };
}

/** Removes the directories testEcosystem made. */
export function removeTestEcosystems(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Runs bin/mcx.js from the sources to its end (SIGTERM after `ms`), with `env` over this process's
 * environment: exit code, stdout, stderr, and both interleaved as they came (`output`).
 */
export function runMcx(
  args: string[],
  ms: number,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string; output: string }> {
  const child = spawn(process.execPath, [MCX, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MCX_FROM_SOURCE: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout.on('data', (d: Buffer) => ((stdout += d.toString()), (output += d.toString())));
  child.stderr.on('data', (d: Buffer) => ((stderr += d.toString()), (output += d.toString())));
  const timer = setTimeout(() => child.kill('SIGTERM'), ms);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output });
    }),
  );
}
