// Test harness: two complete MC systems on loopback (IdMS, CMS, GMS, MCS each; real servers on
// throw-away databases: SQLite, or PostgreSQL with MCX_TEST_DATABASE_URL), composed by
// @mcx/mc-system exactly as `mcx up` composes them (production token contract, trust, CSC-17).
import { labEcosystem, startMcSystems, testDatabaseSetting, transportViewOf, UE_CLIENT as UE_CLIENT_CONTRACT, type McSystems, type RunningMcSystem } from '@mcx/mc-system';
import { startIdms } from '@mcx/idms';
import { startCms } from '@mcx/cms';
import { startGms } from '@mcx/gms';
import { startMcs } from '@mcx/mcs';
import type { UeHostSystemInput } from '../src/index.ts';

export const UE_CLIENT = { ...UE_CLIENT_CONTRACT };
export const USERS = [
  { username: 'alice', password: 'alice-secret', home: 'mcx-a' },
  { username: 'bob', password: 'bob-secret', home: 'mcx-a' },
  { username: 'carol', password: 'carol-secret', home: 'mcx-a' },
];
export const mcpttIdOf = (username: string, system = 'mcx-a') => `sip:${username}@${system}.example.net`;

const SERVERS = { idms: startIdms, cms: startCms, gms: startGms, mcs: startMcs };
export type RunningSystem = RunningMcSystem<typeof SERVERS>;

export interface TwoSystems {
  systems: McSystems<typeof SERVERS>;
  a: RunningSystem;
  b: RunningSystem;
  /** The admin credential of each system. */
  admin: Record<'mcx-a' | 'mcx-b', string>;
  /** The UE host's view of both systems. */
  hostSystems: UeHostSystemInput[];
  close(): Promise<void>;
}

const visiting = { index: 1, name: 'visiting-mcx-b', preSelected: true, groups: ['rescue-b'] };

/**
 * The lab ecosystem for the UE tests: alice (2 profiles; only profile 1 may be used to access mcx-b,
 * so the partner MCS refuses profile 2), bob (not authorized to migrate: his profiles list mcx-b,
 * but he is never shared with it), carol (migrates), dave (homed in mcx-b).
 */
export function ueTestEcosystem() {
  return labEcosystem({
    users: [
      {
        username: 'alice',
        password: 'alice-secret',
        displayName: 'Alice',
        home: 'mcx-a',
        profiles: [
          { index: 1, name: 'home', preSelected: true, groups: ['fire-a'] },
          { index: 2, name: 'mutual-aid', groups: ['fire-a'] },
        ],
        migrateTo: [{ system: 'mcx-b', profile: visiting, accessProfiles: [1] }],
      },
      { username: 'bob', password: 'bob-secret', home: 'mcx-a', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['fire-a'] }] },
      { username: 'carol', password: 'carol-secret', home: 'mcx-a', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['fire-a'] }], migrateTo: [{ system: 'mcx-b', profile: visiting, accessProfiles: [1] }] },
      { username: 'dave', password: 'dave-secret', home: 'mcx-b', profiles: [{ index: 1, name: 'home', preSelected: true, groups: ['rescue-b'] }] },
    ],
    groups: [
      { id: 'fire-a', system: 'mcx-a', displayName: 'Fire brigade A', members: ['alice', 'bob', 'carol'] },
      { id: 'rescue-b', system: 'mcx-b', displayName: 'Rescue B', members: ['dave', 'alice', 'carol'] },
    ],
  });
}

export async function startTwoSystems(options: { sipTimers?: { t1?: number; t2?: number; t4?: number } } = {}): Promise<TwoSystems> {
  const systems = await startMcSystems({
    ecosystem: ueTestEcosystem(),
    servers: SERVERS,
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
    ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
    overrides: { cms: () => ({ shareRetryMs: 0 }) },
  });
  const a = systems.system('mcx-a');
  const b = systems.system('mcx-b');
  return {
    systems,
    a,
    b,
    admin: { 'mcx-a': a.admin.token, 'mcx-b': b.admin.token },
    hostSystems: systems.systems.map(transportViewOf),
    close: () => systems.close(),
  };
}
