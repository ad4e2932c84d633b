/**
 * The user "personalities" (TS 23.280 clause 10.1.4.1): several profiles for one user ("home",
 * "mutual aid", "limited functionality"), each with its partner MC system entries (TS 24.484
 * clause 4.2.2.1.2.1). Used by tests and by the ecosystem seed.
 */
import type { UeInitConfig } from '../ue-init-config/ue-init-config.ts';
import type { AllowAction } from '../user-profile/allow-actions.ts';
import type { UserProfile } from '../user-profile/user-profile.ts';
import { buildUeInitConfig, type UeInitConfigInput } from './ue-init-config.ts';
import { buildUserProfile } from './user-profile.ts';

/** What the builders need to know about an MC system. */
export interface McSystemInput extends Omit<UeInitConfigInput, 'ueId' | 'defaultProfile'> {
  /** Human readable name (partner entry `<name>`). */
  name: string;
}

/** An example MC system whose endpoints follow one naming pattern (for tests, demos, seeds). */
export function exampleMcSystem(systemId: string, hplmn: string, vplmns: readonly string[] = []): McSystemInput {
  const domain = `${systemId}.example.net`;
  return {
    systemId,
    name: `MC system ${systemId.toUpperCase()}`,
    domain,
    plmns: { hplmn, vplmns },
    idms: { authEndpoint: `https://idms.${domain}/authorize`, tokenEndpoint: `https://idms.${domain}/token` },
    cms: { xcapRoot: `https://cms.${domain}/xcap-root`, sipUri: `sip:cms-psi@${domain}` },
    gms: { xcapRoot: `https://gms.${domain}/xcap-root`, sipUri: `sip:gms-psi@${domain}` },
    mcsUri: `sip:mcptt-psi@${domain}`,
  };
}

export const PERSONALITIES = [
  { index: 1, profileName: 'home', preSelected: true },
  { index: 2, profileName: 'mutual aid', preSelected: false },
  { index: 3, profileName: 'limited functionality', preSelected: false },
] as const;

const FULL: AllowAction[] = [
  'allow-private-call', 'allow-emergency-group-call', 'allow-emergency-private-call', 'allow-imminent-peril-call',
  'allow-activate-emergency-alert', 'allow-cancel-emergency-alert', 'allow-manual-commencement',
  'allow-automatic-commencement', 'allow-request-affiliated-groups', 'allow-create-delete-user-alias',
];
const MUTUAL_AID: AllowAction[] = ['allow-private-call', 'allow-emergency-group-call', 'allow-activate-emergency-alert', 'allow-manual-commencement'];
const LIMITED: AllowAction[] = ['allow-emergency-group-call'];

export interface UserProfilesInput {
  mcpttId: string;
  displayName: string;
  organization?: string;
  groups: readonly { groupId: string; displayName?: string; implicit?: boolean }[];
  /** The partner MC systems the user may migrate to. */
  partners: readonly McSystemInput[];
  /** Profiles to build (default: {@link PERSONALITIES}). */
  personalities?: readonly { index: number; profileName: string; preSelected: boolean }[];
}

/** The partner UE initial configuration to embed for a user (default profile in the partner system = same index). */
export function partnerUeInitConfig(partner: McSystemInput, mcpttId: string, index: number): UeInitConfig {
  return buildUeInitConfig({ ...partner, defaultProfile: { userId: mcpttId, index } });
}

/** One profile per personality; every profile lists all partners (with an embedded UE initial configuration each). */
export function buildUserProfiles(i: UserProfilesInput): UserProfile[] {
  return (i.personalities ?? PERSONALITIES).map((p) =>
    buildUserProfile({
      mcpttId: i.mcpttId,
      index: p.index,
      profileName: p.profileName,
      preSelected: p.preSelected,
      displayName: i.displayName,
      aliases: [`${i.displayName} (${p.profileName})`],
      participantType: p.profileName === 'limited functionality' ? 'observer' : 'first responder',
      ...(i.organization ? { organization: i.organization } : {}),
      groups: i.groups,
      allow: p.profileName === 'home' ? FULL : p.profileName === 'mutual aid' ? MUTUAL_AID : LIMITED,
      partners: i.partners.map((partner) => ({
        id: partner.systemId,
        ueInitConfig: partnerUeInitConfig(partner, i.mcpttId, p.index),
      })),
    }),
  );
}
