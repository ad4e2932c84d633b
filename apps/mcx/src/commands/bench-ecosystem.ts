/**
 * The ecosystem `mcx bench migration` runs: the primary and the partner MC system of the
 * ecosystem file (free ports, no UEs), with N generated users instead of the file's. Each user is
 * distinct and complete, as a fire brigade's would be: homed in the primary, two user profiles
 * there (TS 23.280 10.1.4.1), a member of one of the primary's groups and of one of the
 * partner's (TS 24.481), and authorized to migrate to the partner with a visitor profile there
 * (TS 23.280 10.1.6: the primary shares the user with the partner over CSC-17). The composition
 * seeds them like any user of a file. Every system hashes its passwords at `scryptCost`.
 */
import { ecosystemSchema, type Ecosystem, type EcosystemInput } from '@mcx/ecosystem';

/** Members per generated group (our choice: a crew, not the whole brigade in one document). */
export const BENCH_GROUP_SIZE = 20;

export const benchUsername = (i: number) => `bench-u${String(i + 1).padStart(5, '0')}`;

export function benchEcosystem(file: Ecosystem, n: number, scryptCost: number): { ecosystem: Ecosystem; partnerPlmn: string } {
  const primary = file.systems.find((s) => s.role === 'primary');
  const partner = file.systems.find((s) => s.role === 'partner' && s.trusts.includes(primary?.id ?? ''));
  if (!primary || !partner) throw new Error('the ecosystem file needs a primary MC system and a partner that trusts it');
  const groups = Math.ceil(n / BENCH_GROUP_SIZE);
  const groupA = (g: number) => `bench-${primary.id}-${g + 1}`;
  const groupB = (g: number) => `bench-${partner.id}-${g + 1}`;
  const users: EcosystemInput['users'] = Array.from({ length: n }, (_, i) => {
    const g = Math.floor(i / BENCH_GROUP_SIZE);
    return {
      username: benchUsername(i),
      password: `${benchUsername(i)}-secret`,
      displayName: `Bench user ${i + 1}`,
      home: primary.id,
      entitlements: ['mcptt'],
      profiles: [
        { index: 1, name: 'home', preSelected: true, groups: [groupA(g)] },
        { index: 2, name: 'mutual-aid', groups: [groupA(g)] },
      ],
      migrateTo: [{ system: partner.id, profile: { index: 1, name: `visiting-${partner.id}`, preSelected: true, groups: [groupB(g)] }, accessProfiles: [1] }],
    };
  });
  const members = (g: number) => users.slice(g * BENCH_GROUP_SIZE, (g + 1) * BENCH_GROUP_SIZE).map((u) => u.username);
  const ecosystem = ecosystemSchema.parse({
    ...file,
    systems: [primary, partner].map((s) => ({ ...s, ports: { idms: 0, cms: 0, gms: 0, cmsSip: 0, gmsSip: 0, mcsSip: 0 }, passwordHashCost: scryptCost })),
    console: { ...file.console, port: 0 },
    ueHost: { ...file.ueHost, port: 0 },
    users,
    groups: Array.from({ length: groups }, (_, g) => [
      { id: groupA(g), system: primary.id, displayName: `Bench crew ${g + 1} (${primary.id})`, members: members(g) },
      { id: groupB(g), system: partner.id, displayName: `Bench crew ${g + 1} (${partner.id})`, members: members(g) },
    ]).flat(),
    ues: [],
  });
  return { ecosystem, partnerPlmn: partner.plmns[0]! };
}
