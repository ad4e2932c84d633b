/** The runtime file's content (runtime-file.ts) for the running systems, UE host and console. */
import { instanceHost, systemHttpUrl, type SystemConfig } from '@mcx/ecosystem';
import { UE_CLIENT } from '@mcx/mc-system';
import type { RuntimeEndpoints, RuntimeFront, RuntimeInstance } from './runtime-file.ts';
import type { SystemsView } from './systems-view.ts';

/**
 * Which process runs which instance (issue #17): instance 1 of every server runs in `mcx up` itself
 * (`processes: single`) or in its system's process (`per-system`: `system-<id>`); instance k > 1 in
 * replica process k (replica-processes.ts).
 */
export interface InstanceProcesses {
  /** Per system id, the pid of its system process (`per-system` layout); absent: `mcx up` runs it. */
  systemPids?: ReadonlyMap<string, number>;
  /** Instances 2..N: instance number and pid of each replica process. */
  replicas?: readonly { replica: number; pid: number }[];
}

const sipUri = (user: string, host: string, port: number) => `sip:${user}@${host}:${port};transport=udp`;
/** `host:port`, an IPv6 literal in brackets. */
const address = (host: string, port: number) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The SIP user part each role's URIs carry (as libs/ecosystem endpoints.ts names them). */
const SIP_USER = { cms: 'cms', gms: 'gms', mcs: 'mcptt' } as const;

/**
 * Every instance of the system's CMS, GMS and MCS with its own addresses and the process it runs in:
 * with `replicas` > 1 instance k listens on `replicaPorts[k-1]` (the file's ports are the fronts'),
 * with one replica the one instance listens on the file's ports. `s` is the prepared ecosystem's
 * system (every port fixed).
 */
export function instancesOf(s: SystemConfig, processes: InstanceProcesses = {}): RuntimeInstance[] {
  const replicas = s.replicas ?? 1;
  const ports = replicas > 1 && s.replicaPorts ? s.replicaPorts : [{ cms: s.ports.cms, gms: s.ports.gms, cmsSip: s.ports.cmsSip, gmsSip: s.ports.gmsSip, mcsSip: s.ports.mcsSip }];
  const processOf = (k: number): { process: string; pid?: number } => {
    if (k === 1) {
      const pid = processes.systemPids?.get(s.id);
      return pid !== undefined ? { process: `system-${s.id}`, pid } : { process: 'mcx up', pid: process.pid };
    }
    const pid = processes.replicas?.find((r) => r.replica === k)?.pid;
    return { process: `replica-${k}`, ...(pid !== undefined ? { pid } : {}) };
  };
  const out: RuntimeInstance[] = [];
  for (const role of ['cms', 'gms', 'mcs'] as const) {
    ports.forEach((p, i) => {
      const replica = i + 1;
      // An instance on another machine has its own address (replicaPorts[k-1].host).
      const host = replicas > 1 ? instanceHost(s, replica) : s.host;
      out.push({
        role,
        replica,
        ...(role === 'mcs' ? {} : { http: systemHttpUrl({ ...s, host }, p[role]) }),
        sip: sipUri(SIP_USER[role], host, p[`${role}Sip`]),
        ...processOf(replica),
      });
    });
  }
  return out;
}

/** The fronts before the instances (replicas > 1; fronts.ts of @mcx/mc-system): HAProxy for HTTP, Kamailio for SIP. */
export function frontsOf(s: SystemConfig): RuntimeFront[] {
  if ((s.replicas ?? 1) <= 1) return [];
  return [
    { role: 'cms', kind: 'haproxy', address: address(s.host, s.ports.cms) },
    { role: 'gms', kind: 'haproxy', address: address(s.host, s.ports.gms) },
    { role: 'cms', kind: 'kamailio', address: address(s.host, s.ports.cmsSip) },
    { role: 'gms', kind: 'kamailio', address: address(s.host, s.ports.gmsSip) },
    { role: 'mcs', kind: 'kamailio', address: address(s.host, s.ports.mcsSip) },
  ];
}

/** What `mcx up` writes: the endpoints of the systems it runs (in this process or in system processes). */
export function runtimeEndpointsOf(
  systems: SystemsView,
  extra: { configFile: string; console: string; ueHost: string; processes?: InstanceProcesses },
): RuntimeEndpoints {
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile: extra.configFile,
    console: extra.console,
    ueHost: extra.ueHost,
    ueClient: { ...UE_CLIENT },
    systems: systems.systems.map((s) => {
      // The prepared ecosystem's system: replicaPorts fixed (s.config may be the same object).
      const config = systems.ecosystem.systems.find((x) => x.id === s.config.id) ?? s.config;
      return {
        ...s.endpoints,
        idms: { issuer: s.idms.issuer },
        audiences: s.audiences,
        instances: instancesOf(config, extra.processes),
        fronts: frontsOf(config),
      };
    }),
  };
}
