import type { ServiceConfig } from '../service-config/service-config.ts';

export interface ServiceConfigInput {
  domain: string;
  /** Written explicitly: a simulator that does not implement XML protection must say false (TS 24.484 clause 8.4.2.6). */
  signallingProtection?: { confidentiality: boolean; integrity: boolean };
  withOffNetwork?: boolean;
}

/** A realistic MCPTT service configuration document (TS 24.484 clause 8.4). */
export function buildServiceConfig(i: ServiceConfigInput): ServiceConfig {
  const rp = (priority: string) => ({ namespace: 'mcpttp', priority });
  return {
    params: {
      domain: i.domain,
      common: [{ minLengthAlias: 3, broadcastGroup: { numLevelsGroupHierarchy: 2, numLevelsUserHierarchy: 2 } }],
      onNetwork: [
        {
          emergencyCall: { privateCancelTimeout: 'PT60S', groupTimeLimit: 'PT300S' },
          privateCall: { hangTime: 'PT5S', maxDurationWithFloorControl: 'PT300S', maxDurationWithoutFloorControl: 'PT300S' },
          numLevelsPriorityHierarchy: 8,
          transmitTime: { timeLimit: 'PT30S', timeWarning: 'PT5S' },
          hangTimeWarning: 'PT2S',
          floorControlQueue: { depth: 5, maxUserRequestTime: 'PT10S' },
          fcTimersCounters: {
            t1EndOfRtpMedia: 'PT4S', t3StopTalkingGrace: 'PT1S', t7FloorIdle: 'PT1S', t8FloorRevoke: 'PT1S',
            t11EndOfRtpDual: 'PT4S', t12StopTalkingDual: 'PT1S', t15Conversation: 'PT30S', t16MapGroupToBearer: 'PT1S',
            t17UnmapGroupToBearer: 'PT1S', t20FloorGranted: 'PT1S', t55Connect: 'PT1S', t56Disconnect: 'PT1S',
            c7FloorIdle: 10, c17UnmapGroupToBearer: 3, c20FloorGranted: 3, c55Connect: 3, c56Disconnect: 3,
          },
          signallingProtection: {
            confidentialityProtection: i.signallingProtection?.confidentiality ?? false,
            integrityProtection: i.signallingProtection?.integrity ?? false,
          },
          protectionBetweenMcpttServers: { allowSignallingProtection: true, allowFloorControlProtection: true },
          emergencyResourcePriority: rp('15'),
          imminentPerilResourcePriority: rp('13'),
          normalResourcePriority: rp('9'),
        },
      ],
      ...(i.withOffNetwork
        ? {
            offNetwork: [
              {
                emergencyCall: { privateCancelTimeout: 'PT60S', groupTimeLimit: 'PT300S' },
                privateCall: { hangTime: 'PT5S' },
                numLevelsPriorityHierarchy: 4,
                transmitTime: { timeLimit: 'PT30S', timeWarning: 'PT5S' },
                hangTimeWarning: 'PT2S',
                defaultProsePerPacketPriority: { privateCallSignalling: 3, privateCallMedia: 4, emergencyPrivateCallSignalling: 1, emergencyPrivateCallMedia: 2 },
                allowLogMetadata: true,
              },
            ],
          }
        : {}),
    },
  };
}
