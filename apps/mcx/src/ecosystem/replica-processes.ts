/**
 * Replicas (issue #17, ecosystem `replicas` or `mcx up --replicas N`): instance 1 of the CMS, GMS
 * and MCS of each replicated system runs with the rest of the ecosystem (and starts the fronts:
 * @mcx/mc-system fronts.ts); instance k = 2..N of all of them runs in child process k, a system
 * process (system-process.ts) told `replica: k`. Each instance is then a process of its own that
 * can fail alone, as on separate machines: killing child k (SIGKILL included) takes instance k of
 * every replicated server away, and the fronts and the other instances carry on (subscriptions
 * are taken over from the database: @mcx/xcap-diff-notifier replica-takeover.ts).
 *
 * An instance whose address (`replicaPorts[k-1].host`) is not this machine's runs on another one
 * (`mcx up --replica k` there): it is not started here, only checked (its HTTP `/healthz`, once
 * at start; the fronts keep checking it).
 */
import { instanceHost, type Ecosystem, type SystemConfig } from '@mcx/ecosystem';
import { isLocalAddress } from '@mcx/mc-system';
import { profileEach, type StopProfiles } from './child-profiles.ts';
import { SystemProcess, type ProcessUsage } from './system-processes.ts';
import type { StartSystem } from './system-process-messages.ts';

export interface ReplicaProcesses {
  /** Instance number and pid of each child (instances 2..N). */
  readonly processes: readonly { replica: number; pid: number }[];
  /** Called once when a replica process exits without being asked (with a sentence saying how). */
  onExit(listener: (replica: number, how: string) => void): void;
  usage(reset?: boolean): Promise<ProcessUsage[]>;
  /** A CPU profile of each replica's process (child-profiles.ts); the function returned stops and writes them. */
  profile(file: string): Promise<StopProfiles>;
  close(): Promise<void>;
}

/** The highest `replicas` of the ecosystem's systems (1: nothing to start). */
export function replicaCount(eco: Ecosystem): number {
  return Math.max(1, ...eco.systems.map((s) => s.replicas ?? 1));
}

/** The instances (system, k > 1) of the ecosystem on other machines. */
export function remoteInstances(eco: Ecosystem, isLocal: (host: string) => boolean = isLocalAddress): { system: SystemConfig; replica: number; host: string }[] {
  return eco.systems.flatMap((s) =>
    Array.from({ length: Math.max(0, (s.replicas ?? 1) - 1) }, (_, i) => i + 2)
      .filter((k) => !isLocal(instanceHost(s, k)))
      .map((k) => ({ system: s, replica: k, host: instanceHost(s, k) })),
  );
}

/** One look at each remote instance's CMS and GMS (`/healthz`): a line per instance. */
export async function checkRemoteInstances(eco: Ecosystem, isLocal: (host: string) => boolean = isLocalAddress): Promise<string[]> {
  return Promise.all(
    remoteInstances(eco, isLocal).map(async ({ system: s, replica: k, host }) => {
      const ports = s.replicaPorts![k - 1]!;
      const scheme = s.tls === false ? 'http' : 'https';
      const probe = async (port: number) => {
        try {
          const res = await fetch(`${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
          return res.ok ? 'up' : `answers ${res.status}`;
        } catch {
          return 'not answering (start it there: mcx up --replica ' + k + ')';
        }
      };
      return `${s.id}: instance ${k} on ${host} (another machine): CMS ${await probe(ports.cms)}, GMS ${await probe(ports.gms)}`;
    }),
  );
}

export async function startReplicaProcesses(options: {
  /** The prepared ecosystem (every port fixed, replicaPorts included, admin credentials filled in). */
  ecosystem: Ecosystem;
  dataDir: string;
  database?: string;
  sipTimers?: StartSystem['sipTimers'];
  logLevel?: string;
  log?: (line: string) => void;
  onSignal?: (signal: string) => void;
}): Promise<ReplicaProcesses> {
  const log = options.log ?? (() => undefined);
  const n = replicaCount(options.ecosystem);
  // Instance k runs here when one of the systems has it on one of this machine's addresses.
  const localHere = (k: number) => options.ecosystem.systems.some((s) => (s.replicas ?? 1) >= k && isLocalAddress(instanceHost(s, k)));
  const children = Array.from({ length: n - 1 }, (_, i) => i + 2)
    .filter(localHere)
    .map((k) => ({ k, process: new SystemProcess(`replica-${k}`, log, options.onSignal ?? (() => undefined), `replica ${k} of the CMS, GMS and MCS`) }));
  const stopAll = () => Promise.all(children.map((c) => c.process.stop())).then(() => undefined);
  try {
    await Promise.all(
      children.map((c) =>
        c.process.request(
          {
            type: 'start',
            systemId: `replica-${c.k}`,
            replica: c.k,
            ecosystem: options.ecosystem,
            dataDir: options.dataDir,
            logLevel: options.logLevel ?? process.env['MCX_LOG'] ?? 'warn',
            ...(options.database ? { database: options.database } : {}),
            ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
          } satisfies StartSystem,
          'replica-started',
        ),
      ),
    );
  } catch (err) {
    await stopAll();
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    processes: children.map((c) => ({ replica: c.k, pid: c.process.child.pid! })),
    onExit(listener) {
      for (const c of children) c.process.onExit((how) => listener(c.k, how));
    },
    usage(reset = false) {
      return Promise.all(
        children.map(async (c) => {
          const u = await c.process.request({ type: 'usage', reset }, 'usage');
          return { name: `replica-${c.k}`, pid: c.process.child.pid!, cpuMicros: u.cpuMicros, peakRssBytes: u.peakRssBytes };
        }),
      );
    },
    profile: (file) => profileEach(children.map((c) => ({ name: `replica-${c.k}`, ask: (f) => c.process.request({ type: 'profile', file: f }, 'profiled') })), file),
    close() {
      closed ??= stopAll();
      return closed;
    },
  };
}
