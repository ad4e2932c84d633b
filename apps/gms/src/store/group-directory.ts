/**
 * The in-memory view of the groups of this GMS: which document holds which MC group
 * (`list-service@uri`, TS 24.481 clause 7.2), who its members are (`<list><entry uri>`: the member
 * list IS the membership) and who administers it. Derived from the stored group documents, kept
 * up to date from the store's change events, so authorization and NOTIFY fan-out never query
 * the database.
 */
import type { Element } from '@xmldom/xmldom';
import { parseGroup, type Group } from '@mcx/documents';
import { parseXmlDocument } from '@mcx/xcap';
import { GROUPS_AUID } from '../csc2-xcap/group-uri.ts';
import type { DocumentChange } from './prisma-document-store.ts';
import type { ValidatedGroups } from './validated-groups.ts';

export interface GroupEntry {
  selector: string;
  /** MC group ID (`list-service@uri`). */
  mcGroupId: string;
  members: ReadonlySet<string>;
  etag: string;
  /** The typed model, parsed on first use (admin views), not on every change. */
  readonly group: Group;
}

/** What one change did to the membership of one group document. */
export interface MembershipChange {
  selector: string;
  previous: GroupEntry | undefined;
  next: GroupEntry | undefined;
  added: string[];
  removed: string[];
  /** Members before and after (the document changed for them). */
  kept: string[];
}

/**
 * The MC group ID and the member URIs of a stored group document, read straight from the DOM
 * (`group/list-service@uri`, `list-service/list/entry@uri`, TS 24.481 clause 7.2.2): cheaper than
 * the typed model on every change of a large group. Stored documents were validated on the way in.
 */
function readMembership(body: string): { uri: string; members: Set<string> } {
  const members = new Set<string>();
  let doc;
  try {
    doc = parseXmlDocument(body);
  } catch {
    return { uri: '', members };
  }
  const child = (el: Element | null, name: string): Element[] => {
    const out: Element[] = [];
    for (let c = el?.firstChild ?? null; c !== null; c = c.nextSibling) if (c.nodeType === 1 && (c as Element).localName === name) out.push(c as Element);
    return out;
  };
  const ls = child(doc.documentElement, 'list-service')[0];
  if (ls === undefined) return { uri: '', members };
  for (const list of child(ls, 'list')) for (const e of child(list, 'entry')) members.add(e.getAttribute('uri') ?? '');
  return { uri: ls.getAttribute('uri') ?? '', members };
}

function isGroupSelector(selector: string): boolean {
  return selector.startsWith(`${GROUPS_AUID}/`);
}

export class GroupDirectory {
  readonly #bySelector = new Map<string, GroupEntry>();
  readonly #byUri = new Map<string, string>();
  readonly #byMember = new Map<string, Set<string>>();
  readonly #listeners: Array<(change: MembershipChange) => void> = [];

  constructor(
    /** Models validated for the bodies being stored (no second parse of a document just checked). */
    private readonly validated?: ValidatedGroups,
  ) {}

  onMembershipChange(listener: (change: MembershipChange) => void): void {
    this.#listeners.push(listener);
  }

  get(selector: string): GroupEntry | undefined {
    return this.#bySelector.get(selector);
  }

  /** The selector of the document whose list-service uri is `mcGroupId`. */
  selectorOf(mcGroupId: string): string | undefined {
    return this.#byUri.get(mcGroupId);
  }

  isMember(selector: string, mcpttId: string): boolean {
    return this.#bySelector.get(selector)?.members.has(mcpttId) ?? false;
  }

  /** Selectors of the groups `mcpttId` is a member of. */
  groupsOf(mcpttId: string): ReadonlySet<string> {
    return this.#byMember.get(mcpttId) ?? new Set();
  }

  entries(): IterableIterator<GroupEntry> {
    return this.#bySelector.values();
  }

  get size(): number {
    return this.#bySelector.size;
  }

  /** Applies a committed store change (a document of another AUID is ignored). */
  apply(change: DocumentChange): void {
    if (!isGroupSelector(change.selector)) return;
    const previous = this.#bySelector.get(change.selector);
    let next: GroupEntry | undefined;
    if (change.next !== undefined) {
      const body = change.next.body;
      let model: Group | undefined = this.validated?.take(body);
      const { uri, members } =
        model === undefined
          ? readMembership(body)
          : { uri: model.listService.uri, members: new Set((model.listService.list?.entry ?? []).map((e) => e.uri)) };
      next = {
        selector: change.selector,
        mcGroupId: uri,
        members,
        etag: change.next.etag,
        get group() {
          return (model ??= parseGroup(body));
        },
      };
    }
    const before = previous?.members ?? new Set<string>();
    const after = next?.members ?? new Set<string>();
    const added = [...after].filter((m) => !before.has(m));
    const removed = [...before].filter((m) => !after.has(m));
    const kept = [...after].filter((m) => before.has(m));
    if (previous !== undefined && this.#byUri.get(previous.mcGroupId) === change.selector) this.#byUri.delete(previous.mcGroupId);
    for (const m of removed) {
      const set = this.#byMember.get(m);
      set?.delete(change.selector);
      if (set?.size === 0) this.#byMember.delete(m);
    }
    if (next === undefined) this.#bySelector.delete(change.selector);
    else {
      this.#bySelector.set(change.selector, next);
      if (next.mcGroupId !== '') this.#byUri.set(next.mcGroupId, change.selector);
      for (const m of added) {
        let set = this.#byMember.get(m);
        if (set === undefined) this.#byMember.set(m, (set = new Set()));
        set.add(change.selector);
      }
    }
    const out: MembershipChange = { selector: change.selector, previous, next, added, removed, kept };
    for (const l of this.#listeners) l(out);
  }
}
