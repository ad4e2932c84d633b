/**
 * The runtime file: `mcx up` writes the endpoints it actually listens on to
 * <dataDir>/run/endpoints.json and removes it on a clean stop. `mcx endpoints`, `mcx token`,
 * `mcx ue`, `mcx scenario` and `mcx bench` read it to find a running ecosystem.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrontInfo, InstanceInfo } from '@mcx/console';
import type { EcosystemEndpoints } from '@mcx/ecosystem';

/** One instance of a system's CMS, GMS or MCS, and a front before a role's instances (issue #17): as the console shows them. */
export type RuntimeInstance = InstanceInfo;
export type RuntimeFront = FrontInfo;

export interface RuntimeSystemExtras {
  /** Access-token audiences of the resource servers (RFC 8707 resource values). */
  audiences: { cms: string; gms: string; mcs: string };
  /** Every instance of the CMS, GMS and MCS (one per role with one replica); absent in a file of an older mcx. */
  instances?: RuntimeInstance[];
  /** The fronts (empty with one replica); absent in a file of an older mcx. */
  fronts?: RuntimeFront[];
}

export interface RuntimeEndpoints extends EcosystemEndpoints {
  pid: number;
  startedAt: string;
  configFile: string;
  /** The public OIDC client the UEs and `mcx token` use. */
  ueClient: { clientId: string; redirectUri: string };
  systems: (EcosystemEndpoints['systems'][number] & RuntimeSystemExtras)[];
}

export function runtimeFile(dataDir: string): string {
  return join(dataDir, 'run', 'endpoints.json');
}

export function writeRuntime(dataDir: string, endpoints: RuntimeEndpoints): void {
  const file = runtimeFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(endpoints, null, 2) + '\n');
}

export function removeRuntime(dataDir: string): void {
  rmSync(runtimeFile(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running ecosystem's endpoints, or undefined when none runs (a stale file is ignored). */
export function readRuntime(dataDir: string): RuntimeEndpoints | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  const runtime = JSON.parse(readFileSync(file, 'utf8')) as RuntimeEndpoints;
  return alive(runtime.pid) ? runtime : undefined;
}
