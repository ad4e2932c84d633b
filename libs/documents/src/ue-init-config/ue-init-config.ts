/**
 * MCS UE initial configuration document (TS 24.484 clause 7.2; Rel-13 schema
 * `ue-init-config.xsd`, namespace urn:3gpp:mcptt:mcpttUEinitConfig:1.0).
 * Root `mcptt-UE-initial-configuration` is an xs:choice maxOccurs=unbounded: the model keeps one
 * field per child kind (name may repeat, per language) and writes them in schema order.
 */
import type { z } from 'zod';
import {
  attr,
  complex,
  ext3gpp,
  many,
  one,
  opt,
  reqAttr,
  text,
  defineDocument,
  XML_NS,
  digits,
  xsAnyUri,
  xsBoolean,
  xsLanguage,
  xsString,
  xsToken,
  xsUnsignedByte,
  xsUnsignedShort,
} from '@mcx/xml';
import { PREFERRED_PREFIXES } from '../namespaces.ts';
import { onNetworkAnyExtCodec } from './service-details.ts';

export const UE_INIT_CONFIG_NS = 'urn:3gpp:mcptt:mcpttUEinitConfig:1.0';
export const UE_INIT_CONFIG_ROOT = 'mcptt-UE-initial-configuration';

const index = () => attr('index', xsToken);

/** NameType (shared with the UE configuration document, whose schema defines the same type). */
export const nameType = complex({ value: text(xsToken), lang: attr('lang', xsLanguage, XML_NS), index: index() });

const snrType = complex({ value: text(digits('SNR', 6)), index: index(), otherAttrs: ext3gpp().otherAttrs });
const tacType = complex({ value: text(digits('TAC', 8)), index: index(), otherAttrs: ext3gpp().otherAttrs });

/** IMEI range: a TAC and SNRs / SNR ranges (TS 24.484 clause 7.2.2.1). */
const imeiRange = complex({
  tac: one('TAC', tacType),
  snr: many('SNR', snrType),
  snrRange: many(
    'SNR-range',
    complex({ lowSnr: one('Low-SNR', snrType), highSnr: one('High-SNR', snrType), index: index(), ...ext3gpp() }),
  ),
  index: index(),
  ...ext3gpp(),
});

/** `<mcptt-UE-id>` (MCPTTUEIDType, same in the UE configuration schema): the UE instance id (urn:uuid / IMEI) or IMEI ranges. */
export const ueIdCodec = complex(
  { instanceIdUrn: many('Instance-ID-URN', xsAnyUri), imeiRange: many('IMEI-range', imeiRange), index: index(), ...ext3gpp() },
  { order: 'choice' },
);

/** `<Default-user-profile>`: the user profile to use before the user authenticates (TS 24.484 clause 4.1.1 NOTE). */
const defaultUserProfile = complex({
  userId: reqAttr('User-ID', xsAnyUri),
  userProfileIndex: reqAttr('user-profile-index', xsUnsignedByte),
  index: index(),
  otherAttrs: ext3gpp().otherAttrs,
});

/** PDN connection references per service (ServiceType). */
const service = complex({
  mcpttToConRef: one('MCPTT-to-con-ref', xsString),
  mcCommonCoreToConRef: one('MC-common-core-to-con-ref', xsString),
  mcIdToConRef: one('MC-ID-to-con-ref', xsString),
  anyExt: ext3gpp().anyExt,
  other: ext3gpp().other,
});

const vplmn = complex({ plmn: reqAttr('PLMN', xsString), service: one('service', service), otherAttrs: ext3gpp().otherAttrs });

/** HPLMN and the VPLMNs where the UE may use the service. PLMN = MCC+MNC digits (e.g. "00101"). */
const hplmn = complex({ plmn: reqAttr('PLMN', xsString), service: one('service', service), vplmn: many('VPLMN', vplmn) });

const tlsTunnelAuthMethod = complex({
  mutualAuthentication: one('mutual-authentication', xsBoolean),
  x509: opt('x509', xsString),
  key: opt('key', xsString),
  anyExt: ext3gpp().anyExt,
  other: ext3gpp().other,
});

/** `<App-Server-Info>`: IdMS endpoints (TS 24.482), HTTP proxy, GMS, CMS and KMS URIs. */
const appServerInfo = complex({
  idmsAuthEndpoint: one('idms-auth-endpoint', xsAnyUri),
  idmsTokenEndpoint: one('idms-token-endpoint', xsAnyUri),
  httpProxy: one('http-proxy', xsAnyUri),
  gms: one('gms', xsAnyUri),
  cms: one('cms', xsAnyUri),
  kms: one('kms', xsAnyUri),
  tlsTunnelAuthMethod: one('tls-tunnel-auth-method', tlsTunnelAuthMethod),
  anyExt: ext3gpp().anyExt,
  other: ext3gpp().other,
});

const onNetworkTimers = complex({
  t100: one('T100', xsUnsignedByte),
  t101: one('T101', xsUnsignedByte),
  t103: one('T103', xsUnsignedByte),
  t104: one('T104', xsUnsignedByte),
  t132: one('T132', xsUnsignedByte),
  anyExt: ext3gpp().anyExt,
  other: ext3gpp().other,
});

/**
 * `<on-network>`. `GMS-URI` (and `App-Server-Info/gms`) is the GMS PSI, `App-Server-Info/cms` the
 * CMS PSI (our reading); the MC service server PSI has no Rel-13 element: it travels in `anyExt`
 * (see service-details.ts).
 */
const onNetwork = complex({
  timers: one('Timers', onNetworkTimers),
  hplmn: one('HPLMN', hplmn),
  appServerInfo: one('App-Server-Info', appServerInfo),
  gmsUri: one('GMS-URI', xsAnyUri),
  groupCreationXui: one('group-creation-XUI', xsAnyUri),
  gmsXcapRootUri: one('GMS-XCAP-root-URI', xsAnyUri),
  cmsXcapRootUri: one('CMS-XCAP-root-URI', xsAnyUri),
  integrityProtectionEnabled: one('integrity-protection-enabled', xsBoolean),
  confidentialityProtectionEnabled: one('confidentiality-protection-enabled', xsBoolean),
  /** Typed anyExt: `mcpttServiceDetails.serverUri` is the MC service server PSI. */
  anyExt: opt('anyExt', onNetworkAnyExtCodec),
  index: index(),
  other: ext3gpp().other,
  otherAttrs: ext3gpp().otherAttrs,
});

const u16 = (n: string) => one(n, xsUnsignedShort);
const u8 = (n: string) => one(n, xsUnsignedByte);

/** Off-network timers (TS 24.379 annex F) and counters. */
const offNetwork = complex({
  timers: one(
    'Timers',
    complex({
      tfg1: u16('TFG1'), tfg2: u16('TFG2'), tfg3: u16('TFG3'), tfg4: u8('TFG4'), tfg5: u8('TFG5'),
      tfg11: u16('TFG11'), tfg12: u16('TFG12'), tfg13: u8('TFG13'), tfg14: u8('TFG14'),
      tfp1: u16('TFP1'), tfp2: u8('TFP2'), tfp3: u16('TFP3'), tfp4: u16('TFP4'), tfp5: u16('TFP5'), tfp6: u16('TFP6'), tfp7: u8('TFP7'),
      tfb1: u16('TFB1'), tfb2: u8('TFB2'), tfb3: u8('TFB3'),
      t201: u16('T201'), t203: u8('T203'), t204: u8('T204'), t205: u8('T205'), t230: u8('T230'), t233: u8('T233'),
      tfe1: u16('TFE1'), tfe2: u8('TFE2'),
      anyExt: ext3gpp().anyExt,
      other: ext3gpp().other,
    }),
  ),
  counters: one(
    'Counters',
    complex({
      cfp1: u8('CFP1'), cfp3: u8('CFP3'), cfp4: u8('CFP4'), cfp6: u8('CFP6'), cfg11: u8('CFG11'), cfg12: u8('CFG12'),
      c201: u8('C201'), c204: u8('C204'), c205: u8('C205'),
      anyExt: ext3gpp().anyExt,
      other: ext3gpp().other,
    }),
  ),
  index: index(),
  ...ext3gpp(),
});

/** The root element's codec; also used for the copy embedded in a user profile's partner entry. */
export const ueInitConfigCodec = complex(
  {
    domain: reqAttr('domain', xsAnyUri),
    xuiUri: attr('XUI-URI', xsAnyUri),
    instanceIdUrn: attr('Instance-ID-URN', xsAnyUri),
    mcpttUeId: opt('mcptt-UE-id', ueIdCodec),
    name: many('name', nameType),
    defaultUserProfile: opt('Default-user-profile', defaultUserProfile),
    onNetwork: opt('on-network', onNetwork),
    offNetwork: opt('off-network', offNetwork),
    ...ext3gpp(),
  },
  { order: 'choice' },
);

export const ueInitConfigSchema = ueInitConfigCodec.schema;
export type UeInitConfig = z.infer<typeof ueInitConfigSchema>;
export type UeInitConfigOnNetwork = NonNullable<UeInitConfig['onNetwork']>;
export type UeInitConfigOffNetwork = NonNullable<UeInitConfig['offNetwork']>;


const document = defineDocument(UE_INIT_CONFIG_NS, UE_INIT_CONFIG_ROOT, ueInitConfigCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an MCS UE initial configuration document. @throws DocumentError */
export const parseUeInitConfig = (xml: string, options?: { strict?: boolean }): UeInitConfig => document.parse(xml, options);
/** Serializes an MCS UE initial configuration document. @throws DocumentError `invalid-model` */
export const serializeUeInitConfig = (doc: UeInitConfig): string => document.serialize(doc);
export const ueInitConfigDocument = document;
