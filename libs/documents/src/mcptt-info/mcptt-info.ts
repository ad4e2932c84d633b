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
} from '@mcx/xml';
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

const params = complex(
  {
    requestUri: opt('mcptt-request-uri', content),
    callingUserId: opt('mcptt-calling-user-id', content),
    calledPartyId: opt('mcptt-called-party-id', content),
    accessToken: opt('mcptt-access-token', content),
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
