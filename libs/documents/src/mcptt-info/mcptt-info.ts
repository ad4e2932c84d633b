/**
 * mcptt-info document (TS 24.379 clause F.1; namespace urn:3gpp:ns:mcpttInfo:1.0), MIME type
 * application/vnd.3gpp.mcptt-info+xml. In a SUBSCRIBE to the subscription proxy it carries the
 * MCPTT access token (TS 24.484 clause 6.3.13.2.2):
 * `<mcpttinfo><mcptt-Params><mcptt-access-token type="Normal"><mcpttString>…`.
 * There is no XSD for it in libs/schemas/xsd; the elements modelled are those the ecosystem uses,
 * anything else is kept.
 */
import type { z } from 'zod';
import {
  attr,
  complex,
  ext3gpp,
  one,
  opt,
  defineDocument,
  xsAnyUri,
  xsBoolean,
  xsEnum,
  xsString,
  xsUnsignedByte,
} from '@mcx/xml';
import {
  MIGRATION_AUTH_RESULT_ELEMENT,
  PARTNER_MCPTT_ID_ELEMENT,
  PRIMARY_MCPTT_ID_ELEMENT,
  SELECTED_USER_PROFILE_INDEX_ELEMENT,
  USER_PROFILE_INDEX_ELEMENT,
} from '../migration-names.ts';
import { PREFERRED_PREFIXES } from '../namespaces.ts';

export const MCPTT_INFO_NS = 'urn:3gpp:ns:mcpttInfo:1.0';
export const MCPTT_INFO_ROOT = 'mcpttinfo';

const { other, otherAttrs } = ext3gpp();

/** contentType of TS 24.379 F.1: a value and whether it is protected (`type`: Normal / Encrypted). */
const content = complex(
  {
    type: attr('type', xsEnum('protectionType', ['Normal', 'Encrypted'] as const)),
    mcpttString: opt('mcpttString', xsString),
    mcpttURI: opt('mcpttURI', xsAnyUri),
    mcpttBoolean: opt('mcpttBoolean', xsBoolean),
    other,
    otherAttrs,
  },
  { order: 'choice', keepUnknown: true },
);

/**
 * `<anyExt>` of `<mcptt-Params>`: the migration elements (TS 23.280 clause 10.6.3, migration
 * service authorization between the partner and the primary MC service server). MCPTT counterparts
 * of the mcvideoinfo elements of TS 24.281, names INFERRED (../migration-names.ts).
 */
const paramsAnyExt = complex(
  {
    /** The MCPTT ID the partner system assigned to the migrated user (TS 23.280 clause 10.16.5). */
    partnerMcpttId: opt(PARTNER_MCPTT_ID_ELEMENT, content),
    /** The user's MCPTT ID in its primary MC system. */
    primaryMcpttId: opt(PRIMARY_MCPTT_ID_ELEMENT, content),
    /** The primary-configured user profile selected for access (TS 24.484 clause 4.2.2.1.2.3). */
    selectedUserProfileIndex: opt(SELECTED_USER_PROFILE_INDEX_ELEMENT, complex({ userProfileIndex: one(USER_PROFILE_INDEX_ELEMENT, xsUnsignedByte), other, otherAttrs })),
    /** The primary MC service server's decision. */
    migrationAuthResult: opt(MIGRATION_AUTH_RESULT_ELEMENT, xsBoolean),
    other,
  },
  { order: 'choice', keepUnknown: true },
);

const params = complex(
  {
    requestUri: opt('mcptt-request-uri', content),
    callingUserId: opt('mcptt-calling-user-id', content),
    calledPartyId: opt('mcptt-called-party-id', content),
    accessToken: opt('mcptt-access-token', content),
    anyExt: opt('anyExt', paramsAnyExt),
    other,
    otherAttrs,
  },
  { order: 'choice', keepUnknown: true },
);

export const mcpttInfoCodec = complex({ params: one('mcptt-Params', params), other, otherAttrs }, { order: 'choice', keepUnknown: true });
export const mcpttInfoSchema = mcpttInfoCodec.schema;
export type McpttInfo = z.infer<typeof mcpttInfoSchema>;

const document = defineDocument(MCPTT_INFO_NS, MCPTT_INFO_ROOT, mcpttInfoCodec, { prefixes: PREFERRED_PREFIXES });

/** Parses an mcptt-info document. @throws DocumentError */
export const parseMcpttInfo = (xml: string): McpttInfo => document.parse(xml);
/** Serializes an mcptt-info document. @throws DocumentError `invalid-model` */
export const serializeMcpttInfo = (doc: McpttInfo): string => document.serialize(doc);
export const mcpttInfoDocument = document;

/** The mcptt-info body that carries an access token (TS 24.484 clause 6.3.13.2.2). */
export function mcpttInfoWithAccessToken(token: string): McpttInfo {
  return { params: { accessToken: { type: 'Normal', mcpttString: token } } };
}

/** The access token of an mcptt-info document, if it has one in clear (`type` Normal or absent). */
export function accessTokenOf(info: McpttInfo): string | undefined {
  const t = info.params.accessToken;
  return t && t.type !== 'Encrypted' ? t.mcpttString : undefined;
}

/** The migration elements of mcptt-info (TS 23.280 clause 10.6.3), as the MC service servers exchange them. */
export interface MigrationInfo {
  partnerMcpttId?: string | undefined;
  primaryMcpttId?: string | undefined;
  selectedUserProfileIndex?: number | undefined;
  migrationAuthResult?: boolean | undefined;
}

const uriContent = (uri: string | undefined) => (uri === undefined ? {} : { mcpttURI: uri });

/** The `<anyExt>` of `<mcptt-Params>` carrying `m`. */
export function migrationAnyExt(m: MigrationInfo): NonNullable<McpttInfo['params']['anyExt']> {
  return {
    ...(m.partnerMcpttId !== undefined ? { partnerMcpttId: { type: 'Normal' as const, ...uriContent(m.partnerMcpttId) } } : {}),
    ...(m.primaryMcpttId !== undefined ? { primaryMcpttId: { type: 'Normal' as const, ...uriContent(m.primaryMcpttId) } } : {}),
    ...(m.selectedUserProfileIndex !== undefined ? { selectedUserProfileIndex: { userProfileIndex: m.selectedUserProfileIndex } } : {}),
    ...(m.migrationAuthResult !== undefined ? { migrationAuthResult: m.migrationAuthResult } : {}),
  };
}

/** The migration elements of an mcptt-info document (absent ones undefined). */
export function migrationInfoOf(info: McpttInfo): MigrationInfo {
  const x = info.params.anyExt;
  const id = (c: { mcpttURI?: string | undefined; mcpttString?: string | undefined } | undefined) => c?.mcpttURI ?? c?.mcpttString;
  return {
    partnerMcpttId: id(x?.partnerMcpttId),
    primaryMcpttId: id(x?.primaryMcpttId),
    selectedUserProfileIndex: x?.selectedUserProfileIndex?.userProfileIndex,
    migrationAuthResult: x?.migrationAuthResult,
  };
}
