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
import { detached, findPart, MCPTT_INFO_CONTENT_TYPE, RESOURCE_LISTS_CONTENT_TYPE, type BodyPart } from '@mcx/sip';
import { parseXcapUri, type XcapUri } from '@mcx/xcap';
import { SubscribeRefusal } from './subscribe-refusal.ts';

/** Our own bound on the work one SUBSCRIBE may ask for. */
export const MAX_RESOURCES = 100;

export interface SubscribeBody {
  /** The resource-lists entries in document order (empty when the part is absent). */
  uris: readonly string[];
  accessToken: string;
}

/**
 * What the body parts of recent SUBSCRIBEs said, by the part's text (issue #14, our choice): a UE
 * sends the same mcptt-info part (its access token) to the CMS and to the GMS, and every UE that
 * subscribes to a GMS's group collection lists the same resource list, so a part read once is not
 * parsed again. What is kept is what was read (a token, a frozen list of URIs), never a parsed
 * document; a part that does not read is not kept. Bounded (oldest out); the keys are copies
 * (`detached`) so that they do not keep the SIP messages they were cut from alive.
 */
export class PartReadings<T> {
  readonly #entries = new Map<string, T>();
  constructor(readonly capacity: number) {}

  /** `read(text)`, or what it gave the last time this text was read. @throws what `read` throws */
  get(text: string, read: (text: string) => T): T {
    const hit = this.#entries.get(text);
    if (hit !== undefined) return hit;
    const value = read(text);
    if (this.#entries.size >= this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(detached(text), value);
    return value;
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Our choice: a UE's SUBSCRIBEs to its CMS and GMS follow each other closely, so a few hundred
 * tokens (about 2 KB each, key and token) cover the UEs migrating at once; resource lists are few.
 */
const accessTokens = new PartReadings<string | null>(512);
const resourceLists = new PartReadings<readonly string[]>(512);

/** The access token and the listed URIs of a SUBSCRIBE's body parts. @throws SubscribeRefusal */
export function readSubscribeBody(parts: readonly BodyPart[], maxResources = MAX_RESOURCES): SubscribeBody {
  const info = findPart(parts, MCPTT_INFO_CONTENT_TYPE);
  if (info === undefined)
    throw new SubscribeRefusal('no-access-token', `the SUBSCRIBE carries no ${MCPTT_INFO_CONTENT_TYPE} part`);
  let accessToken: string | null;
  try {
    accessToken = accessTokens.get(info.body, (xml) => accessTokenOf(parseMcpttInfo(xml)) ?? null);
  } catch (err) {
    throw new SubscribeRefusal('malformed-mcptt-info', (err as Error).message);
  }
  if (!accessToken)
    throw new SubscribeRefusal('no-access-token', 'mcptt-info has no clear-text <mcptt-access-token>');
  const list = findPart(parts, RESOURCE_LISTS_CONTENT_TYPE);
  let uris: readonly string[] = [];
  if (list !== undefined) {
    try {
      uris = resourceLists.get(list.body, (xml) => Object.freeze(resourceListUris(parseResourceLists(xml))));
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
