/**
 * SUBSCRIBE/NOTIFY for group documents (TS 24.481 clause 6.3.13, event package xcap-diff of
 * RFC 5875, XCAP diff format of RFC 5874):
 *
 * 1. SUBSCRIBE (Event: xcap-diff) to the GMS PSI, body multipart/mixed with
 *    `application/vnd.3gpp.mcptt-info+xml` (the access token; the subscriber's identity is its
 *    `mcptt_id`, never the From header) and optionally `application/resource-lists+xml`.
 * 2. The resource list names group documents (absolute below our XCAP root, or relative to it)
 *    and/or a collection (`org.openmobilealliance.groups/global/byGroupID/` or
 *    `org.openmobilealliance.groups/users/<XUI>/`). A collection, an empty list or no list at all
 *    means "all the groups I am a member of" (now and later). A listed document the user may not
 *    read is left out; a list of only such documents is refused with 403.
 * 3. The initial NOTIFY carries the full state: one `<document sel new-etag>` per visible group
 *    document; `xcap-root` is the GMS HTTP XCAP root, so the UE retrieves the document from
 *    `xcap-root + "/" + sel` (TS 24.484 clause 4.2.2.1.2.1: retrieval "using the notified HTTPS URI").
 * 4. A change reaches every subscriber that can see the document: `previous-etag` + `new-etag`
 *    (no patch operations: the UE fetches, TS 24.481). A member added to a group sees it appear
 *    (new-etag only) in an "all my groups" subscription.
 * 5. A member removed from a group (or a deleted group) gets the document with `previous-etag`
 *    only (RFC 5874 clause 4: gone from its view); when that was the last document of a list
 *    subscription, the NOTIFY is the final one: `Subscription-State: terminated;reason=rejected`
 *    (RFC 6665 clause 4.2.2: authorization changed) or `reason=noresource` (document deleted).
 *
 * Fan-out works on the in-memory indexes (selector → subscriptions, member → subscriptions) and
 * the in-memory document view: no database query per NOTIFY. NOTIFYs of one dialog are never
 * concurrent and changes queued while one is in flight collapse into one aggregated NOTIFY
 * (RFC 5875 clause 4.7, via @mcx/sip's notifier body factories).
 */
import { TokenError } from '@mcx/auth';
import { accessTokenOf, parseMcpttInfo, parseResourceLists, resourceListUris } from '@mcx/documents';
import {
  createNotifier,
  findPart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  XCAP_DIFF_CONTENT_TYPE,
  XCAP_DIFF_EVENT,
  type ActiveSubscription,
  type AuthorizeResult,
  type Logger,
  type Notifier,
  type SipEndpoint,
  type SubscribeRequest,
  type SubscriptionRecord,
  type SubscriptionStore,
} from '@mcx/sip';
import { diffDocument, renderXcapDiff, type DocumentDiff, type Principal } from '@mcx/xcap';
import type { Authenticator } from '../csc2-xcap/authentication.ts';
import { resolveSubscribedUri } from '../csc2-xcap/group-uri.ts';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupDirectory, MembershipChange } from '../store/group-directory.ts';
import type { GroupSubscriptionState } from './state.ts';

export interface GroupNotifierOptions {
  endpoint: SipEndpoint;
  directory: GroupDirectory;
  administrators: GroupAdministrators;
  authenticator: Authenticator;
  /** Absolute HTTP XCAP root of this GMS (the xcap-diff `xcap-root`). */
  xcapRoot: string;
  store?: SubscriptionStore<GroupSubscriptionState> & { saveAll?(records: SubscriptionRecord<GroupSubscriptionState>[]): Promise<void> };
  defaultExpires: number;
  maxExpires: number;
  logger?: Logger;
  /** Observer of every answered or failed NOTIFY (benchmarks, tests). */
  onNotified?: (subscriber: string, status: number) => void;
}

export interface SubscriptionSummary {
  id: string;
  subscriber: string;
  all: boolean;
  documents: string[];
  expiresAt: string;
}

export interface GroupNotifier {
  readonly size: number;
  list(): SubscriptionSummary[];
  restore(): Promise<number>;
  /** Saves the dialogs' state (graceful shutdown), then stops; subscriptions stay in the store. */
  close(): Promise<void>;
}

type Sub = ActiveSubscription<GroupSubscriptionState>;

export function createGroupNotifier(o: GroupNotifierOptions): GroupNotifier {
  const { directory, administrators } = o;
  /** selector → ids of subscriptions listing it explicitly. */
  const watchers = new Map<string, Set<string>>();
  /** MCPTT ID → ids of its "all my groups" subscriptions. */
  const allByUser = new Map<string, Set<string>>();
  /** id → what the indexes hold for it (to undo on refresh/termination). */
  const indexed = new Map<string, { user: string; all: boolean; documents: string[] }>();
  /** id → selectors changed since the last NOTIFY was built. */
  const pending = new Map<string, Set<string>>();

  const addTo = (map: Map<string, Set<string>>, key: string, id: string) => {
    let set = map.get(key);
    if (set === undefined) map.set(key, (set = new Set()));
    set.add(id);
  };
  const removeFrom = (map: Map<string, Set<string>>, key: string, id: string) => {
    const set = map.get(key);
    set?.delete(id);
    if (set?.size === 0) map.delete(key);
  };

  function index(sub: Sub): void {
    unindex(sub.id);
    const s = sub.state;
    const documents = Object.keys(s.documents);
    for (const d of documents) addTo(watchers, d, sub.id);
    if (s.all) addTo(allByUser, s.mcpttId, sub.id);
    indexed.set(sub.id, { user: s.mcpttId, all: s.all, documents });
  }

  function unindex(id: string): void {
    const was = indexed.get(id);
    if (was === undefined) return;
    for (const d of was.documents) removeFrom(watchers, d, id);
    if (was.all) removeFrom(allByUser, was.user, id);
    indexed.delete(id);
  }

  /** TS 24.481 clause 6.3.13 read permission: members, and the group's administrators. */
  function canRead(selector: string, mcpttId: string): boolean {
    const entry = directory.get(selector);
    if (entry === undefined) return false;
    return entry.members.has(mcpttId) || administrators.isAdministrator(entry.mcGroupId, mcpttId);
  }

  /** The documents a subscription currently shows: selector → sel. */
  function visible(s: GroupSubscriptionState): Map<string, string> {
    const out = new Map<string, string>();
    if (s.all) for (const sel of directory.groupsOf(s.mcpttId)) out.set(sel, sel);
    for (const [selector, sel] of Object.entries(s.documents)) if (canRead(selector, s.mcpttId)) out.set(selector, sel);
    return out;
  }

  const render = (docs: DocumentDiff[]) => renderXcapDiff(o.xcapRoot, docs);

  /** RFC 5875 clause 4.4: full state, `new-etag` per visible document. */
  function fullState(sub: Sub): string {
    const s = sub.state;
    pending.delete(sub.id);
    const docs: DocumentDiff[] = [];
    const notified: Record<string, string> = {};
    for (const [selector, sel] of visible(s)) {
      const etag = directory.get(selector)!.etag;
      notified[selector] = etag;
      docs.push(diffDocument({ sel, newEtag: etag }));
    }
    s.notified = notified;
    return render(docs);
  }

  /** The aggregated change NOTIFY of one subscription (RFC 5874 clause 4; RFC 5875 clause 4.7). */
  function changes(sub: Sub): string {
    const s = sub.state;
    const dirty = pending.get(sub.id) ?? new Set<string>();
    pending.delete(sub.id);
    const docs: DocumentDiff[] = [];
    for (const selector of dirty) {
      const sel = s.documents[selector] ?? selector;
      const known = s.notified[selector];
      const entry = directory.get(selector);
      const readable = entry !== undefined && ((s.all && entry.members.has(s.mcpttId)) || (selector in s.documents && canRead(selector, s.mcpttId)));
      if (readable) {
        if (known === entry.etag) continue;
        docs.push(diffDocument({ sel, previousEtag: known, newEtag: entry.etag }));
        s.notified[selector] = entry.etag;
      } else if (known !== undefined) {
        docs.push(diffDocument({ sel, previousEtag: known }));
        delete s.notified[selector];
      }
    }
    return render(docs);
  }

  function markDirty(id: string, selector: string, deleted: boolean): void {
    const sub = notifier.get(id);
    if (sub === undefined || sub.status !== 'active') return;
    const s = sub.state;
    // Nothing to tell a subscriber that neither sees the document nor was told about it.
    if (!(selector in s.notified) && !visible(s).has(selector)) return;
    let set = pending.get(id);
    if (set === undefined) pending.set(id, (set = new Set()));
    set.add(selector);
    // The last document of a list subscription left the user's view: final NOTIFY.
    if (!s.all && visible(s).size === 0) {
      void notifier.terminate(id, deleted ? 'noresource' : 'rejected', () => changes(sub));
      return;
    }
    notifier.notify(id, () => changes(sub));
  }

  directory.onMembershipChange((c: MembershipChange) => {
    const deleted = c.next === undefined;
    const ids = new Set<string>(watchers.get(c.selector) ?? []);
    for (const group of [c.kept, c.added, c.removed]) {
      for (const m of group) for (const id of allByUser.get(m) ?? []) ids.add(id);
    }
    for (const id of ids) markDirty(id, c.selector, deleted);
  });

  async function authorize(req: SubscribeRequest<GroupSubscriptionState>): Promise<AuthorizeResult<GroupSubscriptionState>> {
    // TS 24.484 clause 6.3.13.2.2 / TS 24.481 clause 6.3.13: the access token in mcptt-info.
    const infoPart = findPart(req.parts, MCPTT_INFO_CONTENT_TYPE);
    if (infoPart === undefined) return { ok: false, status: 403, reason: 'Forbidden (no mcptt-info with an access token)' };
    let principal: Principal;
    try {
      const token = accessTokenOf(parseMcpttInfo(infoPart.body));
      principal = await o.authenticator.principalOf(token);
    } catch (err) {
      if (err instanceof TokenError) return tokenRefusal(err);
      return { ok: false, status: 400, reason: 'Malformed mcptt-info' };
    }
    if (principal.roles !== undefined && principal.roles.length > 0) return { ok: false, status: 403, reason: 'Forbidden (not an MC user)' };
    const mcpttId = principal.id;
    let uris: string[] = [];
    const listPart = findPart(req.parts, RESOURCE_LISTS_CONTENT_TYPE);
    if (listPart !== undefined) {
      try {
        uris = resourceListUris(parseResourceLists(listPart.body));
      } catch {
        return { ok: false, status: 400, reason: 'Malformed resource-lists' };
      }
    }
    let all = uris.length === 0;
    const documents: Record<string, string> = {};
    for (const uri of uris) {
      const r = resolveSubscribedUri(uri, o.xcapRoot);
      if (r.kind === 'collection') all = true;
      else if (r.kind === 'document' && canRead(r.selector, mcpttId)) {
        // RFC 5875 clause 4.6: sel is the subscribed URI, relative to the xcap-root.
        documents[r.selector] = uri.startsWith(`${o.xcapRoot}/`) ? uri.slice(o.xcapRoot.length + 1) : uri.replace(/^\/+/, '');
      }
    }
    if (!all && Object.keys(documents).length === 0) {
      return { ok: false, status: 403, reason: 'Forbidden (no listed group document may be read by this user)' };
    }
    return { ok: true, subscriber: mcpttId, state: { mcpttId, all, documents, notified: {} } };
  }

  const notifier: Notifier<GroupSubscriptionState> = createNotifier<GroupSubscriptionState>({
    endpoint: o.endpoint,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize,
    initialBody: (sub) => fullState(sub),
    defaultExpires: o.defaultExpires,
    maxExpires: o.maxExpires,
    ...(o.store ? { store: o.store } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    events: {
      subscribed: index,
      refreshed: index,
      terminated: (sub) => {
        unindex(sub.id);
        pending.delete(sub.id);
      },
      notified: (sub, response) => o.onNotified?.(sub.subscriber, response.status),
    },
  });

  return {
    get size() {
      return notifier.size;
    },
    list() {
      return [...notifier.subscriptions()].map((s) => ({
        id: s.id,
        subscriber: s.subscriber,
        all: s.state.all,
        documents: [...visible(s.state).values()],
        expiresAt: new Date(s.expiresAt).toISOString(),
      }));
    },
    async restore() {
      const n = await notifier.restore();
      for (const sub of notifier.subscriptions()) if (!indexed.has(sub.id)) index(sub);
      return n;
    },
    async close() {
      const records: SubscriptionRecord<GroupSubscriptionState>[] = [...notifier.subscriptions()]
        .filter((s) => s.status === 'active')
        .map((s) => ({ id: s.id, event: s.event, eventParams: { ...s.eventParams }, subscriber: s.subscriber, state: s.state, dialog: { ...s.dialog }, expiresAt: s.expiresAt }));
      notifier.close();
      try {
        await o.store?.saveAll?.(records);
      } catch (err) {
        o.logger?.error({ err }, 'gms: saving subscriptions at shutdown failed');
      }
    },
  };
}

/**
 * A token that cannot be checked now (the IdMS keys are unreachable) is a temporary failure: 503
 * with Retry-After (RFC 3261 clause 21.5.4), so the UE retries; any other token error is 403.
 */
function tokenRefusal(e: TokenError): { ok: false; status: number; reason: string; headers?: Record<string, string> } {
  if (e.code === 'jwks-unavailable') return { ok: false, status: 503, reason: `Service Unavailable (${e.code})`, headers: { 'Retry-After': '2' } };
  return { ok: false, status: 403, reason: `Forbidden (${e.code})` };
}
