/**
 * A lab ecosystem in code, for tests and benchmarks: the two systems of the demo file (mcx-a primary
 * on PLMN 00101, mcx-b partner on 00102, trusting each other) on free ports, with the users, groups
 * and UEs a test asks for. Validated by the same schema as ecosystem.yaml.
 */
import { ecosystemSchema, type Ecosystem, type EcosystemInput } from '@mcx/ecosystem';

type SystemInput = EcosystemInput['systems'][number];
const FREE = { idms: 0, cms: 0, gms: 0, cmsSip: 0, gmsSip: 0, mcsSip: 0 };

export const LAB_SYSTEMS: SystemInput[] = [
  { id: 'mcx-a', name: 'MC system A (primary)', role: 'primary', plmns: ['00101'], domain: 'mcx-a.example.net', ports: FREE, trusts: ['mcx-b'] },
  { id: 'mcx-b', name: 'MC system B (partner)', role: 'partner', plmns: ['00102'], domain: 'mcx-b.example.net', ports: FREE, trusts: ['mcx-a'] },
];

/** Users of the demo file that tests rely on: alice migrates to mcx-b, bob does not, dave is homed in mcx-b. */
export const LAB_USERS: EcosystemInput['users'] = [
  {
    username: 'alice',
    password: 'alice-secret',
    displayName: 'Alice',
    home: 'mcx-a',
    entitlements: ['mcptt', 'mcdata'],
    profiles: [
      { index: 1, name: 'home', preSelected: true, groups: ['fire-a'] },
      { index: 2, name: 'mutual-aid', groups: ['fire-a'] },
      { index: 3, name: 'limited-device', groups: ['fire-a'] },
    ],
    migrateTo: [{ system: 'mcx-b', profile: { index: 1, name: 'visiting-mcx-b', preSelected: true, groups: ['rescue-b'] } }],
  },
  { username: 'bob', password: 'bob-secret', displayName: 'Bob', home: 'mcx-a', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['fire-a'] }] },
  {
    username: 'carol',
    password: 'carol-secret',
    displayName: 'Carol',
    home: 'mcx-a',
    profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['fire-a'] }],
    migrateTo: [{ system: 'mcx-b', profile: { index: 1, name: 'visiting-mcx-b', preSelected: true, groups: ['rescue-b'] } }],
  },
  { username: 'dave', password: 'dave-secret', displayName: 'Dave', home: 'mcx-b', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['rescue-b'] }] },
];

export const LAB_GROUPS: EcosystemInput['groups'] = [
  { id: 'fire-a', system: 'mcx-a', displayName: 'Fire brigade A', members: ['alice', 'bob', 'carol'], administrators: ['alice'] },
  { id: 'rescue-b', system: 'mcx-b', displayName: 'Rescue B', members: ['dave', 'alice', 'carol'], administrators: ['dave'] },
];

/**
 * The lab ecosystem with these overrides: `systems` (default both lab systems; give one id to run
 * one), `users`, `groups`, `ues` replace the defaults when given; every port is free (0).
 */
export function labEcosystem(overrides: Partial<Pick<EcosystemInput, 'users' | 'groups' | 'ues'>> & { systems?: (string | SystemInput)[] } = {}): Ecosystem {
  const systems = (overrides.systems ?? LAB_SYSTEMS).map((s) => {
    if (typeof s !== 'string') return s;
    const found = LAB_SYSTEMS.find((x) => x.id === s);
    if (!found) throw new Error(`no lab system "${s}"`);
    return found;
  });
  const ids = new Set(systems.map((s) => s.id));
  const users = (overrides.users ?? LAB_USERS ?? []).filter((u) => ids.has(u.home)).map((u) => ({ ...u, migrateTo: (u.migrateTo ?? []).filter((m) => ids.has(m.system)) }));
  const names = new Set(users.map((u) => u.username));
  const groups = (overrides.groups ?? LAB_GROUPS ?? [])
    .filter((g) => ids.has(g.system))
    .map((g) => ({ ...g, members: g.members.filter((m) => names.has(m)), administrators: (g.administrators ?? []).filter((m) => names.has(m)) }))
    .filter((g) => g.members.length > 0);
  const groupIds = new Set(groups.map((g) => g.id));
  return ecosystemSchema.parse({
    console: { port: 0 },
    ueHost: { port: 0 },
    systems: systems.map((s) => ({ ...s, trusts: (s.trusts ?? []).filter((t) => ids.has(t)) })),
    users: users.map((u) => ({
      ...u,
      profiles: u.profiles.map((p) => ({ ...p, groups: (p.groups ?? []).filter((g) => groupIds.has(g)) })),
      migrateTo: u.migrateTo.map((m) => ({ ...m, ...(m.profile ? { profile: { ...m.profile, groups: (m.profile.groups ?? []).filter((g) => groupIds.has(g)) } } : {}) })),
    })),
    groups,
    ues: overrides.ues ?? [],
  });
}

/** The database setting of test runs: PostgreSQL when MCX_TEST_DATABASE_URL is set, else embedded SQLite. */
export function testDatabaseSetting(env: NodeJS.ProcessEnv = process.env): string {
  return env.MCX_TEST_DATABASE_URL || 'embedded';
}
