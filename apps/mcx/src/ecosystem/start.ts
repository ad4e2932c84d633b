/**
 * The MC systems of `mcx up`: every server of every system, composed by @mcx/mc-system (the one
 * composition that the e2e suite and the apps' tests use too), then the runtime file's view of them.
 */
import { join } from 'node:path';
import type { Ecosystem } from '@mcx/ecosystem';
import { startIdms } from '@mcx/idms';
import { startCms } from '@mcx/cms';
import { startGms } from '@mcx/gms';
import { startMcs } from '@mcx/mcs';
import { startMcSystems, UE_CLIENT, type McSystems, type RunningMcSystem, type SipTimers } from '@mcx/mc-system';
import type { Logger } from 'pino';
import type { RuntimeEndpoints } from './runtime-file.ts';

/** The servers `mcx up` runs for each system: all four. */
export const ALL_SERVERS = { idms: startIdms, cms: startCms, gms: startGms, mcs: startMcs };
export type AllServers = typeof ALL_SERVERS;
export type RunningSystems = McSystems<AllServers>;
export type RunningSystem = RunningMcSystem<AllServers>;

export interface StartEcosystemOptions {
  ecosystem: Ecosystem;
  /** Absolute data directory (databases, secrets, UE copies, runtime file). */
  dataDir: string;
  /** "embedded" (default: per system as in the file) or a postgres:// server URL for every instance. */
  database?: string;
  /** Ignore the file's ports and take free ones (tests). */
  ephemeralPorts?: boolean;
  /** Throw-away databases dropped on close (tests). */
  throwAwayDatabases?: boolean;
  /** scrypt cost for seeded passwords (default: the IdMS default, 2^15). */
  scryptCost?: number;
  /** SIP timers (tests shorten them). */
  sipTimers?: SipTimers;
  log?: (line: string) => void;
  /** The pino logger of every server (mcx up: warnings and errors, 5xx included, on standard error). */
  logger?: Logger;
}

/** Starts every server of every system, wires trust, seeds, shares migrating users (CSC-17). */
export function startSystems(options: StartEcosystemOptions): Promise<RunningSystems> {
  return startMcSystems({
    ecosystem: options.ecosystem,
    servers: ALL_SERVERS,
    dataDir: options.dataDir,
    ...(options.database ? { database: options.database } : {}),
    ...(options.ephemeralPorts ? { ephemeralPorts: true } : {}),
    ...(options.throwAwayDatabases ? { throwAwayDatabases: true } : {}),
    ...(options.scryptCost ? { scryptCost: options.scryptCost } : {}),
    ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

export function runtimeEndpointsOf(
  systems: RunningSystems,
  extra: { configFile: string; console: string; ueHost: string },
): RuntimeEndpoints {
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile: extra.configFile,
    console: extra.console,
    ueHost: extra.ueHost,
    ueClient: { ...UE_CLIENT },
    systems: systems.systems.map((s) => ({
      ...s.endpoints,
      idms: { issuer: s.idms.issuer },
      audiences: s.audiences,
    })),
  };
}

export function dataPath(dataDir: string, ...parts: string[]): string {
  return join(dataDir, ...parts);
}
