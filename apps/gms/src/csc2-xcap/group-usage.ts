/**
 * The XCAP application usage of MC group documents (TS 24.481 clause 7.2; RFC 4825 clause 5):
 * AUID `org.openmobilealliance.groups`, MIME type `application/vnd.oma.poc.groups+xml`, default
 * namespace `urn:oma:xml:poc:list-service`.
 *
 * - Schema (RFC 4825 clause 5.3): the group model of @mcx/documents, strict.
 * - Uniqueness (RFC 4825 clause 5.5; TS 24.481 clause 6.3.2.3 c) as other implementations cite it): the
 *   `list-service@uri` is unique among all group documents of this GMS; a clash is a 409
 *   `<uniqueness-failure>` proposing free URIs in `<alt-value>`. Member `entry@uri` values are
 *   unique within the list (RFC 4826 clause 3.4).
 * - Constraint (RFC 4825 clause 5.6): a document at `global/byGroupID/<MC group ID>` carries that
 *   MC group ID as its `list-service@uri`.
 * - Authorization (RFC 4825 clause 5.7, TS 24.481 clause 6.3.2): see `authorizeGroupAccess`.
 * - Limits (our choice: @mcx/xml DEFAULT_XML_LIMITS): a body over 1 MB is 413; more elements,
 *   deeper nesting, more than 256 attributes on an element or a value over 64 KB a 409
 *   `<constraint-failure>` naming the limit.
 */
import type { Document } from '@xmldom/xmldom';
import { DocumentError, groupCodec, parseGroup, type Group } from '@mcx/documents';
import { decodeRoot, DEFAULT_XML_LIMITS } from '@mcx/xml';
import {
  formatDocumentSelector,
  type ApplicationUsage,
  type AuthorizationContext,
  type ConstraintContext,
  type ConstraintViolation,
  type ValidationIssue,
} from '@mcx/xcap';
import { COMMON_POLICY_NS, GROUP_NS, MCPTT_GROUP_INFO_NS, RESOURCE_LISTS_NS } from '@mcx/documents';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupDirectory } from '../store/group-directory.ts';
import type { ValidatedGroups } from '../store/validated-groups.ts';
import { GROUPS_AUID, GROUPS_MIME, groupIdOfPath } from './group-uri.ts';

/** Role of the principal holding the system's admin token. */
export const ADMIN_ROLE = 'admin';

export interface GroupUsageDeps {
  directory: GroupDirectory;
  administrators: GroupAdministrators;
  /** Where a validated model is left for the directory (by its serialized body). */
  validated?: ValidatedGroups;
}

/**
 * Who may do what (TS 24.481 clause 6.3.2 authorization, RFC 4825 clause 5.7):
 * - the system administrator (admin token): everything;
 * - a group document in the global tree: its members read it; its administrators (configured per
 *   MC group ID) read, create, replace and delete it;
 * - a group document in a users tree (created by a GMC with its group-creation XUI): the owner
 *   (XUI) reads and writes it, members read it, its administrators edit it;
 * - everyone else: 403.
 */
export function authorizeGroupAccess(ctx: AuthorizationContext, deps: GroupUsageDeps): boolean {
  const p = ctx.principal;
  if (p === undefined) return false;
  if (p.roles?.includes(ADMIN_ROLE)) return true;
  const selector = formatDocumentSelector(ctx.document);
  const entry = deps.directory.get(selector);
  const mcGroupId = groupIdOfPath(ctx.document) ?? entry?.mcGroupId;
  const isAdmin = mcGroupId !== undefined && deps.administrators.isAdministrator(mcGroupId, p.id);
  if (ctx.tree === 'users' && ctx.xui === p.id) return true;
  if (ctx.operation === 'write') return isAdmin;
  return isAdmin || (entry?.members.has(p.id) ?? false);
}

/** Proposes free MC group IDs next to a taken one: `sip:fire-1@d` → `sip:fire-1-2@d`, ... */
export function alternativeGroupIds(taken: string, inUse: (uri: string) => boolean, count = 2): string[] {
  const m = /^([a-z][a-z0-9+.-]*:)([^@]*)(@.*)?$/i.exec(taken);
  const [scheme, user, host] = m ? [m[1]!, m[2]!, m[3] ?? ''] : ['', taken, ''];
  const out: string[] = [];
  for (let n = 2; out.length < count && n < 10_000; n++) {
    const candidate = `${scheme}${user}-${n}${host}`;
    if (!inUse(candidate)) out.push(candidate);
  }
  return out;
}

export function createGroupUsage(deps: GroupUsageDeps): ApplicationUsage {
  // validate() and checkConstraints() see the same DOM: parse the model once.
  const parsed = new WeakMap<Document, Group>();
  return {
    auid: GROUPS_AUID,
    mimeType: GROUPS_MIME,
    defaultNamespace: GROUP_NS,
    maxBodyBytes: DEFAULT_XML_LIMITS.maxBytes,
    limits: DEFAULT_XML_LIMITS,
    // TS 24.481 clause 7.2: the 3GPP group info extension, the resource-lists entries of the
    // member list and the common-policy ruleset.
    namespaces: [MCPTT_GROUP_INFO_NS, RESOURCE_LISTS_NS, COMMON_POLICY_NS],
    validate(doc, body): readonly ValidationIssue[] | null {
      try {
        // The model straight from the DOM the XCAP engine holds (no serialize and parse again).
        const root = doc.documentElement;
        if (!root) throw new DocumentError('not-well-formed', 'no root element');
        const group = decodeRoot(root, GROUP_NS, 'group', groupCodec, { strict: true });
        parsed.set(doc, group);
        // The write stores exactly this text: the directory takes the model for it.
        deps.validated?.remember(body, group);
        return null;
      } catch (err) {
        if (err instanceof DocumentError) return [{ message: `${err.code}: ${err.reason}`, path: err.where }];
        throw err;
      }
    },
    checkConstraints(doc, ctx: ConstraintContext): ConstraintViolation | null {
      const group = parsed.get(doc) ?? parseGroup(ctx.body);
      const uri = group.listService.uri;
      const selector = formatDocumentSelector(ctx.document);
      const owner = deps.directory.selectorOf(uri);
      if (owner !== undefined && owner !== selector) {
        return {
          kind: 'uniqueness',
          exists: [{ field: 'list-service/@uri', altValues: alternativeGroupIds(uri, (u) => deps.directory.selectorOf(u) !== undefined) }],
          phrase: `the MC group ID ${uri} is already used by another group document`,
        };
      }
      const pathId = groupIdOfPath(ctx.document);
      if (pathId !== undefined && pathId !== uri) {
        return { kind: 'constraint', phrase: `a document at byGroupID/${pathId} must have list-service uri="${pathId}", not "${uri}"` };
      }
      const seen = new Set<string>();
      for (const e of group.listService.list?.entry ?? []) {
        if (seen.has(e.uri)) {
          return { kind: 'uniqueness', exists: [{ field: 'list-service/list/entry/@uri' }], phrase: `member ${e.uri} is listed twice` };
        }
        seen.add(e.uri);
      }
      return null;
    },
    authorize: (ctx) => authorizeGroupAccess(ctx, deps),
  };
}
