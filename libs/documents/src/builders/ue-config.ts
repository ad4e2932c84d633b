import type { UeConfig } from '../ue-config/ue-config.ts';

export interface UeConfigInput {
  domain: string;
  ueId: string;
  /** Group ids with their priority in the priority hierarchy (lower = higher priority). */
  prioritizedGroups?: readonly { groupId: string; priority: number }[];
  relayedGroups?: readonly { groupId: string; relayServiceCode: string }[];
}

/** A realistic MCPTT UE configuration document (TS 24.484 clause 8.2). */
export function buildUeConfig(i: UeConfigInput): UeConfig {
  const groups = i.prioritizedGroups?.length ? i.prioritizedGroups : [{ groupId: `sip:all-users@${i.domain}`, priority: 1 }];
  return {
    domain: i.domain,
    instanceIdUrn: i.ueId,
    mcpttUeId: { instanceIdUrn: [i.ueId] },
    name: [{ value: 'MCX UE configuration', lang: 'en' }],
    common: {
      privateCall: { maxSimulCallN10: 2 },
      mcpttGroupCall: {
        maxSimulCallN4: 4,
        maxSimulTransN5: 2,
        prioritizedMcpttGroup: { groupPriority: groups.map((g) => ({ groupId: g.groupId, groupPriorityHierarchy: g.priority })) },
      },
    },
    onNetwork: {
      ipv6Preferred: false,
      relayService: Boolean(i.relayedGroups?.length),
      ...(i.relayedGroups?.length ? { relayedMcpttGroup: i.relayedGroups.map((g) => ({ groupId: g.groupId, relayServiceCode: g.relayServiceCode })) } : {}),
    },
  };
}
