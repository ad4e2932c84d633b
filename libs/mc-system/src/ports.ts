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

/**
 * The ports a fetch() refuses with "bad port" (WHATWG Fetch, 2.9 "Port blocking"; undici and browsers
 * apply it): a server there could not be reached by Node's fetch, Chromium or openid-client. Only
 * 10080 lies in the range we pick from, but the whole list is kept so a lower floor stays safe.
 */
export const FETCH_BAD_PORTS: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119,
  123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
  993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const FLOOR = 10_000;

/** Whether a port may be handed out: at or above our floor, below the kernel's ephemeral range (`low`), not fetch-blocked, not taken. */
export function mayPick(port: number, low: number, taken: ReadonlySet<number> = new Set()): boolean {
  return port >= FLOOR && port < low && !taken.has(port) && !FETCH_BAD_PORTS.has(port);
}

async function freePort(host: string, sip: boolean, taken: Set<number>): Promise<number> {
  const { low } = ephemeralRange();
  const span = Math.max(1000, low - FLOOR);
  for (let i = 0; i < 200; i++) {
    const port = FLOOR + randomInt(span);
    if (!mayPick(port, low, taken)) continue;
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
