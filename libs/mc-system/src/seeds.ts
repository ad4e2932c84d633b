/**
 * What each server of a system is seeded with, derived from the ecosystem file: accounts at the
 * home IdMS, documents at the CMS (UE initial configuration master, per-user profiles with their
 * partner MC system entries, CSC-17 shares), groups at the GMS (TS 24.481). Seeding is idempotent.
 */
import { buildUeInitConfig, type UeInitConfig, type UeInitConfigInput } from '@mcx/documents';
import { assignMigratedMcpttId } from '@mcx/auth';
import { assignedMcpttIdsIn, mcpttIdOf, systemEndpoints, type Ecosystem, type SystemConfig } from '@mcx/ecosystem';
import { partnersAccepting } from './trust.ts';

/** An IdM account (TS 33.180 annex B: the MC user and its MC service IDs). */
export interface AccountSeed {
  username: string;
  password: string;
  mcpttId: string;
  mcdataId?: string;
  displayName?: string;
  entitlements: ('mcptt' | 'mcvideo' | 'mcdata')[];
  scryptCost?: number;
}

export interface ProfileSeed {
  index: number;
  name: string;
  preSelected?: boolean;
  groups?: { groupId: string; implicit?: boolean }[];
}

export interface CmsSeedFromEcosystem {
  system: Omit<UeInitConfigInput, 'ueId' | 'defaultProfile'>;
  users: {
    mcpttId: string;
    username?: string;
    displayName?: string;
    profiles: ProfileSeed[];
    partners?: { systemId: string; name?: string; ueInitConfig: UeInitConfig }[];
    migrateTo?: { systemId: string; profile: ProfileSeed; accessProfiles?: number[] }[];
  }[];
}

export interface GmsSeedFromEcosystem {
  groups: { groupId: string; displayName: string; members: string[]; priority?: number; administrators?: string[] }[];
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

/** The MC group ID of a group of the file: `sip:<id>@<domain of its system>`. */
export function groupUriOf(eco: Ecosystem, groupId: string): string {
  const group = eco.groups.find((g) => g.id === groupId);
  const system = eco.systems.find((s) => s.id === group?.system);
  return system ? `sip:${groupId}@${system.domain}` : groupId;
}

/** The accounts of the users homed in `s`, hashed with `scryptCost`, else the system's `passwordHashCost`. */
export function accountsOf(eco: Ecosystem, s: SystemConfig, scryptCost: number | undefined = s.passwordHashCost): AccountSeed[] {
  return eco.users
    .filter((u) => u.home === s.id)
    .map((u) => ({
      username: u.username,
      password: u.password,
      mcpttId: mcpttIdOf(eco, u),
      ...(u.mcdataId ? { mcdataId: u.mcdataId } : {}),
      ...(u.displayName ? { displayName: u.displayName } : {}),
      entitlements: u.entitlements,
      ...(scryptCost ? { scryptCost } : {}),
    }));
}

/** What the CMS of `s` is seeded with: its endpoints and, per user homed here, profiles and partner entries. */
export function cmsSeedOf(eco: Ecosystem, s: SystemConfig): CmsSeedFromEcosystem {
  const partners = partnersAccepting(eco, s).map((p) => ({
    systemId: p.id,
    name: p.name,
    ueInitConfig: buildUeInitConfig(ueInitConfigInputOf(p)),
  }));
  const groups = (ids: string[]) => ids.map((g) => ({ groupId: groupUriOf(eco, g), implicit: true }));
  return {
    system: ueInitConfigInputOf(s),
    users: eco.users
      .filter((u) => u.home === s.id)
      .map((u) => ({
        mcpttId: mcpttIdOf(eco, u),
        username: u.username,
        ...(u.displayName ? { displayName: u.displayName } : {}),
        profiles: u.profiles.map((p) => ({ index: p.index, name: p.name, preSelected: p.preSelected, groups: groups(p.groups) })),
        partners,
        migrateTo: u.migrateTo.map((m) => ({
          systemId: m.system,
          profile: { index: m.profile.index, name: m.profile.name, preSelected: m.profile.preSelected, groups: groups(m.profile.groups) },
          accessProfiles: m.accessProfiles ?? u.profiles.map((p) => p.index),
        })),
      })),
  };
}

/**
 * What the GMS of `s` is seeded with: the groups of the file hosted by `s`, members by MCPTT ID;
 * a member homed elsewhere who may migrate to `s` is a member under the ID `s` assigns it (TS
 * 23.280 clause 10.16.5), the only identity it has there.
 */
export function gmsSeedOf(eco: Ecosystem, s: SystemConfig): GmsSeedFromEcosystem {
  const assigned = assignedMcpttIdsIn(eco, s.id);
  const idOf = (username: string) => {
    const u = eco.users.find((x) => x.username === username);
    if (!u) return username;
    const id = mcpttIdOf(eco, u);
    return u.home !== s.id && u.migrateTo.some((m) => m.system === s.id) ? assignMigratedMcpttId(id, u.home, s.domain, assigned) : id;
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
