/**
 * The composition root: starts both MC systems (IdMS, CMS, GMS, MCS each), wires their trust,
 * seeds them from the ecosystem file, then the UE host and the console. `mcx up`, the e2e tests
 * and `mcx bench migration` call it in-process; every part speaks over real sockets.
 *
 * Order (docs/server-contracts.md): ports are allocated first (documents embed other servers'
 * URLs), then per system IdMS → CMS → GMS → MCS, then seeding (accounts, documents, groups), then
 * CSC-17 sharing of migrating users, then UEs and the console.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildUeInitConfig, type UeInitConfigInput } from '@mcx/documents';
import {
  mcpttIdOf,
  systemEndpoints,
  type Ecosystem,
  type SystemConfig,
  type SystemEndpoints,
} from '@mcx/ecosystem';
import type { Database } from '@mcx/db';
import { startIdms, upsertAccount, type IdmsHandle } from '@mcx/idms';
import { startCms, type CmsHandle, type CmsSeed, type SeedUser } from '@mcx/cms';
import { startGms, type GmsHandle, type GmsSeedInput } from '@mcx/gms';
import { mcsPsi, startMcs, type McsHandle } from '@mcx/mcs';
import { allocatePorts } from './ports.ts';
import { openServerDatabase } from './databases.ts';
import { idmsClientId, introspectionSecret, partnersAccepting, relatedSystems } from './trust.ts';
import type { RuntimeEndpoints } from './runtime-file.ts';

export const UE_CLIENT = { clientId: 'mcx-ue', redirectUri: 'http://127.0.0.1/mcx-ue/callback' } as const;

export interface StartEcosystemOptions {
  ecosystem: Ecosystem;
  /** Absolute data directory (databases, UE copies, runtime file). */
  dataDir: string;
  /** "embedded" (default: per system as in the file) or a postgres:// server URL for every instance. */
  database?: string;
  /** Ignore the file's ports and take free ones (tests). */
  ephemeralPorts?: boolean;
  /** scrypt cost for seeded passwords (default: the IdMS default, 2^15). */
  scryptCost?: number;
  /** SIP timers (tests shorten them). */
  sipTimers?: { t1?: number; t2?: number; t4?: number };
  log?: (line: string) => void;
}

export interface RunningSystem {
  config: SystemConfig;
  endpoints: SystemEndpoints;
  audiences: { cms: string; gms: string; mcs: string };
  idms: IdmsHandle;
  cms: CmsHandle;
  gms: GmsHandle;
  mcs: McsHandle;
  databases: Database[];
}

export interface RunningSystems {
  ecosystem: Ecosystem;
  systems: RunningSystem[];
  system(id: string): RunningSystem;
  close(): Promise<void>;
}

/** Resource-server identifiers (RFC 8707): the `aud` of their access tokens (docs/server-contracts.md). */
export function audiencesOf(s: SystemConfig): RunningSystem['audiences'] {
  return {
    cms: `http://${s.host}:${s.ports.cms}`,
    gms: `http://${s.host}:${s.ports.gms}`,
    mcs: mcsPsi(s.domain),
  };
}

/** The UE initial configuration parameters of a system (TS 24.484 clause 7.2): what a UE needs to reach it. */
export function ueInitConfigInputOf(s: SystemConfig): Omit<UeInitConfigInput, 'ueId' | 'defaultProfile'> {
  const ep = systemEndpoints(s);
  return {
    systemId: s.id,
    domain: s.domain,
    plmns: { hplmn: s.plmns[0]!, vplmns: s.plmns.slice(1) },
    idms: { authEndpoint: `${ep.idms.issuer}/auth`, tokenEndpoint: `${ep.idms.issuer}/token` },
    cms: { xcapRoot: ep.cms.xcapRoot, sipUri: ep.cms.psi },
    gms: { xcapRoot: ep.gms.xcapRoot, sipUri: ep.gms.psi },
    mcsUri: ep.mcs.psi,
    protection: { integrity: false, confidentiality: false },
  };
}

function groupUri(eco: Ecosystem, groupId: string): string {
  const group = eco.groups.find((g) => g.id === groupId);
  const system = eco.systems.find((s) => s.id === group?.system);
  return system ? `sip:${groupId}@${system.domain}` : groupId;
}

/** What the CMS of `s` is seeded with: its endpoints and, per user homed here, profiles and partner entries. */
export function cmsSeedOf(eco: Ecosystem, s: SystemConfig): CmsSeed {
  const partners = partnersAccepting(eco, s).map((p) => ({
    systemId: p.id,
    name: p.name,
    ueInitConfig: buildUeInitConfig(ueInitConfigInputOf(p)),
  }));
  const users: SeedUser[] = eco.users
    .filter((u) => u.home === s.id)
    .map((u) => ({
      mcpttId: mcpttIdOf(eco, u),
      username: u.username,
      ...(u.displayName ? { displayName: u.displayName } : {}),
      profiles: u.profiles.map((p) => ({
        index: p.index,
        name: p.name,
        preSelected: p.preSelected,
        groups: p.groups.map((g) => ({ groupId: groupUri(eco, g), implicit: true })),
      })),
      partners,
      migrateTo: u.migrateTo.map((m) => ({
        systemId: m.system,
        profile: {
          index: m.profile.index,
          name: m.profile.name,
          preSelected: m.profile.preSelected,
          groups: m.profile.groups.map((g) => ({ groupId: groupUri(eco, g), implicit: true })),
        },
        accessProfiles: u.profiles.map((p) => p.index),
      })),
    }));
  return { system: ueInitConfigInputOf(s), users };
}

export function gmsSeedOf(eco: Ecosystem, s: SystemConfig): GmsSeedInput {
  const idOf = (username: string) => {
    const u = eco.users.find((x) => x.username === username);
    return u ? mcpttIdOf(eco, u) : username;
  };
  return {
    groups: eco.groups
      .filter((g) => g.system === s.id)
      .map((g) => ({
        groupId: g.id,
        displayName: g.displayName,
        members: g.members.map(idOf),
        priority: g.priority,
        administrators: g.administrators.map(idOf),
      })),
  };
}

/** Starts every server of every system, wires trust, seeds, shares migrating users (CSC-17). */
export async function startSystems(options: StartEcosystemOptions): Promise<RunningSystems> {
  const log = options.log ?? (() => {});
  const eco = await allocatePorts(options.ecosystem, options.ephemeralPorts ?? false);
  mkdirSync(options.dataDir, { recursive: true });
  const started: RunningSystem[] = [];
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
    closers.length = 0;
  };

  try {
    for (const s of eco.systems) {
      const endpoints = systemEndpoints(s);
      const audiences = audiencesOf(s);
      const database = options.database ?? s.database;
      const open = async (app: string) => {
        const db = await openServerDatabase({ systemId: s.id, app, dataDir: options.dataDir, database });
        closers.push(() => db.close());
        return db;
      };
      const related = relatedSystems(eco, s);
      const idmsDb = await open('idms');
      const idms = await startIdms(
        {
          systemId: s.id,
          host: s.host,
          port: s.ports.idms,
          audiences,
          adminToken: s.adminToken,
          clients: [
            { client_id: UE_CLIENT.clientId, redirect_uris: [UE_CLIENT.redirectUri] },
            ...related.map((o) => ({
              client_id: idmsClientId(o.id),
              client_secret: introspectionSecret(o, s),
              application_type: 'web' as const,
            })),
          ],
          partners: related.map((o) => ({
            systemId: o.id,
            issuer: systemEndpoints(o).idms.issuer,
            introspection: { clientId: idmsClientId(s.id), clientSecret: introspectionSecret(s, o) },
          })),
          ...(options.scryptCost ? { scryptCost: options.scryptCost } : {}),
        },
        { db: idmsDb },
      );
      closers.push(() => idms.close());
      const cms = await startCms(
        {
          systemId: s.id,
          domain: s.domain,
          host: s.host,
          httpPort: s.ports.cms,
          sipPort: s.ports.cmsSip,
          idmsIssuer: idms.issuer,
          audience: audiences.cms,
          adminToken: s.adminToken,
          partners: partnersAccepting(eco, s).map((p) => ({
            systemId: p.id,
            cmsUrl: `http://${p.host}:${p.ports.cms}`,
            adminToken: p.adminToken,
          })),
          idmsAdmin: { url: idms.url, adminToken: s.adminToken },
          ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
        },
        { db: await open('cms') },
      );
      closers.push(() => cms.close());
      const gms = await startGms(
        {
          systemId: s.id,
          domain: s.domain,
          host: s.host,
          httpPort: s.ports.gms,
          sipPort: s.ports.gmsSip,
          idmsIssuer: idms.issuer,
          audience: audiences.gms,
          adminToken: s.adminToken,
        },
        { db: await open('gms') },
      );
      closers.push(() => gms.close());
      const mcs = await startMcs({
        systemId: s.id,
        domain: s.domain,
        host: s.host,
        sipPort: s.ports.mcsSip,
        idmsIssuer: idms.issuer,
        audience: audiences.mcs,
        cms: { url: cms.httpUrl, adminToken: s.adminToken },
        ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
      });
      closers.push(() => mcs.close());
      started.push({ config: s, endpoints, audiences, idms, cms, gms, mcs, databases: [] });
      log(`${s.id}: IdMS ${idms.issuer}, CMS ${cms.xcapRoot}, GMS ${gms.xcapRoot}, MCS ${mcs.sipUri}`);
    }

    // Seeding (idempotent): accounts at the home IdMS, documents at the CMS, groups at the GMS.
    for (const sys of started) {
      const s = sys.config;
      for (const u of eco.users.filter((x) => x.home === s.id)) {
        await upsertAccount(sys.idms.db, {
          username: u.username,
          password: u.password,
          mcpttId: mcpttIdOf(eco, u),
          ...(u.displayName ? { displayName: u.displayName } : {}),
          entitlements: u.entitlements,
          ...(options.scryptCost ? { scryptCost: options.scryptCost } : {}),
        });
      }
      await sys.cms.seed(cmsSeedOf(eco, s));
      await sys.gms.seed(gmsSeedOf(eco, s));
    }
    // CMS-to-CMS sharing of migrating users (CSC-17) once every partner listens.
    for (const sys of started) await sys.cms.shareMigrations();
  } catch (err) {
    await closeAll();
    throw err;
  }

  return {
    ecosystem: eco,
    systems: started,
    system(id) {
      const found = started.find((x) => x.config.id === id);
      if (!found) throw new Error(`unknown MC system "${id}"`);
      return found;
    },
    close: closeAll,
  };
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
