/**
 * The composition of MC systems: the one way every MC system of this repository starts, for
 * `mcx up`, the e2e suite and every app's tests ("these systems, with these overrides").
 *
 * Steps, in order (each named, each below):
 *  1. allocatePorts   every URL is known before the first server starts (documents and trust embed them);
 *  1b. labCa         the lab CA (in `<dataDir>/tls`, or a throw-away one per process) issues each host's
 *                     certificate, and every fetch of the process trusts it (libs/lab-ca);
 *  2. credentials     one admin credential per system (configured, or generated per data directory);
 *  3. startServers    per system IdMS → CMS → GMS → MCS, each on its own database, with the production
 *                     token contract (token-contract.ts) and trust wiring (trust.ts);
 *  4. seed            accounts at the home IdMS, documents at the CMS (created when absent), groups at
 *                     the GMS (created, or reconciled with the file and what changed logged);
 *  5. share           CMS-to-CMS sharing of migrating users (CSC-17) once every partner listens.
 *
 * Replicas (issue #17, ecosystem `replicas` > 1): instance 1 of a system's CMS, GMS and MCS runs
 * with its IdMS and starts the fronts first (step 2b, fronts.ts: HAProxy on the `cms`/`gms` ports,
 * Kamailio on the SIP ports); instance k > 1 (`replica: k`, another process) runs only the CMS,
 * GMS and MCS, on the ports `replicaPorts[k-1]`, and neither seeds nor shares.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from '@mcx/db';
import { assignedMcpttIdsIn, instanceHost, systemEndpoints, systemHttpUrl, type Ecosystem, type SystemConfig, type SystemEndpoints } from '@mcx/ecosystem';
import { labCaIn, throwAwayLabCa, trustLabCa, type LabCa } from '@mcx/lab-ca';
import { adminTokenOf } from './admin-credentials.ts';
import { InstanceDatabases, type DatabaseSetting } from './databases.ts';
import { allocatePorts } from './ports.ts';
import { startFronts, type RunningFront } from './fronts.ts';
import { accountsOf, cmsSeedOf, gmsSeedOf } from './seeds.ts';
import type { CmsLike, ConfigOf, DepsOf, GmsLike, HandleOf, IdmsLike, ServerFactories, SipTimers } from './servers.ts';
import { audiencesOf, idmsClientId, introspectionSecret, UE_CLIENT, type Audiences } from './token-contract.ts';
import { partnersAccepting, relatedSystems } from './trust.ts';

type Overrides<F> = (system: SystemConfig) => Partial<ConfigOf<F>>;
type ExtraDeps<F> = (system: SystemConfig) => Partial<DepsOf<F>>;

export interface StartMcSystemsOptions<F extends ServerFactories> {
  ecosystem: Ecosystem;
  /** The start functions of the servers to run (the apps' `startIdms`, `startCms`, ...). */
  servers: F;
  /** Data directory (databases, secrets). Default: a new temporary directory, removed on close. */
  dataDir?: string;
  /** "embedded" (default: per system as in the file) or a postgres:// server URL for every instance. */
  database?: DatabaseSetting;
  /** Throw-away databases, dropped on close (tests). */
  throwAwayDatabases?: boolean;
  /** Ignore the file's ports and take free ones (tests, benchmarks). */
  ephemeralPorts?: boolean;
  /** scrypt cost of every system's passwords (default: each system's `passwordHashCost`, 2^15 unless the file says otherwise). */
  scryptCost?: number;
  /** SIP timers (tests shorten them). */
  sipTimers?: SipTimers;
  /** Seed accounts, documents and groups from the ecosystem (default true). */
  seed?: boolean;
  /**
   * The systems this composition runs (default: every system of the ecosystem). The others run
   * elsewhere (another process: `mcx up --processes per-system`) on the ports and admin
   * credentials the ecosystem gives, which must then be fixed: see {@link prepareMcSystems}.
   */
  only?: readonly string[];
  /**
   * Which instance of the replicated servers this composition runs (systems with `replicas` > 1;
   * default 1). Instance 1 also runs the IdMS and the fronts; instance k > 1 runs only the CMS, the
   * GMS and the MCS of the replicated systems, and should be started with `seed: false`.
   */
  replica?: number;
  /**
   * Whether an instance address is this machine's (default: every address is). With replicas, an
   * instance k > 1 whose `replicaPorts[k-1].host` is not local runs on another machine
   * (`mcx up --replica k` there): this composition skips it.
   */
  isLocal?: (host: string) => boolean;
  /**
   * Step 5 (CSC-17 sharing) now (default: when seeding). False when a partner system runs in
   * another process that may not listen yet: the caller runs `cms.shareMigrations()` once every
   * partner listens.
   */
  share?: boolean;
  /** Per-server configuration overrides on top of the wiring ("a system with these overrides"). */
  overrides?: { [K in keyof F]?: Overrides<F[K]> };
  /** Per-server extra deps (e.g. a logger, a test hook). */
  deps?: { [K in keyof F]?: ExtraDeps<F[K]> };
  log?: (line: string) => void;
  /** A pino logger every server logs to (each takes a child with its system and app); default: each server's own. */
  logger?: unknown;
  /**
   * The lab CA that issues the certificates of the systems served over TLS (every system unless the
   * file says `tls: false`). Default: the one in `<dataDir>/tls` (created on first start) when a
   * data directory is given, else a throw-away CA shared by the process (tests).
   */
  labCa?: LabCa;
}

/** One running MC system: the handles of the servers that were asked for. */
export type RunningMcSystem<F extends ServerFactories> = {
  config: SystemConfig;
  endpoints: SystemEndpoints;
  audiences: Audiences;
  /** The admin credential of this system's admin APIs (and where it is kept, when generated). */
  admin: { token: string; file?: string };
  /** The database of each server of this system. */
  databases: Partial<Record<keyof ServerFactories, Database>>;
} & { [K in keyof F]-?: HandleOf<NonNullable<F[K]>> };

export interface McSystems<F extends ServerFactories> {
  ecosystem: Ecosystem;
  dataDir: string;
  /** The lab CA every https endpoint's certificate chains to (`curl --cacert <labCa.caPath>`); trusted by this process's fetch. */
  labCa: LabCa;
  systems: RunningMcSystem<F>[];
  /** Every database opened, in opening order. */
  databases: Database[];
  /** The HTTP and SIP fronts of the replicated systems (instance 1 only). */
  fronts: RunningFront[];
  system(id: string): RunningMcSystem<F>;
  /**
   * Fault injection (scenarios, our choice): closes one server of a system (its port stops
   * answering; its database stays open), or starts it again on the same port, wiring and database.
   * Each resolves to false when the server was already in that state.
   */
  stopServer(systemId: string, server: keyof ServerFactories): Promise<boolean>;
  startServer(systemId: string, server: keyof ServerFactories): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Starts every asked-for server of every system of the ecosystem, wired, seeded and sharing. When
 * we chose the ports (ephemeral, or 0 in the file), another process may take one between the
 * choice and the bind: then everything started is closed and it starts again on other ports.
 */
export async function startMcSystems<F extends ServerFactories>(options: StartMcSystemsOptions<F>): Promise<McSystems<F>> {
  const portsChosenHere =
    (options.ephemeralPorts ?? false) || options.ecosystem.systems.some((s) => Object.values(s.ports).includes(0));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      if (!portsChosenHere || attempt >= 3 || !isAddressInUse(err)) throw err;
      options.log?.(`a chosen port was taken before its server bound it (${(err as Error).message}); starting again on other ports`);
    }
  }
}

function isAddressInUse(err: unknown): boolean {
  for (let e = err as { code?: string; message?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === 'EADDRINUSE' || /EADDRINUSE/.test(e.message ?? '')) return true;
  }
  return false;
}

async function startOnce<F extends ServerFactories>(options: StartMcSystemsOptions<F>): Promise<McSystems<F>> {
  const log = options.log ?? (() => {});
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'mcx-system-'));
  mkdirSync(dataDir, { recursive: true });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  /** Per `<system>/<server>`: closes it or starts it again (McSystems.stopServer / startServer). */
  const restartable = new Map<string, { stop(): Promise<boolean>; start(): Promise<boolean> }>();
  const databasesBySetting = new Map<string, InstanceDatabases>();
  const databasesFor = (setting: DatabaseSetting) => {
    let d = databasesBySetting.get(setting);
    if (!d) {
      d = new InstanceDatabases({ setting, dataDir, throwAway: options.throwAwayDatabases ?? false });
      databasesBySetting.set(setting, d);
      const dbs = d;
      closers.push(() => dbs.close());
    }
    return d;
  };

  try {
    // 1, 2, 1b
    const prepared = await prepareMcSystems({ ...options, dataDir, ...(ownDataDir ? { labCa: options.labCa ?? (await throwAwayLabCa()) } : {}) });
    const { ecosystem: eco, labCa, admin } = prepared;
    const adminTokenOfSystem = (s: SystemConfig) => admin.get(s.id)!.token;
    const replica = options.replica ?? 1;
    const replicated = (s: SystemConfig) => (s.replicas ?? 1) > 1;
    const local = options.isLocal ?? (() => true);
    const runsHere = (s: SystemConfig) =>
      (!options.only || options.only.includes(s.id)) && (replica === 1 || (replicated(s) && local(instanceHost(s, replica))));
    for (const s of eco.systems.filter((x) => replica === 1 && runsHere(x) && replicated(x) && x.replicaPorts?.[0]?.host !== undefined && !local(x.replicaPorts[0]!.host!)))
      throw new Error(`${s.id}: instance 1 runs with the IdMS and the fronts, on this machine; ${s.replicaPorts![0]!.host} is not one of its addresses`);
    for (const s of eco.systems.filter((x) => runsHere(x) && replicated(x))) {
      const setting = options.database ?? s.database;
      if (!/^postgres(ql)?:\/\//.test(setting)) throw new Error(`${s.id}: ${s.replicas} replicas share one PostgreSQL database: give one (mcx up --db postgres://...)`);
    }

    // 2b. fronts (instance 1)
    const fronts: RunningFront[] = [];
    if (replica === 1) {
      const running = await startFronts(eco.systems.filter((x) => runsHere(x) && replicated(x)), log);
      closers.push(() => running.close());
      fronts.push(...running.fronts);
    }

    // 3. startServers
    const started: RunningMcSystem<F>[] = [];
    for (const s of eco.systems.filter(runsHere)) {
      const running = await startServers(s);
      started.push(running);
      log(`${s.id}: ${describe(running)}`);
    }

    // 4. seed
    if (options.seed ?? true) {
      for (const sys of started) {
        const s = sys.config;
        const h = sys as unknown as { idms: IdmsLike; cms?: CmsLike; gms?: GmsLike };
        // An account that exists is left alone (README): no scrypt hash of its password on every
        // restart (about 0.1-0.3 s per account at the default cost 2^15).
        const existing = await existingAccounts(sys.databases.idms);
        const accounts = accountsOf(eco, s, options.scryptCost).filter((a) => !existing.has(a.username));
        if (accounts.length > 0) await h.idms.seed({ accounts });
        await h.cms?.seed(cmsSeedOf(eco, s));
        const groups = (await h.gms?.seed(gmsSeedOf(eco, s))) as { reconciled?: { groupId: string; changes: string[] }[] } | undefined;
        // A restart over existing data puts the file's groups back and says what it changed (apps/gms seed).
        for (const r of groups?.reconciled ?? []) log(`${s.id}: group ${r.groupId}: ${r.changes.join(', ')}`);
      }
    }
    // 5. share
    if (options.share ?? options.seed ?? true) {
      for (const sys of started) await (sys as unknown as { cms?: CmsLike }).cms?.shareMigrations();
    }

    const databases = [...databasesBySetting.values()].flatMap((d) => d.all);
    let closed: Promise<void> | undefined;
    return {
      ecosystem: eco,
      dataDir,
      labCa,
      systems: started,
      databases,
      fronts,
      system(id) {
        const found = started.find((x) => x.config.id === id);
        if (!found) throw new Error(`unknown MC system "${id}"`);
        return found;
      },
      stopServer(systemId, server) {
        const r = restartable.get(`${systemId}/${server}`);
        if (!r) return Promise.reject(new Error(`no ${server} server in MC system "${systemId}"`));
        return r.stop();
      },
      startServer(systemId, server) {
        const r = restartable.get(`${systemId}/${server}`);
        if (!r) return Promise.reject(new Error(`no ${server} server in MC system "${systemId}"`));
        return r.start();
      },
      close() {
        closed ??= closeAll();
        return closed;
      },
    };

    async function startServers(s: SystemConfig): Promise<RunningMcSystem<F>> {
      const audiences = audiencesOf(s);
      const dbs = databasesFor(options.database ?? s.database);
      const timers = options.sipTimers ? { sipTimers: options.sipTimers } : {};
      const tls = s.tls === false ? {} : { tls: await labCa.serverCredentials(s.host) };
      const related = relatedSystems(eco, s);
      const override = <K extends keyof F>(k: K) => (options.overrides?.[k]?.(s) ?? {}) as object;
      const extraDeps = <K extends keyof F>(k: K) => (options.deps?.[k]?.(s) ?? {}) as object;
      const handles: Record<string, { close(): Promise<void> }> = {};
      // Replicas: this instance's ports, and the fronts' addresses it names to clients.
      const own = replicated(s) ? s.replicaPorts?.[replica - 1] : undefined;
      if (replicated(s) && !own) throw new Error(`${s.id}: no ports for replica ${replica} (replicaPorts)`);
      const asReplica = (httpPort: number | undefined, sipPort: number, frontHttp: number | undefined, frontSip: number) =>
        own
          ? {
              replica,
              host: instanceHost(s, replica),
              ...(httpPort !== undefined ? { httpPort, publicUrl: systemHttpUrl(s, frontHttp!) } : {}),
              sipPort,
              sipContact: { host: s.host, port: frontSip },
            }
          : {};
      const databases: Partial<Record<keyof ServerFactories, Database>> = {};
      const start = async <K extends keyof ServerFactories>(k: K, wiring: object) => {
        const factory = options.servers[k] as ((w: object, d: object) => Promise<{ close(): Promise<void> }>) | undefined;
        if (!factory) return undefined;
        // The MCS keeps only soft state (registrations expire, TS 24.229 / RFC 3261 10.2.1): no database.
        const db = k === 'mcs' ? undefined : await dbs.open(s.id, k);
        if (db) databases[k] = db;
        const deps = { ...(db ? { db } : {}), ...(options.logger ? { logger: options.logger } : {}), ...extraDeps(k) };
        const handle = await factory({ ...wiring, ...override(k) }, deps);
        let current: { close(): Promise<void> } | undefined = handle;
        closers.push(() => current?.close() ?? Promise.resolve());
        handles[k] = handle;
        restartable.set(`${s.id}/${k}`, {
          async stop() {
            if (!current) return false;
            const h = current;
            current = undefined;
            await h.close();
            return true;
          },
          async start() {
            if (current) return false;
            current = await factory({ ...wiring, ...override(k) }, deps);
            const sys = started.find((x) => x.config.id === s.id) as unknown as Record<string, unknown> | undefined;
            if (sys) sys[k] = current;
            return true;
          },
        });
        return handle as unknown as NonNullable<HandleOf<ServerFactories[K]>>;
      };

      const idmsHere = replica === 1;
      const idms = !idmsHere
        ? { issuer: systemEndpoints(s).idms.issuer, url: systemHttpUrl(s, s.ports.idms) }
        : (await start('idms', {
        systemId: s.id,
        host: s.host,
        port: s.ports.idms,
        audiences,
        adminToken: adminTokenOfSystem(s),
        clients: [
          { client_id: UE_CLIENT.clientId, redirect_uris: [UE_CLIENT.redirectUri] },
          ...related.map((o) => ({
            client_id: idmsClientId(o.id),
            client_secret: introspectionSecret({ id: o.id, adminToken: adminTokenOfSystem(o) }, { id: s.id, adminToken: adminTokenOfSystem(s) }),
            application_type: 'web' as const,
          })),
        ],
        partners: related.map((o) => ({
          systemId: o.id,
          issuer: systemEndpoints(o).idms.issuer,
          introspection: {
            clientId: idmsClientId(s.id),
            clientSecret: introspectionSecret({ id: s.id, adminToken: adminTokenOfSystem(s) }, { id: o.id, adminToken: adminTokenOfSystem(o) }),
          },
        })),
        scryptCost: options.scryptCost ?? s.passwordHashCost,
        migratedIds: { domain: s.domain, assigned: assignedMcpttIdsIn(eco, s.id) },
        ...tls,
      }))!;
      const cms = await start('cms', {
        systemId: s.id,
        domain: s.domain,
        host: s.host,
        httpPort: s.ports.cms,
        sipPort: s.ports.cmsSip,
        idmsIssuer: idms.issuer,
        audience: audiences.cms,
        adminToken: adminTokenOfSystem(s),
        partners: partnersAccepting(eco, s).map((p) => ({
          systemId: p.id,
          cmsUrl: systemHttpUrl(p, p.ports.cms),
          adminToken: adminTokenOfSystem(p),
        })),
        idmsAdmin: { url: idms.url, adminToken: adminTokenOfSystem(s) },
        migratedIds: { assigned: assignedMcpttIdsIn(eco, s.id) },
        ...timers,
        ...tls,
        ...asReplica(own?.cms, own?.cmsSip ?? 0, s.ports.cms, s.ports.cmsSip),
      });
      await start('gms', {
        systemId: s.id,
        domain: s.domain,
        host: s.host,
        httpPort: s.ports.gms,
        sipPort: s.ports.gmsSip,
        idmsIssuer: idms.issuer,
        audience: audiences.gms,
        adminToken: adminTokenOfSystem(s),
        ...timers,
        ...tls,
        ...asReplica(own?.gms, own?.gmsSip ?? 0, s.ports.gms, s.ports.gmsSip),
      });
      await start('mcs', {
        systemId: s.id,
        domain: s.domain,
        host: s.host,
        sipPort: s.ports.mcsSip,
        idmsIssuer: idms.issuer,
        audience: audiences.mcs,
        cms: { url: cms?.httpUrl ?? systemHttpUrl(s, s.ports.cms), adminToken: adminTokenOfSystem(s) },
        // TS 23.280 clause 10.6.3: the partner MCS asks the primary MCS (addresses like the other cross-system ones).
        peers: related.map((o) => ({ systemId: o.id, psi: systemEndpoints(o).mcs.psi, sipUri: systemEndpoints(o).mcs.sip })),
        ...timers,
        ...(own ? { host: instanceHost(s, replica), sipPort: own.mcsSip, sipContact: { host: s.host, port: s.ports.mcsSip } } : {}),
      });
      return {
        config: s,
        endpoints: systemEndpoints(s),
        audiences,
        admin: admin.get(s.id)!,
        databases,
        ...handles,
      } as unknown as RunningMcSystem<F>;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** The usernames of the accounts an IdMS database holds (none when it has no account table yet). */
async function existingAccounts(db: Database | undefined): Promise<Set<string>> {
  if (!db) return new Set();
  try {
    return new Set((await db.prisma.account.findMany({ select: { username: true } })).map((a) => a.username));
  } catch {
    return new Set();
  }
}

export interface PreparedMcSystems {
  /** The ecosystem with every port fixed and every system's admin credential filled in. */
  ecosystem: Ecosystem;
  labCa: LabCa;
  admin: Map<string, { token: string; file?: string }>;
}

/**
 * Steps 1, 2 and 1b of the composition, which every process of an ecosystem must agree on before
 * any server starts: the ports (allocatePorts), the admin credentials and the lab CA with a server
 * certificate per host (created here once, so processes started next only read them). The
 * returned ecosystem, given to `startMcSystems` with `only`, starts one system in another process
 * wired exactly as in this one.
 */
export async function prepareMcSystems(options: Pick<StartMcSystemsOptions<ServerFactories>, 'ecosystem' | 'ephemeralPorts' | 'labCa' | 'log'> & { dataDir: string }): Promise<PreparedMcSystems> {
  const log = options.log ?? (() => {});
  const dataDir = options.dataDir;
  // 1. allocatePorts
  const ported = await allocatePorts(options.ecosystem, options.ephemeralPorts ?? false);
  // 2. credentials
  const admin = new Map<string, { token: string; file?: string }>();
  for (const s of ported.systems) {
    const c = adminTokenOf(dataDir, s.id, s.adminToken);
    admin.set(s.id, { token: c.token, ...(c.file ? { file: c.file } : {}) });
    if (c.file) log(`${s.id}: admin credential in ${c.file}${c.created ? ' (generated now)' : ''}`);
  }
  const ecosystem: Ecosystem = { ...ported, systems: ported.systems.map((s) => ({ ...s, adminToken: admin.get(s.id)!.token })) };
  // 1b. labCa
  const labCa = options.labCa ?? (await labCaIn(join(dataDir, 'tls')));
  trustLabCa(labCa.caPem);
  for (const host of new Set(ecosystem.systems.filter((s) => s.tls !== false).map((s) => s.host))) await labCa.serverCredentials(host);
  return { ecosystem, labCa, admin };
}

function describe(sys: { idms?: { issuer: string }; cms?: { xcapRoot: string }; gms?: { xcapRoot: string }; mcs?: { psi: string; sipUri: string } }): string {
  return [
    sys.idms ? `IdMS ${sys.idms.issuer}` : undefined,
    sys.cms ? `CMS ${sys.cms.xcapRoot}` : undefined,
    sys.gms ? `GMS ${sys.gms.xcapRoot}` : undefined,
    sys.mcs ? `MCS ${sys.mcs.sipUri}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}
