/**
 * MCPTT service configuration document (TS 24.484 clause 8.4; Rel-13 schema `Servconf.xsd`,
 * namespace urn:3gpp:ns:mcpttServiceConfig:1.0), root `service-configuration-info` holding
 * `service-configuration-params@domain`.
 */
import type { z } from 'zod';
import {
  complex,
  ext3gpp,
  many,
  one,
  opt,
  reqAttr,
  defineDocument,
  xsAnyUri,
  xsBoolean,
  xsDuration,
  xsIntegerRange,
  xsString,
  xsUnsignedShort,
} from '@mcx/xml';
import { PREFERRED_PREFIXES } from '../namespaces.ts';

export const SERVICE_CONFIG_NS = 'urn:3gpp:ns:mcpttServiceConfig:1.0';
export const SERVICE_CONFIG_ROOT = 'service-configuration-info';

const { anyExt, other, otherAttrs } = ext3gpp();
const dur = (n: string) => opt(n, xsDuration);

const emergencyCall = complex({ privateCancelTimeout: dur('private-cancel-timeout'), groupTimeLimit: dur('group-time-limit'), anyExt, other, otherAttrs });
const privateCall = complex({
  hangTime: dur('hang-time'),
  maxDurationWithFloorControl: dur('max-duration-with-floor-control'),
  maxDurationWithoutFloorControl: dur('max-duration-without-floor-control'),
  anyExt,
  other,
  otherAttrs,
});
const transmitTime = complex({ timeLimit: dur('time-limit'), timeWarning: dur('time-warning'), anyExt, other, otherAttrs });
const priorityHierarchy = xsIntegerRange('priorityhierarchyType', 4, 256);

const common = complex({
  minLengthAlias: opt('min-length-alias', xsUnsignedShort),
  broadcastGroup: opt(
    'broadcast-group',
    complex({ numLevelsGroupHierarchy: opt('num-levels-group-hierarchy', xsUnsignedShort), numLevelsUserHierarchy: opt('num-levels-user-hierarchy', xsUnsignedShort), anyExt, other, otherAttrs }),
  ),
  anyExt,
  other,
  otherAttrs,
});

const d = (n: string) => one(n, xsDuration);
const c = (n: string) => one(n, xsUnsignedShort);
/** Floor control timers and counters (TS 24.380 annex F). */
const fcTimersCounters = complex({
  t1EndOfRtpMedia: d('T1-end-of-rtp-media'),
  t3StopTalkingGrace: d('T3-stop-talking-grace'),
  t7FloorIdle: d('T7-floor-idle'),
  t8FloorRevoke: d('T8-floor-revoke'),
  t11EndOfRtpDual: d('T11-end-of-RTP-dual'),
  t12StopTalkingDual: d('T12-stop-talking-dual'),
  t15Conversation: d('T15-conversation'),
  t16MapGroupToBearer: d('T16-map-group-to-bearer'),
  t17UnmapGroupToBearer: d('T17-unmap-group-to-bearer'),
  t20FloorGranted: d('T20-floor-granted'),
  t55Connect: d('T55-connect'),
  t56Disconnect: d('T56-disconnect'),
  c7FloorIdle: c('C7-floor-idle'),
  c17UnmapGroupToBearer: c('C17-unmap-group-to-bearer'),
  c20FloorGranted: c('C20-floor-granted'),
  c55Connect: c('C55-connect'),
  c56Disconnect: c('C56-disconnect'),
  anyExt,
  other,
  otherAttrs,
});

/** Absent children default to true (XSD `default="true"`; TS 24.484 clause 8.4.2.6). See defaults.ts. */
const signallingProtection = complex({
  confidentialityProtection: opt('confidentiality-protection', xsBoolean),
  integrityProtection: opt('integrity-protection', xsBoolean),
  anyExt,
  other,
  otherAttrs,
});
const serverProtection = complex({
  allowSignallingProtection: opt('allow-signalling-protection', xsBoolean),
  allowFloorControlProtection: opt('allow-floor-control-protection', xsBoolean),
  anyExt,
  other,
  otherAttrs,
});
const resourcePriority = complex({
  namespace: one('resource-priority-namespace', xsString),
  priority: one('resource-priority-priority', xsString),
  anyExt,
  other,
  otherAttrs,
});

const onNetwork = complex({
  emergencyCall: opt('emergency-call', emergencyCall),
  privateCall: opt('private-call', privateCall),
  numLevelsPriorityHierarchy: opt('num-levels-priority-hierarchy', priorityHierarchy),
  transmitTime: opt('transmit-time', transmitTime),
  hangTimeWarning: dur('hang-time-warning'),
  floorControlQueue: opt('floor-control-queue', complex({ depth: opt('depth', xsUnsignedShort), maxUserRequestTime: dur('max-user-request-time'), anyExt, other, otherAttrs })),
  fcTimersCounters: one('fc-timers-counters', fcTimersCounters),
  signallingProtection: opt('signalling-protection', signallingProtection),
  protectionBetweenMcpttServers: opt('protection-between-mcptt-servers', serverProtection),
  emergencyResourcePriority: one('emergency-resource-priority', resourcePriority),
  imminentPerilResourcePriority: one('imminent-peril-resource-priority', resourcePriority),
  normalResourcePriority: one('normal-resource-priority', resourcePriority),
  anyExt,
  other,
  otherAttrs,
});

const offNetwork = complex({
  emergencyCall: opt('emergency-call', emergencyCall),
  privateCall: opt('private-call', privateCall),
  numLevelsPriorityHierarchy: opt('num-levels-priority-hierarchy', priorityHierarchy),
  transmitTime: opt('transmit-time', transmitTime),
  hangTimeWarning: dur('hang-time-warning'),
  defaultProsePerPacketPriority: opt(
    'default-prose-per-packet-priority',
    complex({
      privateCallSignalling: opt('mcptt-private-call-signalling', xsUnsignedShort),
      privateCallMedia: opt('mcptt-private-call-media', xsUnsignedShort),
      emergencyPrivateCallSignalling: opt('mcptt-emergency-private-call-signalling', xsUnsignedShort),
      emergencyPrivateCallMedia: opt('mcptt-emergency-private-call-media', xsUnsignedShort),
      anyExt,
      other,
      otherAttrs,
    }),
  ),
  allowLogMetadata: opt('allow-log-metadata', xsBoolean),
  anyExt,
  other,
  otherAttrs,
});

const params = complex({
  domain: reqAttr('domain', xsAnyUri),
  common: many('common', common),
  onNetwork: many('on-network', onNetwork),
  offNetwork: many('off-network', offNetwork),
  anyExt,
  other,
  otherAttrs,
});

export const serviceConfigCodec = complex({
  params: opt('service-configuration-params', params),
  anyExt,
  other,
  otherAttrs,
});

export const serviceConfigSchema = serviceConfigCodec.schema;
export type ServiceConfig = z.infer<typeof serviceConfigSchema>;
export type ServiceConfigParams = NonNullable<ServiceConfig['params']>;
export type ServiceConfigOnNetwork = NonNullable<ServiceConfigParams['onNetwork']>[number];

const document = defineDocument(SERVICE_CONFIG_NS, SERVICE_CONFIG_ROOT, serviceConfigCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an MCPTT service configuration document. @throws DocumentError */
export const parseServiceConfig = (xml: string, options?: { strict?: boolean }): ServiceConfig => document.parse(xml, options);
/** Serializes an MCPTT service configuration document. @throws DocumentError `invalid-model` */
export const serializeServiceConfig = (doc: ServiceConfig): string => document.serialize(doc);
export const serviceConfigDocument = document;
