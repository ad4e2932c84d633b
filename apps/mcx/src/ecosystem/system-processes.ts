/**
 * `processes: per-system` (the parent side): each MC system runs in a child process of its own
 * (system-process.ts), so the ecosystem uses every core; the UE host and the console stay in this
 * process and reach the systems over the same HTTP and SIP sockets as in a single process.
 *
 * Why child_process.fork and not worker_threads (our choice): a process is what the systems would
 * be on separate machines (the first step to spreading the ecosystem); it fails alone (a native
 * crash in one database driver takes one system, reported, not every server); its CPU time and RSS
 * are its own (process.cpuUsage / memoryUsage, summed by the bench); process-wide state (the global
 * fetch dispatcher trusting the lab CA, signal handlers, the libuv thread pool that scrypt uses)
 * is not shared. The cost is a Node.js start and the modules loaded once per process.
 *
 * The parent prepares what every process must agree on (prepareMcSystems: ports, admin
 * credentials, the lab CA and server certificates), forks one child per system of the fork entry
 * (the mcx main module, from dist/ or the sources as this process runs), waits until each started
 * and seeded, then has each share its migrating users (CSC-17) once all listen. A child that exits
 * when not asked is reported (onExit); close() asks each to stop and kills one that does not
 * within {@link STOP_DEADLINE_MS}. A child whose parent dies stops by itself (IPC disconnect).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Ecosystem } from '@mcx/ecosystem';
import { prepareMcSystems } from '@mcx/mc-system';
import type { LegEvent } from '@mcx/mcs';
import { profileEach, type StopProfiles } from './child-profiles.ts';
import type { FromSystemProcess, StartSystem, ToSystemProcess } from './system-process-messages.ts';
import type { StartEcosystemOptions } from './start.ts';
import type { SystemData, SystemsView, SystemView } from './systems-view.ts';

/** How long a child may take to close after "stop" before it is killed (our choice). */
export const STOP_DEADLINE_MS = 15_000;

/** What a one-process start takes (start.ts), but a log level instead of a logger: a logger does not cross processes. */
export type SystemProcessesOptions = Pick<
  StartEcosystemOptions,
  'ecosystem' | 'dataDir' | 'database' | 'ephemeralPorts' | 'throwAwayDatabases' | 'scryptCost' | 'sipTimers' | 'log'
> & {
  /** pino level of the servers' loggers (default: MCX_LOG, else warn). */
  logLevel?: string;
};

export interface ProcessUsage {
  /** The system id, or "parent". */
  name: string;
  pid: number;
  /** CPU time (user + system) since the process started, µs. */
  cpuMicros: number;
  /** Peak RSS since the last reset (sampled every 100 ms), bytes. */
  peakRssBytes: number;
}

export interface SystemProcesses extends SystemsView {
  /** The pid of each system's process. */
  readonly pids: ReadonlyMap<string, number>;
  /** Called once when a system's process exits without being asked (with a sentence saying how). */
  onExit(listener: (systemId: string, how: string) => void): void;
  /** Called with a signal a system's process got (a terminal's Ctrl-C reaches every process of its group): the parent decides. */
  onSignal(listener: (signal: string) => void): void;
  /** CPU time and peak RSS of each system's process; `reset` starts the peaks again. */
  usage(reset?: boolean): Promise<ProcessUsage[]>;
  /** A CPU profile of each system's process (child-profiles.ts); the function returned stops and writes them. */
  profile(file: string): Promise<StopProfiles>;
  close(): Promise<void>;
}

/**
 * The module a system process runs: mcx's main module, transpiled (the bundle of dist/bundle/ that
 * bin/mcx.js runs, else dist/main.js) or the TypeScript source, as this module is.
 */
export function forkEntry(): { module: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const bundle = fileURLToPath(new URL('../bundle/main.js', import.meta.url));
  const module = !fromSource && existsSync(bundle) ? bundle : fileURLToPath(new URL(`../main.${fromSource ? 'ts' : 'js'}`, import.meta.url));
  // An inspector port cannot be shared; every other flag (--cpu-prof, loaders, conditions) is.
  const execArgv = process.execArgv.filter((a) => !/^--inspect(-brk|-port)?(=|$)/.test(a));
  if (fromSource) {
    if (!execArgv.some((a) => a === 'tsx' || a.includes('tsx/'))) execArgv.push('--import', 'tsx');
    if (!execArgv.some((a) => a.includes('@mcx/source'))) execArgv.push('--conditions=@mcx/source');
  }
  return { module, execArgv: [...execArgv, '--no-warnings=ExperimentalWarning'] };
}

export class SystemProcess {
  readonly child: ChildProcess;
  readonly legListeners = new Set<(e: LegEvent) => void>();
  #waiters: { type: FromSystemProcess['type']; resolve(m: FromSystemProcess): void; reject(err: Error): void }[] = [];
  #exitListeners: ((how: string) => void)[] = [];
  stopping = false;
  readonly exited: Promise<void>;

  constructor(
    readonly systemId: string,
    log: (line: string) => void,
    onSignal: (signal: string) => void,
    /** How messages name the process (default "MC system <id>"). */
    readonly label = `MC system ${systemId}`,
  ) {
    const entry = forkEntry();
    this.child = fork(entry.module, ['system-process'], { execArgv: entry.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromSystemProcess) => {
      if (m.type === 'log') return log(m.line);
      if (m.type === 'leg') {
        for (const l of this.legListeners) l(m.event);
        return;
      }
      if (m.type === 'signal') return onSignal(m.signal);
      if (m.type === 'failed') {
        for (const w of this.#waiters.splice(0)) w.reject(Object.assign(new Error(`${systemId}: ${m.message}`), m.code ? { code: m.code } : {}));
        return;
      }
      const i = this.#waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(m);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const how = `the process of ${label} (pid ${this.child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
        for (const w of this.#waiters.splice(0)) w.reject(new Error(how));
        if (!this.stopping) for (const l of this.#exitListeners) l(how);
        resolve();
      });
    });
    this.child.once('error', (err) => {
      for (const w of this.#waiters.splice(0)) w.reject(err);
    });
  }

  request<T extends FromSystemProcess['type']>(message: ToSystemProcess, reply: T): Promise<Extract<FromSystemProcess, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected)
        return reject(new Error(`the process of ${this.label} is gone`));
      this.#waiters.push({ type: reply, resolve: resolve as (m: FromSystemProcess) => void, reject });
      this.child.send(message);
    });
  }

  onExit(listener: (how: string) => void): void {
    this.#exitListeners.push(listener);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToSystemProcess);
      else this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_DEADLINE_MS);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

export async function startSystemProcesses(options: SystemProcessesOptions): Promise<SystemProcesses> {
  const portsChosenHere = (options.ephemeralPorts ?? false) || options.ecosystem.systems.some((s) => Object.values(s.ports).includes(0));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (!portsChosenHere || attempt >= 3 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
      options.log?.(`a chosen port was taken before its server bound it (${(err as Error).message}); starting again on other ports`);
    }
  }
}

async function startOnce(options: SystemProcessesOptions): Promise<SystemProcesses> {
  const log = options.log ?? (() => undefined);
  const signalListeners: ((signal: string) => void)[] = [];
  // Forked first: each child loads the servers' modules while this process prepares.
  const children = options.ecosystem.systems.map((s) => new SystemProcess(s.id, log, (signal) => signalListeners.forEach((l) => l(signal))));
  const stopAll = () => Promise.all(children.map((c) => c.stop())).then(() => undefined);
  let views: SystemView[];
  let eco: Ecosystem;
  try {
    eco = (await prepareMcSystems({ ecosystem: options.ecosystem, dataDir: options.dataDir, ephemeralPorts: options.ephemeralPorts ?? false, log })).ecosystem;
    const started = await Promise.all(
      children.map((c) =>
        c.request(
          {
            type: 'start',
            systemId: c.systemId,
            ecosystem: eco,
            dataDir: options.dataDir,
            logLevel: options.logLevel ?? process.env['MCX_LOG'] ?? 'warn',
            ...(options.database ? { database: options.database } : {}),
            ...(options.throwAwayDatabases ? { throwAwayDatabases: true } : {}),
            ...(options.scryptCost ? { scryptCost: options.scryptCost } : {}),
            ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
          } satisfies StartSystem,
          'started',
        ),
      ),
    );
    // 5. share, once every partner listens (compose.ts step 5).
    await Promise.all(children.map((c) => c.request({ type: 'share' }, 'shared')));
    views = started.map((m, i) => viewOf(m.system, children[i]!));
  } catch (err) {
    await stopAll();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    ecosystem: eco,
    systems: views,
    system(id) {
      const found = views.find((v) => v.config.id === id);
      if (!found) throw new Error(`unknown MC system "${id}"`);
      return found;
    },
    pids: new Map(children.map((c) => [c.systemId, c.child.pid!])),
    onExit(listener) {
      for (const c of children) c.onExit((how) => listener(c.systemId, how));
    },
    async usage(reset = false) {
      return Promise.all(
        children.map(async (c) => {
          const u = await c.request({ type: 'usage', reset }, 'usage');
          return { name: c.systemId, pid: c.child.pid!, cpuMicros: u.cpuMicros, peakRssBytes: u.peakRssBytes };
        }),
      );
    },
    profile: (file) => profileEach(children.map((c) => ({ name: c.systemId, ask: (f) => c.request({ type: 'profile', file: f }, 'profiled') })), file),
    onSignal(listener) {
      signalListeners.push(listener);
    },
    close() {
      closed ??= stopAll();
      return closed;
    },
  };
}

function viewOf(data: SystemData, child: SystemProcess): SystemView {
  return {
    ...data,
    mcs: {
      ...data.mcs,
      onLegMessage(listener) {
        child.legListeners.add(listener);
        return () => child.legListeners.delete(listener);
      },
    },
  };
}
