/**
 * MCPTT user profile configuration document (TS 24.484 clause 8.3; Rel-13 schema
 * `mcptt-user-profile.xsd`, namespace urn:3gpp:mcptt:user-profile:1.0), root
 * `mcptt-user-profile` with `XUI-URI` and `user-profile-index` (TS 23.280 clause 10.1.4.1:
 * a user has one or more profiles, each identified by an index and optionally a name).
 *
 * Where the Rel-13 root and several types are `xs:choice maxOccurs="unbounded"`, the model keeps
 * one field per child kind, written in schema order (Name/ProfileName may repeat per language;
 * Common, OnNetwork and OffNetwork are single).
 */
import type { z } from 'zod';
import {
  attr,
  complex,
  empty,
  ext3gpp,
  many,
  one,
  opt,
  reqAttr,
  text,
  defineDocument,
  XML_NS,
  xsAnyUri,
  xsBoolean,
  xsEnum,
  xsHexBinary,
  xsId,
  xsIntegerRange,
  xsLanguage,
  xsNonNegativeInteger,
  xsPositiveInteger,
  xsString,
  xsToken,
  xsUnsignedByte,
  xsUnsignedShort,
} from '@mcx/xml';
import { COMMON_POLICY_NS, PREFERRED_PREFIXES } from '../namespaces.ts';
import { partnerMcSystemsField } from '../partner-systems/partner-systems.ts';
import { allowActionsCodec } from './allow-actions.ts';

export const USER_PROFILE_NS = 'urn:3gpp:mcptt:user-profile:1.0';
export const USER_PROFILE_ROOT = 'mcptt-user-profile';

const index = () => attr('index', xsToken);
const { anyExt, other, otherAttrs } = ext3gpp();

const nameType = complex({ value: text(xsToken), lang: attr('lang', xsLanguage, XML_NS) });

export const ENTRY_INFO_VALUES = ['UseCurrentlySelectedGroup', 'DedicatedGroup', 'UsePreConfigured', 'LocallyDetermined'] as const;

/** EntryType: a URI with an optional display name. */
export const entryCodec = complex({
  entryInfo: attr('entry-info', xsEnum('EntryInfoTypeList', ENTRY_INFO_VALUES)),
  index: index(),
  uriEntry: one('uri-entry', xsAnyUri),
  displayName: opt('display-name', complex({ value: text(xsString), lang: attr('lang', xsLanguage, XML_NS), otherAttrs })),
  anyExt,
  other,
  otherAttrs,
});

/** ListEntryType: a list of EntryType (MCPTTGroupInfo, ImplicitAffiliations, ...). */
export const listEntryCodec = complex(
  { entry: many('entry', entryCodec), lang: attr('lang', xsLanguage, XML_NS), index: index(), anyExt, other, otherAttrs },
  { order: 'choice' },
);

const proSeUser = complex({
  discoveryGroupId: opt('DiscoveryGroupID', xsHexBinary),
  userInfoId: one('User-Info-ID', xsHexBinary),
  index: index(),
  anyExt,
  other,
  otherAttrs,
});

const groupInitiation = complex({ entry: opt('entry', entryCodec), anyExt, other, otherAttrs }, { order: 'choice' });

/** EmergencyCallType: exactly one of MCPTTGroupInitiation / MCPTTPrivateRecipient (xs:choice). */
const emergencyCall = complex(
  {
    groupInitiation: opt('MCPTTGroupInitiation', groupInitiation),
    privateRecipient: opt(
      'MCPTTPrivateRecipient',
      complex({ entry: one('entry', entryCodec), proSeUserIdEntry: one('ProSeUserID-entry', proSeUser), anyExt, other, otherAttrs }),
    ),
    anyExt,
    other,
    otherAttrs,
  },
  { order: 'choice' },
);

const emergencyAlert = complex({ entry: one('entry', entryCodec), anyExt, other, otherAttrs });

const privateCall = complex({
  privateCallList: one(
    'PrivateCallList',
    complex(
      {
        privateCallUri: many('PrivateCallURI', entryCodec),
        privateCallProSeUser: many('PrivateCallProSeUser', proSeUser),
        index: index(),
        anyExt,
        other,
        otherAttrs,
      },
      { order: 'choice' },
    ),
  ),
  emergencyCall: opt('EmergencyCall', emergencyCall),
  anyExt,
  other,
  otherAttrs,
});

const groupCall = complex(
  {
    maxSimultaneousCallsN6: opt('MaxSimultaneousCallsN6', xsPositiveInteger),
    emergencyCall: opt('EmergencyCall', emergencyCall),
    imminentPerilCall: opt('ImminentPerilCall', complex({ groupInitiation: one('MCPTTGroupInitiation', groupInitiation), anyExt, other, otherAttrs })),
    emergencyAlert: opt('EmergencyAlert', emergencyAlert),
    priority: opt('Priority', xsUnsignedShort),
    anyExt,
    other,
    otherAttrs,
  },
  { order: 'choice' },
);

/** `<Common>`: MCPTT user id, aliases, participant type, organization (TS 23.379 annex A.3). */
const common = complex(
  {
    userAlias: opt(
      'UserAlias',
      complex(
        {
          aliasEntry: many('alias-entry', complex({ value: text(xsToken), index: index(), lang: attr('lang', xsLanguage, XML_NS) })),
          anyExt,
          other,
          otherAttrs,
        },
        { order: 'choice' },
      ),
    ),
    mcpttUserId: opt('MCPTTUserID', entryCodec),
    privateCall: opt('PrivateCall', privateCall),
    mcpttGroupCall: opt('MCPTT-group-call', groupCall),
    missionCriticalOrganization: opt('MissionCriticalOrganization', xsString),
    participantType: opt('ParticipantType', xsString),
    index: index(),
    anyExt,
    other,
    otherAttrs,
  },
  { order: 'choice' },
);

const offNetwork = complex(
  { mcpttGroupInfo: many('MCPTTGroupInfo', listEntryCodec), userInfoId: opt('User-Info-ID', xsHexBinary), index: index(), anyExt, other, otherAttrs },
  { order: 'choice' },
);

/** `<OnNetwork>`: groups, limits and implicit affiliations. */
const onNetwork = complex(
  {
    mcpttGroupInfo: many('MCPTTGroupInfo', listEntryCodec),
    maxAffiliationsN2: opt('MaxAffiliationsN2', xsNonNegativeInteger),
    maxSimultaneousTransmissionsN7: opt('MaxSimultaneousTransmissionsN7', xsNonNegativeInteger),
    implicitAffiliations: opt('ImplicitAffiliations', listEntryCodec),
    privateEmergencyAlert: opt('PrivateEmergencyAlert', emergencyAlert),
    index: index(),
    anyExt,
    other,
    otherAttrs,
  },
  { order: 'choice' },
);

const groupServerInfo = complex({
  gmsServId: one('GMS-Serv-Id', listEntryCodec),
  idmsTokenEndpoint: one('IDMS-token-endpoint', listEntryCodec),
  kmsUri: one('KMS-URI', listEntryCodec),
  anyExt,
  other,
  otherAttrs,
});

/**
 * Root `<anyExt>`: the Rel-13 global elements meant for it, and one `MigratablePartnerMCPTTSystemInfo`
 * per partner MC system (partner-systems/, TS 24.484 clause 4.2.2.1.2.1; names in
 * ../migration-names.ts). Other content is kept in `other`.
 */
const rootAnyExt = complex(
  {
    groupServerInfo: opt('GroupServerInfo', groupServerInfo),
    offNetworkGroupServerInfo: opt('OffNetworkGroupServerInfo', groupServerInfo),
    privateCallKmsUri: opt('PrivateCallKMSURI', complex({ privateCallKmsUri: one('PrivateCallKMSURI', entryCodec), anyExt, other, otherAttrs })),
    relativePresentationPriority: opt('RelativePresentationPriority', xsIntegerRange('PriorityType', 0, 255)),
    remoteGroupSelectionUriList: opt('RemoteGroupSelectionURIList', listEntryCodec),
    partnerMcSystems: partnerMcSystemsField(),
    other,
  },
  { order: 'choice', keepUnknown: true },
);

const keepAll = complex({ other }, { order: 'choice', keepUnknown: true });

/** One common-policy rule (RFC 4745 clause 7); `actions` holds the allow-* authorisations. */
export const ruleCodec = complex({
  id: reqAttr('id', xsId),
  conditions: opt('conditions', keepAll),
  actions: opt('actions', allowActionsCodec(USER_PROFILE_NS)),
  transformations: opt('transformations', keepAll),
});

export const rulesetCodec = complex({ rule: many('rule', ruleCodec) });

export const userProfileCodec = complex(
  {
    xuiUri: reqAttr('XUI-URI', xsAnyUri),
    userProfileIndex: reqAttr('user-profile-index', xsUnsignedByte),
    name: many('Name', nameType),
    status: opt('Status', xsBoolean),
    profileName: many('ProfileName', nameType),
    preSelectedIndication: opt('Pre-selected-indication', empty()),
    common: opt('Common', common),
    offNetwork: opt('OffNetwork', offNetwork),
    onNetwork: opt('OnNetwork', onNetwork),
    anyExt: opt('anyExt', rootAnyExt),
    /** `<cp:ruleset>` in the ##other position of the root (TS 24.484 clause 8.3.2.1). */
    ruleset: opt('ruleset', rulesetCodec, COMMON_POLICY_NS),
    other,
    otherAttrs,
  },
  { order: 'choice' },
);

export const userProfileSchema = userProfileCodec.schema;
export type UserProfile = z.infer<typeof userProfileSchema>;
export type UserProfileEntry = z.infer<typeof entryCodec.schema>;
export type UserProfileListEntry = z.infer<typeof listEntryCodec.schema>;
export type UserProfileRule = z.infer<typeof ruleCodec.schema>;

const document = defineDocument(USER_PROFILE_NS, USER_PROFILE_ROOT, userProfileCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an MCPTT user profile document. @throws DocumentError */
export const parseUserProfile = (xml: string, options?: { strict?: boolean }): UserProfile => document.parse(xml, options);
/** Serializes an MCPTT user profile document. @throws DocumentError `invalid-model` */
export const serializeUserProfile = (doc: UserProfile): string => document.serialize(doc);
export const userProfileDocument = document;

