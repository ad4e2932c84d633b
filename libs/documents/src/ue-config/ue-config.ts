/**
 * MCPTT UE configuration document (TS 24.484 clause 8.2; Rel-13 schema `ue-config.xsd`,
 * namespace urn:3gpp:mcptt:mcpttUEConfig:1.0), root `mcptt-UE-configuration`.
 */
import type { z } from 'zod';
import {
  attr,
  complex,
  ext3gpp,
  many,
  one,
  reqAttr,
  some,
  opt,
  defineDocument,
  xsAnyUri,
  xsBoolean,
  xsNonNegativeInteger,
  xsPositiveInteger,
  xsString,
  xsToken,
} from '@mcx/xml';
import { PREFERRED_PREFIXES } from '../namespaces.ts';
import { nameType, ueIdCodec } from '../ue-init-config/ue-init-config.ts';

export const UE_CONFIG_NS = 'urn:3gpp:mcptt:mcpttUEConfig:1.0';
export const UE_CONFIG_ROOT = 'mcptt-UE-configuration';

const { anyExt, other, otherAttrs } = ext3gpp();
const index = () => attr('index', xsToken);

const common = complex({
  privateCall: one('private-call', complex({ maxSimulCallN10: one('Max-Simul-Call-N10', xsPositiveInteger) })),
  mcpttGroupCall: one(
    'MCPTT-Group-Call',
    complex({
      maxSimulCallN4: one('Max-Simul-Call-N4', xsPositiveInteger),
      maxSimulTransN5: one('Max-Simul-Trans-N5', xsPositiveInteger),
      prioritizedMcpttGroup: one(
        'Prioritized-MCPTT-Group',
        complex({
          groupPriority: some(
            'MCPTT-Group-Priority',
            complex({
              groupId: one('MCPTT-Group-ID', xsAnyUri),
              groupPriorityHierarchy: one('group-priority-hierarchy', xsNonNegativeInteger),
              index: index(),
              otherAttrs,
            }),
          ),
        }),
      ),
    }),
  ),
  anyExt,
  other,
  index: index(),
  otherAttrs,
});

const onNetwork = complex({
  ipv6Preferred: one('IPv6Preferred', xsBoolean),
  relayService: one('Relay-Service', xsBoolean),
  relayedMcpttGroup: many(
    'Relayed-MCPTT-Group',
    complex({ groupId: one('MCPTT-Group-ID', xsAnyUri), relayServiceCode: one('Relay-Service-Code', xsString), anyExt, other, index: index(), otherAttrs }),
  ),
  anyExt,
  other,
  index: index(),
  otherAttrs,
});

export const ueConfigCodec = complex({
  domain: reqAttr('domain', xsAnyUri),
  xuiUri: attr('XUI-URI', xsAnyUri),
  instanceIdUrn: attr('Instance-ID-URN', xsAnyUri),
  mcpttUeId: opt('mcptt-UE-id', ueIdCodec),
  name: many('name', nameType),
  common: one('common', common),
  onNetwork: one('on-network', onNetwork),
  anyExt,
  other,
  otherAttrs,
});

export const ueConfigSchema = ueConfigCodec.schema;
export type UeConfig = z.infer<typeof ueConfigSchema>;

const document = defineDocument(UE_CONFIG_NS, UE_CONFIG_ROOT, ueConfigCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an MCPTT UE configuration document. @throws DocumentError */
export const parseUeConfig = (xml: string, options?: { strict?: boolean }): UeConfig => document.parse(xml, options);
/** Serializes an MCPTT UE configuration document. @throws DocumentError `invalid-model` */
export const serializeUeConfig = (doc: UeConfig): string => document.serialize(doc);
export const ueConfigDocument = document;
