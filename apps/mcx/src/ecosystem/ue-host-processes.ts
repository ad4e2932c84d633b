/**
 * UE hosts in child processes of their own (the parent side of `mcx bench migration --ue-hosts N`):
 * each child (ue-host-process.ts) runs one UE host on an ephemeral port of this machine, with the
 * same systems, users and control secret; the caller shares the UEs out among them and drives each
 * over its control API. Why processes (our choice, as for the MC systems: system-processes.ts): the
 * UE load uses more than one core, each host's CPU time and RSS are its own, and a process is what a
 * UE host on another machine is (`mcx ue-host`).
 *
 * A child whose parent dies stops by itself (IPC disconnect); close() asks each to stop and kills one
 * that does not within STOP_DEADLINE_MS.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { UeHostConfigInput } from '@mcx/ue';
import { profileEach, type StopProfiles } from './child-profiles.ts';
import { forkEntry, STOP_DEADLINE_MS, type ProcessUsage } from './system-processes.ts';
import type { FromUeHostProcess, ToUeHostProcess } from './ue-host-process-messages.ts';

export interface UeHostProcessesOptions {
  /** How many UE host processes. */
  count: number;
  /** What every host gets (its `dataDir` is `<dataDir>/ue-host-<i>`; `port` and `sipPort` are ephemeral). */
  config: Omit<UeHostConfigInput, 'dataDir' | 'port' | 'sipPort'>;
  /** Where each host keeps its UEs' protected copies: <dataDir>/ue-host-<i>/. */
  dataDir: string;
  /** The lab CA (PEM) the children trust. */
  caPem?: string;
}

export interface UeHostProcess {
  /** "ue-host-1", ... (the name in the bench's `ue_hosts` and `process_usage`). */
  name: string;
  url: string;
  pid: number;
}

export interface UeHostProcesses {
  readonly hosts: readonly UeHostProcess[];
  /** CPU time (since each process started) and peak RSS (since the last reset) of each host's process. */
  usage(reset?: boolean): Promise<ProcessUsage[]>;
  /** A CPU profile of each host's process (child-profiles.ts); the function returned stops and writes them. */
  profile(file: string): Promise<StopProfiles>;
  close(): Promise<void>;
}

class Child {
  readonly child: ChildProcess;
  #waiters: { type: FromUeHostProcess['type']; resolve(m: FromUeHostProcess): void; reject(err: Error): void }[] = [];
  readonly exited: Promise<void>;

  constructor(readonly name: string) {
    const entry = forkEntry();
    // V8's default young generation, not the launcher's larger one (bin/mcx.js): many UEs' state
    // survives its scavenges, and a larger one only added to the host's peak RSS (issue #14).
    const execArgv = entry.execArgv.filter((a) => !a.startsWith('--max-semi-space-size'));
    this.child = fork(entry.module, ['ue-host-process'], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromUeHostProcess) => {
      if (m.type === 'signal') return; // the terminal's Ctrl-C reaches this process too: it decides
      if (m.type === 'failed') {
        for (const w of this.#waiters.splice(0)) w.reject(new Error(`${name}: ${m.message}`));
        return;
      }
      const i = this.#waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.#waiters.splice(i, 1)[0]!.resolve(m);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        const how = `the process of ${name} (pid ${this.child.pid}) ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
        for (const w of this.#waiters.splice(0)) w.reject(new Error(how));
        resolve();
      });
    });
    this.child.once('error', (err) => {
      for (const w of this.#waiters.splice(0)) w.reject(err);
    });
  }

  request<T extends FromUeHostProcess['type']>(message: ToUeHostProcess, reply: T): Promise<Extract<FromUeHostProcess, { type: T }>> {
    return new Promise((resolve, reject) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.connected) return reject(new Error(`the process of ${this.name} is gone`));
      this.#waiters.push({ type: reply, resolve: resolve as (m: FromUeHostProcess) => void, reject });
      this.child.send(message);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies ToUeHostProcess);
    else this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_DEADLINE_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

export async function startUeHostProcesses(options: UeHostProcessesOptions): Promise<UeHostProcesses> {
  if (!Number.isInteger(options.count) || options.count < 1) throw new Error('--ue-hosts takes a positive integer');
  const children = Array.from({ length: options.count }, (_, i) => new Child(`ue-host-${i + 1}`));
  const stopAll = () => Promise.all(children.map((c) => c.stop())).then(() => undefined);
  let hosts: UeHostProcess[];
  try {
    const started = await Promise.all(
      children.map((c, i) =>
        c.request(
          {
            type: 'start',
            config: { ...options.config, dataDir: join(options.dataDir, `ue-host-${i + 1}`), port: 0, sipPort: 0 },
            ...(options.caPem ? { caPem: options.caPem } : {}),
          },
          'started',
        ),
      ),
    );
    hosts = started.map((m, i) => ({ name: children[i]!.name, url: m.url, pid: children[i]!.child.pid! }));
  } catch (err) {
    await stopAll();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    hosts,
    usage: (reset = false) =>
      Promise.all(
        children.map(async (c) => {
          const u = await c.request({ type: 'usage', reset }, 'usage');
          return { name: c.name, pid: c.child.pid!, cpuMicros: u.cpuMicros, peakRssBytes: u.peakRssBytes };
        }),
      ),
    profile: (file) => profileEach(children.map((c) => ({ name: c.name, ask: (f) => c.request({ type: 'profile', file: f }, 'profiled') })), file),
    close() {
      closed ??= stopAll();
      return closed;
    },
  };
}
