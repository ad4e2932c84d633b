/**
 * The ecosystem file (ecosystem.yaml): one file describes both MC systems (primary and partner),
 * their users with MC IDs and user profiles ("personalities", TS 23.280 10.1.4.1), the users
 * authorized to migrate (TS 23.280 10.1.6, 10.17.5), groups (TS 24.481) and the UEs to start.
 * Every default lives here, so this schema is also the documentation of the file. Every object
 * is strict: an unknown key (a typo such as `uez:` for `ues:`) is an error, not silently ignored
 * (load.ts names its line, column and the nearest valid key).
 */
import { z } from 'zod';

const id = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and "-", starting with a letter');
/** A PLMN id is MCC (3 digits) + MNC (2 or 3 digits), TS 23.003 clause 2.2. */
export const plmnId = z.string().regex(/^\d{3}\d{2,3}$/, 'a PLMN id is MCC (3 digits) followed by MNC (2 or 3 digits)');
const port = z.number().int().min(0).max(65535);

export const databaseSetting = z
  .union([z.literal('embedded'), z.string().regex(/^postgres(ql)?:\/\//, 'either "embedded" or a postgres:// URL')])
  .default('embedded');

export const systemPorts = z.object({
  /** HTTP port of the IdMS (CSC-1). */
  idms: port,
  /** HTTP port of the CMS (XCAP root, admin API, CSC-17 sharing). */
  cms: port,
  /** HTTP port of the GMS (XCAP root for groups, admin API). */
  gms: port,
  /** SIP port (UDP and TCP) of the CMS notifier / subscription proxy. */
  cmsSip: port,
  /** SIP port (UDP and TCP) of the GMS notifier. */
  gmsSip: port,
  /** SIP port (UDP and TCP) of the MC service server. */
  mcsSip: port,
}).strict();

/**
 * Where one replica (instance) of the CMS, the GMS and the MCS listens: the address (default: the
 * system's `host`) and the ports (UDP and TCP for SIP). An address that is not one of this
 * machine's is another machine's: `mcx up` does not start that instance but checks it, and
 * `mcx up --replica k` starts it there (apps/mcx README); its ports must then be given.
 */
export const replicaPorts = z.object({ host: z.string().min(1).optional(), cms: port, gms: port, cmsSip: port, gmsSip: port, mcsSip: port }).strict();

export const systemSchema = z.object({
  id,
  name: z.string().min(1),
  role: z.enum(['primary', 'partner']),
  /** PLMNs served by this MC system; the first is its HPLMN. */
  plmns: z.array(plmnId).min(1),
  /** SIP/IMS domain of the system, used to build MC IDs and PSIs. */
  domain: z.string().min(1),
  host: z.string().default('127.0.0.1'),
  ports: systemPorts,
  /**
   * Serve this system's HTTP endpoints (IdMS, CMS, GMS and their admin APIs, CSC-5, CSC-17) over
   * TLS with the lab CA (TS 24.484 4.2.2.1.2: the UE contacts the IdMS at "the HTTPS URI stored in
   * the MCS UE initial configuration document"); documents then carry https URIs. `false`: plain
   * HTTP, for reading the wire without keys (our choice). Default: the file's top-level `tls`.
   */
  tls: z.boolean().optional(),
  database: databaseSetting,
  /** Systems whose IdMS tokens this system's IdMS accepts for migration (token exchange). */
  trusts: z.array(id).default([]),
  /**
   * scrypt cost (N, a power of 2) of the passwords of this system's accounts at its IdMS. Strong
   * by default (2^15, about 100 ms a login); a lab or a benchmark may lower it (min 2^10). Our choice.
   */
  passwordHashCost: z
    .number()
    .int()
    .min(1024)
    .refine((n) => (n & (n - 1)) === 0, 'scrypt N is a power of 2')
    .default(2 ** 15),
  /**
   * Admin credential of the system's IdMS/CMS/GMS admin APIs and of CSC-5/CSC-17
   * (docs/server-contracts.md "Admin credential"). Optional and without default: when the file
   * gives none, the composition generates a secret per data directory.
   */
  adminToken: z.string().min(8).optional(),
  /**
   * Replicas (issue #17): how many instances of the CMS, the GMS and the MCS this system runs, all
   * on one PostgreSQL database (`database` or `mcx up --db`). With more than one, `ports.cms` and
   * `ports.gms` are an HTTP front (HAProxy) and `ports.cmsSip`, `gmsSip`, `mcsSip` a SIP front
   * (Kamailio's dispatcher) in front of the instances, so UEs see one address per server role;
   * the IdMS stays one instance. Default 1: no front, the servers listen on `ports` themselves.
   * `mcx up --replicas N` overrides it for every system.
   */
  replicas: z.number().int().min(1).max(8).default(1),
  /**
   * Where each instance listens (instance k on entry k-1): one entry per replica; absent or 0 ports
   * are chosen at start.
   */
  replicaPorts: z.array(replicaPorts).optional(),
}).strict();

export const profileSchema = z.object({
  /** `user-profile-index` (TS 24.484 clause 8.3.2: unsignedByte). */
  index: z.number().int().min(0).max(255),
  /** `<ProfileName>` */
  name: z.string().min(1),
  /** `<Pre-selected-indication/>` */
  preSelected: z.boolean().default(false),
  /** Groups (by group id) this profile affiliates to. */
  groups: z.array(z.string()).default([]),
}).strict();

export const userSchema = z.object({
  username: z.string().regex(/^[a-z][a-z0-9._-]*$/),
  password: z.string().min(4),
  displayName: z.string().optional(),
  /** The MC system the user belongs to (its primary MC system). */
  home: id,
  /** Defaults to sip:<username>@<home domain>. */
  mcpttId: z.string().optional(),
  /** MCData ID (TS 23.282), written into the `mcdata_id` claim when the user is entitled to MCData. */
  mcdataId: z.string().optional(),
  entitlements: z.array(z.enum(['mcptt', 'mcvideo', 'mcdata'])).default(['mcptt']),
  /** User profiles ("personalities") configured by the primary MC system (TS 23.280 10.1.4.1). */
  profiles: z.array(profileSchema).min(1),
  /**
   * Partner MC systems the user is authorized to migrate to, each with the user profile used there
   * (TS 24.484 4.2.2.1.2 NOTE 1: a different document from the one used for access).
   */
  migrateTo: z
    .array(
      z.object({
        system: id,
        profile: profileSchema.default({ index: 1, name: 'visitor', preSelected: true, groups: [] }),
        /**
         * Which of the user's own profiles (by index) may be used to access the partner
         * (TS 24.484 4.2.2.1.2: the partner checks the selected profile); default: all of them.
         */
        accessProfiles: z.array(z.number().int().min(0).max(255)).optional(),
        /**
         * The MCPTT ID the partner system assigns the user once migrated (TS 23.280 clause 10.16.5:
         * "he or she will be assigned a new MC service ID by the migrated MC system"). Default, our
         * choice: `sip:<username>.<home system id>@<partner domain>` (libs/auth assignMigratedMcpttId).
         */
        mcpttId: z.string().regex(/^sips?:[^@\s]+@[^@\s]+$/, 'a SIP URI (sip:user@domain)').optional(),
      }).strict(),
    )
    .default([]),
}).strict();

export const groupSchema = z.object({
  /** MC group ID; the group document is global/byGroupID/<id> (TS 24.481 6.2.2.2). */
  id: z.string().min(1),
  system: id,
  displayName: z.string().min(1),
  members: z.array(z.string()).min(1),
  priority: z.number().int().min(0).max(255).default(100),
  administrators: z.array(z.string()).default([]),
}).strict();

export const ueSchema = z.object({
  id,
  user: z.string(),
  /** Registered PLMN at start. Defaults to the home system's HPLMN. */
  plmn: plmnId.optional(),
}).strict();

export const ecosystemSchema = z
  .object({
    /** Directory for the embedded databases and the UEs' protected local copies. */
    dataDir: z.string().default('.data'),
    /**
     * TLS for the HTTP endpoints of every MC system (default true: https with the lab CA that `mcx up`
     * creates in `<dataDir>/tls`); a system's own `tls` wins. `false`: plain HTTP everywhere (our choice).
     * The console and the UE host control API are not MC system endpoints: plain HTTP on loopback.
     */
    tls: z.boolean().default(true),
    /**
     * The web console: where it binds (loopback by default; another address exposes an admin proxy
     * of both systems, behind its login only) and its port. Login: the lab control secret
     * `<dataDir>/secrets/control-token` (apps/console login.ts).
     */
    console: z.object({ host: z.string().default('127.0.0.1'), port: port.default(7000) }).strict().default({ host: '127.0.0.1', port: 7000 }),
    /**
     * The UE host control API (docs/ue-host-api.md): where it binds (loopback by default) and its
     * port. Every route but /healthz needs the lab control secret as a bearer token.
     */
    ueHost: z.object({ host: z.string().default('127.0.0.1'), port: port.default(7001) }).strict().default({ host: '127.0.0.1', port: 7001 }),
    /**
     * How `mcx up` lays the ecosystem out over operating-system processes (our choice):
     * `single` (default): every server, the UE host and the console in one process;
     * `per-system`: each MC system (its IdMS, CMS, GMS and MCS) in a child process of its own, the UE
     * host and the console in the parent; they talk over the same HTTP and SIP sockets either way.
     * `mcx up --processes` and `mcx bench migration --processes` override it.
     */
    processes: z.enum(['single', 'per-system']).default('single'),
    systems: z.array(systemSchema).min(1),
    users: z.array(userSchema).default([]),
    groups: z.array(groupSchema).default([]),
    ues: z.array(ueSchema).default([]),
  })
  .strict()
  .superRefine((eco, ctx) => {
    const systems = new Map(eco.systems.map((s) => [s.id, s]));
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    eco.systems.forEach((s, i) => {
      if (eco.systems.findIndex((o) => o.id === s.id) !== i) issue(['systems', i, 'id'], `duplicate system id "${s.id}"`);
      s.trusts.forEach((t, j) => {
        if (!systems.has(t)) issue(['systems', i, 'trusts', j], `unknown system "${t}"`);
      });
    });
    const users = new Map(eco.users.map((u) => [u.username, u]));
    eco.users.forEach((u, i) => {
      if (eco.users.findIndex((o) => o.username === u.username) !== i) issue(['users', i, 'username'], `duplicate user "${u.username}"`);
      if (!systems.has(u.home)) issue(['users', i, 'home'], `unknown system "${u.home}"`);
      const indexes = new Set<number>();
      u.profiles.forEach((p, j) => {
        if (indexes.has(p.index)) issue(['users', i, 'profiles', j, 'index'], `duplicate user-profile-index ${p.index}`);
        indexes.add(p.index);
      });
      if (u.profiles.filter((p) => p.preSelected).length > 1) issue(['users', i, 'profiles'], 'at most one profile may be pre-selected');
      u.migrateTo.forEach((m, j) => {
        const target = systems.get(m.system);
        if (!target) return issue(['users', i, 'migrateTo', j, 'system'], `unknown system "${m.system}"`);
        if (m.system === u.home) issue(['users', i, 'migrateTo', j, 'system'], 'a user cannot migrate to its home system');
        if (!target.trusts.includes(u.home))
          issue(['users', i, 'migrateTo', j, 'system'], `system "${m.system}" does not trust "${u.home}" (add it to its trusts)`);
      });
    });
    eco.groups.forEach((g, i) => {
      if (!systems.has(g.system)) issue(['groups', i, 'system'], `unknown system "${g.system}"`);
      g.members.forEach((m, j) => {
        if (!users.has(m)) issue(['groups', i, 'members', j], `unknown user "${m}"`);
      });
    });
    eco.ues.forEach((ue, i) => {
      if (!users.has(ue.user)) issue(['ues', i, 'user'], `unknown user "${ue.user}"`);
      if (eco.ues.findIndex((o) => o.id === ue.id) !== i) issue(['ues', i, 'id'], `duplicate UE id "${ue.id}"`);
    });
    const seen = new Map<string, string>();
    eco.systems.forEach((s, i) => {
      s.replicaPorts?.forEach((r, k) => {
        if (k >= s.replicas) issue(['systems', i, 'replicaPorts', k], `replicas is ${s.replicas}: no instance ${k + 1}`);
        if (r.host === undefined) return;
        for (const [name, p] of Object.entries(r)) if (p === 0) issue(['systems', i, 'replicaPorts', k, name], 'an instance with a host of its own needs fixed ports (the other machine must agree)');
        for (const name of Object.keys(s.ports) as (keyof typeof s.ports)[])
          if (name !== 'idms' && s.ports[name] === 0) issue(['systems', i, 'ports', name], 'with an instance on another host, the fronts need fixed ports too');
      });

      for (const [name, p] of Object.entries(s.ports)) {
        if (p === 0) continue;
        const kind = name.endsWith('Sip') ? 'sip' : 'http';
        const key = `${s.host}:${p}:${kind}`;
        if (seen.has(key)) issue(['systems', i, 'ports', name], `port ${p} is already used by ${seen.get(key)}`);
        seen.set(key, `${s.id}.${name}`);
      }
    });
  })
  // Each system's `tls` resolved: its own, else the file's.
  .transform((eco) => ({ ...eco, systems: eco.systems.map((s) => ({ ...s, tls: s.tls ?? eco.tls })) }));

export type Ecosystem = z.infer<typeof ecosystemSchema>;
export type EcosystemInput = z.input<typeof ecosystemSchema>;
export type SystemConfig = z.infer<typeof systemSchema>;
export type UserConfig = z.infer<typeof userSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;
export type GroupConfig = z.infer<typeof groupSchema>;
export type UeConfig = z.infer<typeof ueSchema>;
