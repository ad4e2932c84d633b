/**
 * Reading an xcap-diff SUBSCRIBE (RFC 5875 clause 4.3; TS 24.484 clause 6.3.13.2.2; TS 24.481
 * clause 6.3.13): the body is multipart/mixed with
 * - `application/vnd.3gpp.mcptt-info+xml` carrying the access token (`<mcptt-access-token>`),
 *   which alone says who subscribes (never From or P-Asserted-Identity);
 * - `application/resource-lists+xml` listing the XCAP URIs (absolute under the XCAP root, or
 *   relative to it); absent or empty means the server's default collection, if it has one.
 * Then every listed URI is resolved against the XCAP root into a document or the collection.
 */
import { accessTokenOf, parseMcpttInfo, parseResourceLists, resourceListUris } from '@mcx/documents';
import { findPart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, type BodyPart } from '@mcx/sip';
import { parseXcapUri, type XcapUri } from '@mcx/xcap';
import { SubscribeRefusal } from './subscribe-refusal.ts';

/** Our own bound on the work one SUBSCRIBE may ask for. */
export const MAX_RESOURCES = 100;

export interface SubscribeBody {
  /** The resource-lists entries in document order (empty when the part is absent). */
  uris: string[];
  accessToken: string;
}

/** The access token and the listed URIs of a SUBSCRIBE's body parts. @throws SubscribeRefusal */
export function readSubscribeBody(parts: readonly BodyPart[], maxResources = MAX_RESOURCES): SubscribeBody {
  const info = findPart(parts, MCPTT_INFO_CONTENT_TYPE);
  if (info === undefined)
    throw new SubscribeRefusal('no-access-token', `the SUBSCRIBE carries no ${MCPTT_INFO_CONTENT_TYPE} part`);
  let accessToken: string | undefined;
  try {
    accessToken = accessTokenOf(parseMcpttInfo(info.body));
  } catch (err) {
    throw new SubscribeRefusal('malformed-mcptt-info', (err as Error).message);
  }
  if (!accessToken)
    throw new SubscribeRefusal('no-access-token', 'mcptt-info has no clear-text <mcptt-access-token>');
  const list = findPart(parts, RESOURCE_LISTS_CONTENT_TYPE);
  let uris: string[] = [];
  if (list !== undefined) {
    try {
      uris = resourceListUris(parseResourceLists(list.body));
    } catch (err) {
      throw new SubscribeRefusal('malformed-resource-list', (err as Error).message);
    }
  }
  if (uris.length > maxResources)
    throw new SubscribeRefusal('too-many-resources', `${uris.length} URIs, at most ${maxResources}`);
  return { uris, accessToken };
}

/** A listed URI resolved against the XCAP root. */
export type SubscribedResource =
  | {
      kind: 'document';
      uri: XcapUri;
      /** the URI relative to the XCAP root, without leading "/" */ path: string;
    }
  /** RFC 5875 clause 4.3: a directory URI (ending in "/"), relative to the XCAP root. */
  | { kind: 'directory'; path: string };

/** @throws SubscribeRefusal: 403 for a URI under another XCAP root, 400 for one naming no document. */
export function resolveSubscribedUri(uri: string, xcapRoot: string): SubscribedResource {
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    if (!uri.startsWith(`${xcapRoot}/`))
      throw new SubscribeRefusal('not-authorized', `${uri} is not under this server's XCAP root ${xcapRoot}`);
    path = uri.slice(xcapRoot.length + 1);
  } else path = uri.replace(/^\/+/, '');
  if (path.endsWith('/')) return { kind: 'directory', path };
  let parsed: XcapUri;
  try {
    parsed = parseXcapUri(path);
  } catch (err) {
    throw new SubscribeRefusal('not-a-document', `${uri}: ${(err as Error).message}`);
  }
  // Element and attribute subscriptions (RFC 5875 clause 4.3) are not offered: our own choice.
  if (parsed.nodeSelector !== undefined)
    throw new SubscribeRefusal('not-a-document', `only whole documents can be subscribed: ${uri}`);
  return { kind: 'document', uri: parsed, path };
}
