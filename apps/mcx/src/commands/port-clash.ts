/**
 * A port that is already in use (EADDRINUSE), said in the terms of the ecosystem file: which
 * server of which MC system (or the console, the UE host) wanted it, e.g.
 * "mcx-a CMS: port 7102 is in use".
 */
import type { Ecosystem } from '@mcx/ecosystem';

const SERVERS: Record<string, string> = { idms: 'IdMS', cms: 'CMS', gms: 'GMS', cmsSip: 'CMS SIP', gmsSip: 'GMS SIP', mcsSip: 'MCS SIP' };

/** The servers the file gives `port` to ("mcx-a CMS", "console", ...). */
export function serversOnPort(ecosystem: Ecosystem, port: number): string[] {
  const owners: string[] = [];
  for (const system of ecosystem.systems)
    for (const [key, p] of Object.entries(system.ports)) if (p === port) owners.push(`${system.id} ${SERVERS[key] ?? key}`);
  if (ecosystem.console.port === port) owners.push('console');
  if (ecosystem.ueHost.port === port) owners.push('UE host');
  return owners;
}

/** `err` as a port clash naming the server and the port, or undefined when it is none. */
export function portClash(ecosystem: Ecosystem, file: string, err: unknown): Error | undefined {
  const e = err as { code?: string; port?: number; address?: string };
  if (e?.code !== 'EADDRINUSE' || typeof e.port !== 'number') return undefined;
  const owners = serversOnPort(ecosystem, e.port);
  const who = owners.length ? owners.join(' / ') : `a server on ${e.address ?? 'its host'}`;
  return new Error(`${who}: port ${e.port} is in use (another mcx up, or another program?); free it or choose another port in ${file}`, { cause: err });
}
