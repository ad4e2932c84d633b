/**
 * MC group document (TS 24.481 clause 7.2): OMA list-service (`urn:oma:xml:poc:list-service`,
 * root `group` with one `list-service@uri`) extended with `urn:3gpp:ns:mcpttGroupInfo:1.0`
 * elements. There is no XSD for it in libs/schemas/xsd; the model follows TS 24.481 and the examples
 * of its annex. `list`/`entry`/`display-name` are written in the list-service namespace and are
 * also accepted in the resource-lists namespace (RFC 4826 listType) on input.
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
  some,
  text,
  defineDocument,
  XML_NS,
  xsAnyUri,
  xsBoolean,
  xsLanguage,
  xsNonNegativeInteger,
  xsString,
  xsToken,
  xsUnsignedByte,
} from '@mcx/xml';
import { COMMON_POLICY_NS, PREFERRED_PREFIXES } from '../namespaces.ts';
import { RESOURCE_LISTS_NS } from '../resource-lists/resource-lists.ts';

export const GROUP_NS = 'urn:oma:xml:poc:list-service';
export const GROUP_ROOT = 'group';
/** 3GPP extension namespace of TS 24.481 clause 7.2.2. */
export const MCPTT_GROUP_INFO_NS = 'urn:3gpp:ns:mcpttGroupInfo:1.0';

const { other, otherAttrs } = ext3gpp();
const gi = MCPTT_GROUP_INFO_NS;
const alt = [RESOURCE_LISTS_NS];

const displayName = complex({ value: text(xsString), lang: attr('lang', xsLanguage, XML_NS) });

/** A member (`<entry uri>`) with its MCPTT participant information (TS 24.481 clause 7.2.2). */
const entry = complex({
  uri: reqAttr('uri', xsAnyUri),
  displayName: opt('display-name', displayName, undefined, alt),
  /** `mcpttgi:user-priority` (0..255). */
  userPriority: opt('user-priority', xsUnsignedByte, gi),
  /** `mcpttgi:participant-type` (free text, e.g. "dispatcher", "first responder"). */
  participantType: opt('participant-type', xsString, gi),
  other,
  otherAttrs,
});

const list = complex({ entry: many('entry', entry, undefined, alt), other, otherAttrs }, { order: 'choice' });

const keepAll = complex({ other }, { order: 'choice', keepUnknown: true });
const rule = complex({
  id: reqAttr('id', xsToken),
  conditions: opt('conditions', keepAll),
  actions: opt('actions', keepAll),
  transformations: opt('transformations', keepAll),
});

const supportedServices = complex({
  service: some('service', complex({ enabler: reqAttr('enabler', xsString), other, otherAttrs })),
  other,
});

const listService = complex({
  uri: reqAttr('uri', xsAnyUri),
  displayName: opt('display-name', displayName, undefined, alt),
  list: opt('list', list, undefined, alt),
  /** RFC 4745 ruleset (TS 24.481 clause 7.2.2: allow-initiate-conference, join-handling, ...), actions kept as extensions. */
  ruleset: opt('ruleset', complex({ rule: many('rule', rule) }), COMMON_POLICY_NS),
  supportedServices: opt('supported-services', supportedServices),
  /** `mcpttgi:on-network-invite-members`. */
  invitedMembers: opt('on-network-invite-members', xsBoolean, gi),
  maxParticipantCount: opt('on-network-max-participant-count', xsNonNegativeInteger, gi),
  /** `mcpttgi:on-network-group-priority` (0..255). */
  groupPriority: opt('on-network-group-priority', xsUnsignedByte, gi),
  /** `mcpttgi:protect-media`; absent = true (see defaults.ts). */
  protectMedia: opt('protect-media', xsBoolean, gi),
  /** `mcpttgi:protect-floor-control-signalling`; absent = true (TS 24.481 clause 7.2.8). */
  protectFloorControlSignalling: opt('protect-floor-control-signalling', xsBoolean, gi),
  other,
  otherAttrs,
});

export const groupCodec = complex({ listService: one('list-service', listService), other, otherAttrs });

export const groupSchema = groupCodec.schema;
export type Group = z.infer<typeof groupSchema>;
export type GroupMember = NonNullable<NonNullable<Group['listService']['list']>['entry']>[number];

const document = defineDocument(GROUP_NS, GROUP_ROOT, groupCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an MC group document. @throws DocumentError */
export const parseGroup = (xml: string, options?: { strict?: boolean }): Group => document.parse(xml, options);
/** Serializes an MC group document. @throws DocumentError `invalid-model` */
export const serializeGroup = (doc: Group): string => document.serialize(doc);
export const groupDocument = document;
