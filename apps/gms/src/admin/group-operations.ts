/**
 * Group management operations of the administrator (offline configuration of groups, TS 23.280
 * clause 10.2 "group management"): create/replace/delete a group, add/remove a member, set the
 * administrators. Every document write goes through the same XCAP procedure as a GMC's request
 * (validation, uniqueness, compare-and-set, change events → NOTIFY), with the admin principal.
 */
import { buildGroup, parseGroup, serializeGroup, type Group, type GroupMember } from '@mcx/documents';
import { formatXcapUri, parseXcapUri, quoteEtag, XCAP_ELEMENT_MIME, type XcapService } from '@mcx/xcap';
import { ADMIN_PRINCIPAL } from '../csc2-xcap/authentication.ts';
import { GROUPS_MIME, groupSelector, mcGroupIdOf } from '../csc2-xcap/group-uri.ts';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupDirectory, GroupEntry } from '../store/group-directory.ts';
import type { PrismaDocumentStore } from '../store/prisma-document-store.ts';

export interface MemberInput {
  uri: string;
  displayName?: string | undefined;
  userPriority?: number | undefined;
  participantType?: string | undefined;
}

export interface GroupDefinition {
  /** A bare group id (`fire-1` → `sip:fire-1@<domain>`) or an MC group ID URI. */
  groupId: string;
  displayName: string;
  members: ReadonlyArray<string | MemberInput>;
  /** `mcpttgi:on-network-group-priority` (0..255). */
  priority?: number | undefined;
  protectMedia?: boolean | undefined;
  protectFloorControlSignalling?: boolean | undefined;
  maxParticipants?: number | undefined;
  /** MCPTT IDs allowed to edit the group over XCAP. */
  administrators?: readonly string[] | undefined;
}

export interface GroupSummary {
  groupId: string;
  selector: string;
  /** Where a member retrieves the document (XCAP root + selector). */
  uri: string;
  displayName: string | undefined;
  members: string[];
  priority: number | undefined;
  protectMedia: boolean | undefined;
  protectFloorControlSignalling: boolean | undefined;
  administrators: string[];
  etag: string;
  version: number;
}

/** The outcome of a write: the HTTP status and, on failure, the XCAP response body. */
export interface WriteOutcome {
  status: number;
  etag?: string | undefined;
  body?: string | undefined;
  contentType?: string | undefined;
}

export class GroupOperations {
  constructor(
    private readonly deps: {
      service: XcapService;
      store: PrismaDocumentStore;
      directory: GroupDirectory;
      administrators: GroupAdministrators;
      domain: string;
      xcapRoot: string;
    },
  ) {}

  mcGroupId(groupId: string): string {
    return mcGroupIdOf(groupId, this.deps.domain);
  }

  /** The document of a group: where its list-service uri lives, else its byGroupID place. */
  selectorOf(groupId: string): string {
    const id = this.mcGroupId(groupId);
    return this.deps.directory.selectorOf(id) ?? groupSelector(id);
  }

  summary(entry: GroupEntry): GroupSummary {
    const ls = entry.group.listService;
    const stored = this.deps.store.peek(entry.selector);
    return {
      groupId: entry.mcGroupId,
      selector: entry.selector,
      uri: `${this.deps.xcapRoot}/${entry.selector}`,
      displayName: ls.displayName?.value,
      members: [...entry.members],
      priority: ls.groupPriority,
      protectMedia: ls.protectMedia,
      protectFloorControlSignalling: ls.protectFloorControlSignalling,
      administrators: this.deps.administrators.of(entry.mcGroupId),
      etag: entry.etag,
      version: stored?.version ?? 0,
    };
  }

  list(): GroupSummary[] {
    return [...this.deps.directory.entries()].map((e) => this.summary(e)).sort((a, b) => a.groupId.localeCompare(b.groupId));
  }

  get(groupId: string): GroupSummary | undefined {
    const entry = this.deps.directory.get(this.selectorOf(groupId));
    return entry && this.summary(entry);
  }

  exists(groupId: string): boolean {
    return this.deps.store.peek(this.selectorOf(groupId)) !== undefined;
  }

  /** Builds the TS 24.481 group document of a definition. */
  documentOf(def: GroupDefinition): Group {
    const group = buildGroup({
      groupId: this.mcGroupId(def.groupId),
      displayName: def.displayName,
      members: def.members.map((m) => (typeof m === 'string' ? { uri: m } : m)),
      ...(def.priority !== undefined ? { priority: def.priority } : {}),
      ...(def.protectMedia !== undefined ? { protectMedia: def.protectMedia } : {}),
      ...(def.protectFloorControlSignalling !== undefined ? { protectFloorControlSignalling: def.protectFloorControlSignalling } : {}),
      ...(def.maxParticipants !== undefined ? { maxParticipants: def.maxParticipants } : {}),
    });
    // buildGroup writes `<list/>` with no entry for an empty group, which the model refuses
    // (entry is minOccurs 1 there): an empty group has no list.
    if (group.listService.list?.entry?.length === 0) delete group.listService.list;
    return group;
  }

  /** PUT of a whole group document through the XCAP procedure (RFC 4825 clause 7.1/8.2). */
  async putDocument(selector: string, body: string, conditions: { ifMatch?: string; ifNoneMatch?: string } = {}): Promise<WriteOutcome> {
    const res = await this.deps.service.handle({
      method: 'PUT',
      target: `/${selector}`,
      xcapRoot: this.deps.xcapRoot,
      headers: { contentType: GROUPS_MIME, ifMatch: conditions.ifMatch, ifNoneMatch: conditions.ifNoneMatch },
      body: new TextEncoder().encode(body),
      principal: ADMIN_PRINCIPAL,
    });
    return { status: res.status, etag: res.headers['etag'], body: res.body, contentType: res.headers['content-type'] };
  }

  /** Creates or replaces a group (If-Match / If-None-Match honoured). Administrators, when given, replace the list. */
  async put(def: GroupDefinition, conditions: { ifMatch?: string; ifNoneMatch?: string } = {}): Promise<WriteOutcome> {
    const id = this.mcGroupId(def.groupId);
    const out = await this.putDocument(this.selectorOf(id), serializeGroup(this.documentOf(def)), conditions);
    if (out.status < 300 && def.administrators !== undefined) await this.deps.administrators.set(id, def.administrators);
    return out;
  }

  async delete(groupId: string, ifMatch?: string): Promise<WriteOutcome> {
    const res = await this.deps.service.handle({
      method: 'DELETE',
      target: `/${this.selectorOf(groupId)}`,
      xcapRoot: this.deps.xcapRoot,
      headers: { ifMatch },
      principal: ADMIN_PRINCIPAL,
    });
    return { status: res.status, body: res.body, contentType: res.headers['content-type'] };
  }

  /**
   * Changes the member list with a read-modify-write that is compare-and-set on the ETag
   * (RFC 4825 clause 7.11), retried when another writer got in between.
   */
  async editMembers(groupId: string, edit: (entries: GroupMember[]) => GroupMember[] | undefined): Promise<WriteOutcome> {
    const selector = this.selectorOf(groupId);
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = this.deps.store.peek(selector);
      if (current === undefined) return { status: 404 };
      const group = parseGroup(current.body);
      const entries = edit([...(group.listService.list?.entry ?? [])]);
      if (entries === undefined) return { status: 200, etag: quoteEtag(current.etag) };
      group.listService.list = { ...group.listService.list, entry: entries };
      const out = await this.putDocument(selector, serializeGroup(group), { ifMatch: quoteEtag(current.etag) });
      if (out.status !== 412) return out;
    }
    return { status: 503 };
  }

  /**
   * An RFC 4825 element operation on the member entry `list-service/list/entry[@uri="..."]`
   * (clause 8.2.3 PUT / 8.4 DELETE): the XCAP engine edits the stored DOM, no typed round trip of
   * a possibly large member list. Undefined when the URI cannot be put in a node selector.
   */
  async #entryOperation(groupId: string, method: 'PUT' | 'DELETE', uri: string): Promise<WriteOutcome | undefined> {
    if (/["<>&]/.test(uri)) return undefined;
    const selector = this.selectorOf(groupId);
    if (this.deps.store.peek(selector) === undefined) return { status: 404 };
    const res = await this.deps.service.handle({
      method,
      target: `/${formatXcapUri({ document: parseXcapUri(selector).document, nodeSelector: `group/list-service/list/entry[@uri="${uri}"]` })}`,
      xcapRoot: this.deps.xcapRoot,
      headers: method === 'PUT' ? { contentType: XCAP_ELEMENT_MIME } : {},
      ...(method === 'PUT' ? { body: new TextEncoder().encode(`<entry uri="${uri}"/>`) } : {}),
      principal: ADMIN_PRINCIPAL,
    });
    return { status: res.status, etag: res.headers['etag'], body: res.body, contentType: res.headers['content-type'] };
  }

  async addMember(groupId: string, member: MemberInput): Promise<WriteOutcome> {
    const plain = member.displayName === undefined && member.userPriority === undefined && member.participantType === undefined;
    if (plain) {
      const selector = this.selectorOf(groupId);
      if (this.deps.directory.get(selector)?.members.has(member.uri)) return { status: 200 };
      const out = await this.#entryOperation(groupId, 'PUT', member.uri);
      // no-parent (a group without <list>) and odd URIs go the read-modify-write way.
      if (out !== undefined && out.status !== 409) return out;
    }
    return this.editMembers(groupId, (entries) => {
      const i = entries.findIndex((e) => e.uri === member.uri);
      const entry: GroupMember = {
        uri: member.uri,
        ...(member.displayName !== undefined ? { displayName: { value: member.displayName } } : {}),
        ...(member.userPriority !== undefined ? { userPriority: member.userPriority } : {}),
        ...(member.participantType !== undefined ? { participantType: member.participantType } : {}),
      } as GroupMember;
      if (i < 0) return [...entries, entry];
      entries[i] = { ...entries[i]!, ...entry };
      return entries;
    });
  }

  async removeMember(groupId: string, mcpttId: string): Promise<WriteOutcome> {
    const out = await this.#entryOperation(groupId, 'DELETE', mcpttId);
    if (out !== undefined) return out;
    let found = false;
    return this.editMembers(groupId, (entries) => {
      const kept = entries.filter((e) => e.uri !== mcpttId);
      found = kept.length !== entries.length;
      return found ? kept : undefined;
    }).then((out) => (found || out.status >= 300 ? out : { status: 404 }));
  }
}
