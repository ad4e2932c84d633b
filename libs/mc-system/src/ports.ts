/**
 * Port allocation: every URL of both systems must be known before the first server starts,
 * because each system's documents and trust configuration embed the other's URLs. A port of 0 in
 * the ecosystem file (or `ephemeral: true`) gets a free port now, checked on TCP and UDP.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Ecosystem } from '@mcx/ecosystem';

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
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
  for (let i = 0; i < 50; i++) {
    const port = await freeTcpPort(host);
    if (taken.has(port)) continue;
    if (sip && !(await udpFree(host, port))) continue;
    taken.add(port);
    return port;
  }
  throw new Error(`no free port found on ${host}`);
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
