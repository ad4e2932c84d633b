import type { Group } from '../group/group.ts';

/** ICSI of MCPTT (TS 24.379), the enabler of `supported-services`. */
export const MCPTT_ICSI = 'urn:urn-7:3gpp-service.ims.icsi.mcptt';

export interface GroupInput {
  groupId: string;
  displayName: string;
  members: readonly { uri: string; displayName?: string; participantType?: string; userPriority?: number }[];
  /** On-network group priority (0..255). */
  priority?: number;
  protectMedia?: boolean;
  protectFloorControlSignalling?: boolean;
  maxParticipants?: number;
}

/** A realistic MC group document (TS 24.481 clause 7.2). */
export function buildGroup(i: GroupInput): Group {
  return {
    listService: {
      uri: i.groupId,
      displayName: { value: i.displayName, lang: 'en' },
      list: {
        entry: i.members.map((m) => ({
          uri: m.uri,
          ...(m.displayName ? { displayName: { value: m.displayName } } : {}),
          ...(m.userPriority !== undefined ? { userPriority: m.userPriority } : {}),
          ...(m.participantType ? { participantType: m.participantType } : {}),
        })),
      },
      supportedServices: { service: [{ enabler: MCPTT_ICSI }] },
      invitedMembers: false,
      maxParticipantCount: i.maxParticipants ?? Math.max(i.members.length, 1) * 2,
      ...(i.priority !== undefined ? { groupPriority: i.priority } : {}),
      protectMedia: i.protectMedia ?? false,
      protectFloorControlSignalling: i.protectFloorControlSignalling ?? false,
    },
  };
}
