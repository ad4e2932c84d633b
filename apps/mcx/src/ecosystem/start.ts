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
import { startMcSystems, type McSystems, type RunningMcSystem, type SipTimers } from '@mcx/mc-system';
import type { Logger } from 'pino';

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
  /** Only these systems run in this process (a system process: system-process.ts); see StartMcSystemsOptions.only. */
  only?: readonly string[];
  /** CSC-17 sharing at the end of the start (default true); see StartMcSystemsOptions.share. */
  share?: boolean;
  /** Which instance of the replicated servers runs here (default 1); see StartMcSystemsOptions.replica. */
  replica?: number;
  /** Seed accounts, documents and groups (default true). */
  seed?: boolean;
  /** Whether an instance address is this machine's; see StartMcSystemsOptions.isLocal. */
  isLocal?: (host: string) => boolean;
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
    ...(options.only ? { only: options.only } : {}),
    ...(options.share !== undefined ? { share: options.share } : {}),
    ...(options.replica !== undefined ? { replica: options.replica } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.isLocal ? { isLocal: options.isLocal } : {}),
  });
}

export function dataPath(dataDir: string, ...parts: string[]): string {
  return join(dataDir, ...parts);
}
