/**
 * Runs `mcx up` as a real child process (or `npm start` itself) on the shipped demo ecosystem,
 * with every port free-chosen and a temporary data directory, and reads its runtime endpoints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { trustLabCa } from '@mcx/lab-ca';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MCX = join(REPO, 'apps/mcx/bin/mcx.js');

export interface Endpoints {
  console: string;
  ueHost: string;
  systems: {
    id: string;
    plmns: string[];
    idms: { issuer: string };
    cms: { xcapRoot: string };
    admin: string;
  }[];
}

export interface EcosystemProcess {
  /** The pid of the `mcx up` process. */
  pid: number;
  dir: string;
  config: string;
  /** The ecosystem's data directory (databases, runtime file). */
  dataDir: string;
  endpoints: Endpoints;
  /** The lab control secret (`<dataDir>/secrets/control-token`): the UE host API's bearer token, the console's login. */
  controlToken: string;
  /** The console URL with the token, as `mcx up` prints it: opening it logs the browser in. */
  consoleLogin: string;
  output(): string;
  /** Sends `signal` to the process, or to its whole process group as a terminal's Ctrl-C does (`group`, needs `processGroup`). */
  signal(signal: NodeJS.Signals, options?: { group?: boolean }): void;
  /** The exit code once the process has exited (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then the exit code (the process must stop by itself). */
  stop(): Promise<number | null>;
}

/** The demo ecosystem.yaml with ports 0 (free ones are chosen) and a temp data directory. */
/** A scenario step that stops, starts or restarts servers: it needs an ecosystem the scenario runner started itself. */
export const SERVER_CONTROL_STEP = /^\s*-\s*(?:stop_server|start_server|restart_ecosystem)\b/m;

export function writeTestEcosystem(dir: string): string {
  const doc = parseDocument(readFileSync(join(REPO, 'ecosystem.yaml'), 'utf8'));
  doc.set('dataDir', join(dir, 'data'));
  doc.setIn(['console', 'port'], 0);
  doc.setIn(['ueHost', 'port'], 0);
  const systems = doc.get('systems') as { items: unknown[] };
  systems.items.forEach((_s, i) => {
    for (const key of ['idms', 'cms', 'gms', 'cmsSip', 'gmsSip', 'mcsSip'])
      doc.setIn(['systems', i, 'ports', key], 0);
  });
  const file = join(dir, 'ecosystem.yaml');
  writeFileSync(file, doc.toString());
  return file;
}

export interface StartOptions {
  /** Start it as a person does: `npm start` in the repository (default: bin/mcx.js up). */
  npmStart?: boolean;
  /** In a process group of its own (as a terminal's foreground job), so `signal(..., { group: true })` reaches all of it. */
  processGroup?: boolean;
}

export async function startEcosystemProcess(
  timeoutMs = 120_000,
  extraArgs: string[] = [],
  options: StartOptions = {},
): Promise<EcosystemProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mcx-e2e-'));
  const config = writeTestEcosystem(dir);
  const dataDir = join(dir, 'data');
  const runtime = join(dataDir, 'run', 'endpoints.json');
  let output = '';
  const [command, args] = options.npmStart
    ? ['npm', ['start', '--silent', '--', '--config', config, ...extraArgs]]
    : [process.execPath, [MCX, 'up', '--config', config, ...extraArgs]];
  const child: ChildProcess = spawn(command, args, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const signal = (sig: NodeJS.Signals, opts: { group?: boolean } = {}) => {
    if (opts.group) {
      try {
        process.kill(-child.pid!, sig);
      } catch (err) {
        // The whole job has exited already (a quick stop): a terminal's Ctrl-C then reaches nothing.
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    } else child.kill(sig);
  };
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(runtime) || !output.includes('Ready in')) {
    if (child.exitCode !== null) throw new Error(`mcx up exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mcx up not ready within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const endpoints = JSON.parse(readFileSync(runtime, 'utf8')) as Endpoints;
  // Its MC systems serve https with the lab CA it created in the data directory: this process trusts it.
  trustLabCa(readFileSync(join(dataDir, 'tls', 'ca.pem'), 'utf8'));
  const controlToken = readFileSync(join(dataDir, 'secrets', 'control-token'), 'utf8').trim();
  return {
    pid: child.pid!,
    dir,
    config,
    dataDir,
    endpoints,
    controlToken,
    consoleLogin: `${endpoints.console}/?token=${encodeURIComponent(controlToken)}`,
    output: () => output,
    signal,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<number | null>((r) => setTimeout(() => r(-1), 20_000)),
      ]);
      if (code === -1) child.kill('SIGKILL');
      // Whatever of its process group outlived it (an orphaned server) goes too.
      if (options.processGroup) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is empty: nothing was left behind
        }
      }
      const runtimeLeft = existsSync(runtime);
      rmSync(dir, { recursive: true, force: true });
      if (runtimeLeft) throw new Error('mcx up left its runtime file behind');
      return code;
    },
  };
}
