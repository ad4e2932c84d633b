/**
 * Seeding from the ecosystem description (docs/server-contracts.md: a separate call, made once
 * every server of both systems listens; idempotent: creates absent documents, leaves existing
 * ones alone). The input is plain data, free of the ecosystem file format: the composition root
 * (`mcx up`) translates its file into it.
 *
 * Creates, through the one change path:
 * - the UE initial configuration master (TS 24.484 clause 7.2.1.0), from the system's endpoints;
 * - the service configuration (TS 24.484 clause 8.4);
 * - per user homed here: each user profile ("personalities", TS 23.280 10.1.4.1) with
 *   its list of partner MC systems and their embedded UE initial configuration (TS 24.484
 *   clause 4.2.2.1.2.1), and the user's UE configuration (TS 24.484 clause 8.2);
 * - per user with `migrateTo`: the profile to use in that partner system, recorded for a CSC-17
 *   share (pushed by `shareMigrations()`).
 */
import {
  buildServiceConfig,
  buildUeConfig,
  buildUeInitConfig,
  buildUserProfile,
  serializeServiceConfig,
  serializeUeConfig,
  serializeUeInitConfig,
  serializeUserProfile,
  type AllowAction,
  type ServiceConfigInput,
  type UeInitConfig,
  type UeInitConfigInput,
} from '@mcx/documents';
import { MIME, migrationProfileSelector, SERVICE_CONFIG_SELECTOR, ueConfigSelector, ueIdOfUser, userProfileSelector } from '../csc4-xcap/document-uris.ts';
import { UE_INIT_CONFIG_MASTER_SELECTOR } from '../csc4-xcap/ue-init-config.ts';
import type { CmsDocumentStore, NewDocument } from '../store/document-store.ts';

export interface SeedGroupRef {
  groupId: string;
  displayName?: string;
  /** Implicitly affiliated (user profile `<ImplicitAffiliations>`). */
  implicit?: boolean;
}

/** One user profile ("personality", TS 23.280 10.1.4.1). */
export interface SeedProfile {
  /** `user-profile-index` (0..255). */
  index: number;
  /** `<ProfileName>`. */
  name: string;
  /** `<Pre-selected-indication/>`; exactly one profile per user should carry it. */
  preSelected?: boolean;
  groups?: SeedGroupRef[];
  /** allow-* authorisations (default: none). */
  allow?: AllowAction[];
  participantType?: string;
}

/** A partner MC system entry of the user's profiles (TS 24.484 4.2.2.1.2.1). */
export interface SeedPartnerEntry {
  systemId: string;
  name?: string;
  /** The partner's UE initial configuration, built by the caller with @mcx/documents builders. */
  ueInitConfig: UeInitConfig;
}

export interface SeedUser {
  /** MCPTT ID (SIP URI), also the XUI of the user's documents. */
  mcpttId: string;
  /** Login name at the IdMS (informational). */
  username?: string;
  displayName?: string;
  organization?: string;
  profiles: SeedProfile[];
  /** Partner MC systems listed in every profile of the user. */
  partners?: SeedPartnerEntry[];
  /** Partner systems the user may migrate to, with the profile the user will use there (CSC-17). */
  migrateTo?: { systemId: string; profile: SeedProfile; accessProfiles?: number[] }[];
  /** UE configuration options (default: the user's groups, in profile order). */
  ueConfig?: { prioritizedGroups?: { groupId: string; priority: number }[] };
}

export interface CmsSeed {
  /** This system's endpoints and PLMNs: the UE initial configuration master. */
  system: Omit<UeInitConfigInput, 'ueId' | 'defaultProfile'>;
  /** Service configuration parameters (default: `{ domain: <config domain> }`). */
  serviceConfig?: ServiceConfigInput;
  users: SeedUser[];
}

export interface SeedResult {
  created: string[];
  existing: number;
  /** Shares recorded for CSC-17 (user -> partner). */
  shares: { mcpttId: string; partnerSystemId: string }[];
}

/** The user-profile document of one seed profile. */
export function buildSeedProfile(user: Pick<SeedUser, 'mcpttId' | 'displayName' | 'organization'>, p: SeedProfile, partners: SeedPartnerEntry[]): string {
  return serializeUserProfile(
    buildUserProfile({
      mcpttId: user.mcpttId,
      index: p.index,
      profileName: p.name,
      preSelected: p.preSelected ?? false,
      ...(user.displayName ? { displayName: user.displayName } : {}),
      ...(user.organization ? { organization: user.organization } : {}),
      ...(p.participantType ? { participantType: p.participantType } : {}),
      groups: p.groups ?? [],
      allow: p.allow ?? [],
      partners: partners.map((x) => ({ id: x.systemId, ueInitConfig: x.ueInitConfig })),
    }),
  );
}

export interface SeedTarget {
  store: CmsDocumentStore;
  domain: string;
  /** Records a CSC-17 share (OutboundSharing.record). */
  recordShare(mcpttId: string, partner: string, profileSelector: string, accessProfiles: number[]): Promise<void>;
}

/**
 * Creates what is absent (idempotent). The documents of every user are created together
 * (CmsDocumentStore.createMany: a transaction per 500 documents, not one per document), then the
 * CSC-17 shares are recorded: seeding thousands of users is part of bringing up a bench or a lab.
 */
export async function seedCms(t: SeedTarget, input: CmsSeed): Promise<SeedResult> {
  const result: SeedResult = { created: [], existing: 0, shares: [] };
  const absent: NewDocument[] = [];
  const shares: Parameters<SeedTarget['recordShare']>[] = [];
  async function collect(selector: string, contentType: string, body: () => string): Promise<void> {
    if (t.store.peek(selector)) result.existing++;
    else absent.push({ selector, contentType, body: body() });
  }
  const collecting: SeedTarget = { ...t, recordShare: async (...share) => void shares.push(share) };
  await collect(UE_INIT_CONFIG_MASTER_SELECTOR, MIME.ueInitConfig, () => serializeUeInitConfig(buildUeInitConfig(input.system)));
  await collect(SERVICE_CONFIG_SELECTOR, MIME.serviceConfig, () => serializeServiceConfig(buildServiceConfig(input.serviceConfig ?? { domain: t.domain })));
  for (const u of input.users) await seedUser(collecting, u, collect, result);
  const { created, existing } = await t.store.createMany(absent, 'seed');
  result.created.push(...created);
  result.existing += existing;
  for (const share of shares) await t.recordShare(...share);
  return result;
}

export async function seedUser(
  t: SeedTarget,
  u: SeedUser,
  create: (selector: string, contentType: string, body: () => string) => Promise<void>,
  result: SeedResult,
): Promise<void> {
  const partners = u.partners ?? [];
  for (const p of u.profiles) {
    await create(userProfileSelector(u.mcpttId, p.index), MIME.userProfile, () => buildSeedProfile(u, p, partners));
  }
  const groups = u.profiles.flatMap((p) => p.groups ?? []).map((g) => g.groupId);
  const prioritized = u.ueConfig?.prioritizedGroups ?? [...new Set(groups)].map((groupId, i) => ({ groupId, priority: i + 1 }));
  await create(ueConfigSelector(u.mcpttId), MIME.ueConfig, () =>
    serializeUeConfig(buildUeConfig({ domain: t.domain, ueId: ueIdOfUser(u.mcpttId), prioritizedGroups: prioritized })),
  );
  for (const m of u.migrateTo ?? []) {
    const selector = migrationProfileSelector(u.mcpttId, m.systemId, m.profile.index);
    // The profile used in the partner: no partner list of its own (the user is already migrated there).
    await create(selector, MIME.userProfile, () => buildSeedProfile(u, m.profile, []));
    const access = m.accessProfiles ?? u.profiles.filter(() => partners.some((x) => x.systemId === m.systemId)).map((p) => p.index);
    await t.recordShare(u.mcpttId, m.systemId, selector, access);
    result.shares.push({ mcpttId: u.mcpttId, partnerSystemId: m.systemId });
  }
}
