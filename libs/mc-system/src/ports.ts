/**
 * Port allocation: every URL of both systems must be known before the first server starts,
 * because each system's documents and trust configuration embed the other's URLs. A port of 0 in
 * the ecosystem file (or `ephemeral: true`) gets a free port now, checked on TCP and UDP.
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Ecosystem } from '@mcx/ecosystem';

/**
 * The kernel's ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), from which it also
 * takes the local port of every outgoing connection: a port chosen there may be taken by some
 * client socket before our server binds it. Our choice: pick free ports below that range.
 */
function ephemeralRange(): { low: number; high: number } {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return { low, high };
  } catch {
    // not Linux: fall through
  }
  return { low: 32768, high: 60999 };
}

function tcpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

async function freePort(host: string, sip: boolean, taken: Set<number>): Promise<number> {
  const { low } = ephemeralRange();
  const floor = 10_000;
  const span = Math.max(1000, low - floor);
  for (let i = 0; i < 200; i++) {
    const port = floor + randomInt(span);
    if (port >= low || taken.has(port)) continue;
    if (!(await tcpFree(host, port))) continue;
    if (sip && !(await udpFree(host, port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error(`no free port found on ${host}`);
}

/**
 * One free port on `host` below the kernel's ephemeral range, for a peer a test or a bench starts
 * itself (Kamailio, sipp); `sip`: free on UDP too.
 */
export function freeLocalPort(host = '127.0.0.1', sip = false): Promise<number> {
  return freePort(host, sip, new Set());
}

/** A copy of the ecosystem with every 0 port (or every port, when `ephemeral`) replaced by a free one. */
export async function allocatePorts(eco: Ecosystem, ephemeral = false): Promise<Ecosystem> {
  const taken = new Set<number>();
  const systems = [];
  for (const s of eco.systems) {
    const ports = { ...s.ports };
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) {
      if (ephemeral || ports[key] === 0) ports[key] = await freePort(s.host, key.endsWith('Sip'), taken);
    }
    // Replicas (issue #17): the instances listen on ports of their own, behind the fronts on `ports`.
    const replicas = s.replicas ?? 1;
    if (replicas > 1) {
      const replicaPorts = [];
      for (let k = 0; k < replicas; k++) {
        const given = s.replicaPorts?.[k];
        const rp = { cms: given?.cms ?? 0, gms: given?.gms ?? 0, cmsSip: given?.cmsSip ?? 0, gmsSip: given?.gmsSip ?? 0, mcsSip: given?.mcsSip ?? 0 };
        // An instance with a host of its own (another machine) keeps the file's ports: that machine reads the same file.
        if (given?.host === undefined) {
          for (const key of Object.keys(rp) as (keyof typeof rp)[]) {
            if (ephemeral || rp[key] === 0) rp[key] = await freePort(s.host, key.endsWith('Sip'), taken);
          }
        }
        replicaPorts.push(given?.host === undefined ? rp : { host: given.host, ...rp });
      }
      systems.push({ ...s, ports, replicaPorts });
      continue;
    }
    systems.push({ ...s, ports });
  }
  const console =
    ephemeral || eco.console.port === 0
      ? { ...eco.console, port: await freePort(eco.console.host, false, taken) }
      : eco.console;
  const ueHost =
    ephemeral || eco.ueHost.port === 0
      ? { ...eco.ueHost, port: await freePort(eco.ueHost.host, false, taken) }
      : eco.ueHost;
  return { ...eco, systems, console, ueHost };
}
