import type { PartnerMcSystem } from '../partner-systems/partner-systems.ts';
import type { UeInitConfig } from '../ue-init-config/ue-init-config.ts';
import type { AllowAction } from '../user-profile/allow-actions.ts';
import type { UserProfile, UserProfileListEntry } from '../user-profile/user-profile.ts';

export interface UserProfileInput {
  /** MCPTT ID, e.g. `sip:alice@mcx-a.example.net` (also the document's XUI-URI). */
  mcpttId: string;
  index: number;
  profileName: string;
  preSelected?: boolean;
  displayName?: string;
  aliases?: readonly string[];
  participantType?: string;
  organization?: string;
  /** MCPTT group ids the user is a member of; `implicit` ones are affiliated implicitly. */
  groups?: readonly { groupId: string; displayName?: string; implicit?: boolean }[];
  /** allow-* authorisations granted (everything else stays absent = false). */
  allow?: readonly AllowAction[];
  /** Partner MC systems this profile lets the UE migrate to (TS 24.484 clause 4.2.2.1.2.1). */
  partners?: readonly { id: string; ueInitConfig: UeInitConfig }[];
  status?: boolean;
  maxAffiliations?: number;
}

function list(entries: readonly { uri: string; displayName?: string }[]): UserProfileListEntry {
  return {
    entry: entries.map((e) => ({ uriEntry: e.uri, ...(e.displayName ? { displayName: { value: e.displayName } } : {}) })),
  };
}

/** A realistic MCPTT user profile (TS 24.484 clause 8.3) with its partner MC systems. */
export function buildUserProfile(i: UserProfileInput): UserProfile {
  const groups = i.groups ?? [];
  const implicit = groups.filter((g) => g.implicit);
  const partners: PartnerMcSystem[] = (i.partners ?? []).map((p) => ({ id: p.id, ueInitConfig: p.ueInitConfig }));
  return {
    xuiUri: i.mcpttId,
    userProfileIndex: i.index,
    name: [{ value: i.displayName ?? i.mcpttId, lang: 'en' }],
    status: i.status ?? true,
    profileName: [{ value: i.profileName, lang: 'en' }],
    ...(i.preSelected ? { preSelectedIndication: true as const } : {}),
    common: {
      ...(i.aliases?.length ? { userAlias: { aliasEntry: i.aliases.map((value) => ({ value })) } } : {}),
      mcpttUserId: { uriEntry: i.mcpttId, ...(i.displayName ? { displayName: { value: i.displayName } } : {}) },
      ...(i.organization ? { missionCriticalOrganization: i.organization } : {}),
      participantType: i.participantType ?? 'first responder',
    },
    onNetwork: {
      ...(groups.length ? { mcpttGroupInfo: [list(groups.map((g) => ({ uri: g.groupId, ...(g.displayName ? { displayName: g.displayName } : {}) })))] } : {}),
      maxAffiliationsN2: i.maxAffiliations ?? 8,
      maxSimultaneousTransmissionsN7: 1,
      ...(implicit.length ? { implicitAffiliations: list(implicit.map((g) => ({ uri: g.groupId }))) } : {}),
    },
    ...(partners.length ? { anyExt: { partnerMcSystems: partners } } : {}),
    ...(i.allow?.length
      ? { ruleset: { rule: [{ id: 'rule1', actions: Object.fromEntries(i.allow.map((a) => [a, true])) }] } }
      : {}),
  };
}

/** The partner MC systems listed in a profile. */
export function partnerMcSystemsOf(profile: UserProfile): PartnerMcSystem[] {
  return profile.anyExt?.partnerMcSystems ?? [];
}
