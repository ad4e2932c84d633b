/**
 * Group identities and XCAP URIs of the group application usage (TS 24.481 clause 6.2.2.2; the
 * clause number as other implementations cite it): a group document lives at
 * `org.openmobilealliance.groups/global/byGroupID/<MC group ID>`, where the MC group ID is the
 * `list-service@uri` of the document (a SIP URI, e.g. `sip:fire-1@mcx-a.example`). A group created
 * by a GMC may also live in the creator's users tree (`.../users/<XUI>/<name>`).
 */
import { AUID, groupDocumentPath } from '@mcx/documents';
import { formatDocumentSelector, parseXcapUri, type DocumentSelector } from '@mcx/xcap';

export const GROUPS_AUID = AUID.groups;
export const GROUPS_MIME = 'application/vnd.oma.poc.groups+xml';
/** The global-tree directory of group documents (TS 24.481 clause 6.2.2.2). */
export const BY_GROUP_ID = 'byGroupID';

/**
 * The MC group ID of a configured group id: a URI is kept as is, a bare id (`fire-1`, as in the
 * ecosystem file) becomes `sip:fire-1@<domain>`.
 */
export function mcGroupIdOf(groupId: string, domain: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(groupId) ? groupId : `sip:${groupId}@${domain}`;
}

/** The document selector (canonical, percent-encoded, relative to the XCAP root) of a group. */
export function groupSelector(mcGroupId: string): string {
  const [dir, ...rest] = groupDocumentPath(mcGroupId).split('/');
  return formatDocumentSelector({ auid: GROUPS_AUID, tree: 'global', path: [dir!, rest.join('/')] });
}

/** The MC group ID named by a global-tree document path `byGroupID/<MC group ID>`, else undefined. */
export function groupIdOfPath(doc: DocumentSelector): string | undefined {
  if (doc.tree !== 'global' || doc.path.length !== 2 || doc.path[0] !== BY_GROUP_ID) return undefined;
  return doc.path[1];
}

/** A subscribed URI resolved against the XCAP root. */
export type SubscribedResource =
  | { kind: 'document'; selector: string }
  /** A collection of group documents (RFC 5875 clause 4.3: a directory URI ending in "/"). */
  | { kind: 'collection' }
  | { kind: 'foreign' };

/**
 * Resolves a resource-lists entry of a SUBSCRIBE (RFC 5875 clause 4.3): an absolute URI below our
 * XCAP root or a URI relative to it. Collections of group documents are
 * `org.openmobilealliance.groups/global/byGroupID/` and `org.openmobilealliance.groups/users/<XUI>/`.
 */
export function resolveSubscribedUri(uri: string, xcapRoot: string): SubscribedResource {
  let rel = uri;
  if (/^https?:\/\//i.test(uri)) {
    if (!uri.startsWith(`${xcapRoot}/`)) return { kind: 'foreign' };
    rel = uri.slice(xcapRoot.length + 1);
  }
  rel = rel.replace(/^\/+/, '');
  const segs = rel.split('/');
  if (segs[0] !== GROUPS_AUID) return { kind: 'foreign' };
  if (rel.endsWith('/')) {
    const dir = segs.slice(1, -1);
    if ((dir.length === 2 && dir[0] === 'global' && dir[1] === BY_GROUP_ID) || (dir.length === 2 && dir[0] === 'users') || (dir.length === 1 && dir[0] === 'global')) {
      return { kind: 'collection' };
    }
    return { kind: 'foreign' };
  }
  try {
    const parsed = parseXcapUri(rel);
    if (parsed.nodeSelector !== undefined) return { kind: 'foreign' };
    return { kind: 'document', selector: parsed.documentSelector };
  } catch {
    return { kind: 'foreign' };
  }
}
