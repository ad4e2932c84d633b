/**
 * The notifier of the xcap-diff event package (RFC 5875; RFC 6665 clause 4.2) that the CMS (the
 * subscription proxy of TS 24.484 clause 6.3.13.2.2) and the GMS (TS 24.481 clause 6.3.13) share.
 * A server supplies its documents (`XcapDocumentSet`) and who may read them
 * (`XcapDiffAuthorizationPolicy`); the rest is one set of rules:
 *
 * - SUBSCRIBE: the access token of the mcptt-info part names the subscriber (its MCPTT ID); the
 *   resource-lists part names documents (absolute under the XCAP root, or relative to it) and/or
 *   the server's collection of the subscriber's documents; no list (or an empty one) means that
 *   collection, or is a 400 where the server has none. **If one listed document may not be read,
 *   the whole SUBSCRIBE is refused with 403**: nothing is left out silently (RFC 6665 clause
 *   4.2.1.1: the notifier authorizes the subscription it accepts). Every refusal is a SipRefusal
 *   with a Warning naming the cause (`subscribe-refusal.ts`).
 * - The initial NOTIFY (and the one after each refresh) carries the full state; every later change
 *   of a document in a subscription's view, whatever its cause, gives a NOTIFY with what differs
 *   from the subscriber's copies, patch operations included unless `diff-processing=no-patching`
 *   (RFC 5875 clause 4.3). Changes made while a NOTIFY is in flight collapse into the next one
 *   (RFC 5875 clause 4.7, @mcx/sip's body factories).
 * - A list subscription that can no longer show any of its documents ends with a final NOTIFY
 *   carrying their removal: `terminated;reason=noresource` when they are all gone, else
 *   `reason=rejected` (RFC 6665 clause 4.2.2: authorization withdrawn). A collection subscription
 *   stays active.
 * - What the subscriber holds advances when a NOTIFY is answered with a 2xx, not when it is built
 *   (a NOTIFY resent after Retry-After is built again from what the subscriber holds). It is saved
 *   after each answered full-state NOTIFY, every 100 NOTIFYs of a dialog (@mcx/sip) and for every
 *   dialog at a graceful `close()`, which first lets the NOTIFYs in flight be answered.
 *   `restore()` re-creates the dialogs and notifies what changed while the server was down.
 *
 * Fan-out reads the in-memory indexes (document → subscriptions, user → collection
 * subscriptions) and the server's in-memory view: no database query per NOTIFY.
 */
import { TokenError, type McAccessToken } from '@mcx/auth';
import {
  createNotifier,
  diffProcessing,
  XCAP_DIFF_CONTENT_TYPE,
  XCAP_DIFF_EVENT,
  type ActiveSubscription,
  type AuthorizeResult,
  type Logger,
  type Notifier,
  type SipEndpoint,
  type SubscribeRequest,
  type SubscriptionRecord,
  type TerminationReason,
} from '@mcx/sip';
import { diffDocument, parseXcapUri, type DocumentChange, type DocumentDiff, type XcapUri } from '@mcx/xcap';
import type { XcapDiffAuthorizationPolicy } from './authorization-policy.ts';
import type { DocumentSetChange, XcapDocumentSet } from './document-set.ts';
import { changeNotify, fullStateNotify, type BuiltNotify, type NotifyInput } from './notify-bodies.ts';
import type { XcapDiffSubscriptionState } from './state.ts';
import type { XcapDiffSubscriptionStore } from './subscription-store.ts';
import { SubscribeRefusal, tokenRefusal } from './subscribe-refusal.ts';
import { MAX_RESOURCES, readSubscribeBody, resolveSubscribedUri } from './subscribe-request.ts';

export interface XcapDiffNotifierOptions {
  endpoint: SipEndpoint;
  /** The absolute HTTP XCAP root of this server (RFC 4825), the `xcap-root` of every NOTIFY. */
  xcapRoot: string;
  documents: XcapDocumentSet;
  policy: XcapDiffAuthorizationPolicy;
  /** Verifies the mcptt-info access token (issuer, audience, scope of this server); rejects with TokenError. */
  tokens: { verify(token: string): Promise<Pick<McAccessToken, 'mcpttId'>> };
  /** Host named in the Warning header of refusals (RFC 3261 clause 20.43). */
  warnAgent: string;
  store?: XcapDiffSubscriptionStore;
  /** Retry-After of a 503 when the token cannot be checked now (default 2 s). */
  retryAfter?: number;
  /** Most URIs one SUBSCRIBE may list (default 100). */
  maxResources?: number;
  defaultExpires?: number;
  maxExpires?: number;
  logger?: Logger;
  /** Observer of every answered or failed NOTIFY (benchmarks, tests). */
  onNotified?: (subscriber: string, status: number) => void;
  /** How long `close()` waits for NOTIFYs in flight to be answered (default 2000 ms). */
  drainMs?: number;
}

export interface XcapDiffSubscriptionSummary {
  id: string;
  subscriber: string;
  /** Subscribed to the collection of the subscriber's documents. */
  collection: boolean;
  /** The `sel` of every document the subscription shows now. */
  documents: string[];
  expiresAt: string;
}

export interface XcapDiffNotifier {
  /** The @mcx/sip notifier underneath (dialogs, queues). */
  readonly notifier: Notifier<XcapDiffSubscriptionState>;
  readonly size: number;
  list(): XcapDiffSubscriptionSummary[];
  /** Re-creates the stored subscriptions and notifies what changed meanwhile; returns how many. */
  restore(): Promise<number>;
  /** Lets the NOTIFYs in flight be answered, saves every dialog's state, then stops; subscriptions stay in the store. */
  close(): Promise<void>;
}

type Sub = ActiveSubscription<XcapDiffSubscriptionState>;

/** A built NOTIFY waiting for its answer. */
interface InFlight extends BuiltNotify {
  fullState: boolean;
}

const BODY_MEMORY = 2_000;
const DIFF_MEMORY = 10_000;
/** Built NOTIFY bodies kept for the next subscriber in the same position (cleared when full). */
const BUILT_MEMORY = 1_000;
/**
 * Subscriptions told about one change per turn of the event loop (our choice): a change to a group
 * of 5,000 members queues its NOTIFYs in slices, so that the first ones leave at once, their
 * answers are read in between and other requests are not held up for the whole fan-out.
 */
const FAN_OUT_SLICE = 250;

/** The namespace bindings of every cached selector without a query component (RFC 4825 clause 6.4). */
const NO_NAMESPACES: ReadonlyMap<string, string> = new Map();

/**
 * A parsed selector as the cache keeps it (issue #14, memory): without namespace bindings, one
 * shared empty map instead of a Map each, and the selector string itself as its canonical form
 * when they are equal (measured: 16.5 MB of parsed selectors in the systems' process of `mcx bench
 * migration --ues 1000`, 3.8 MB of them empty maps and 2.4 MB second copies of the selector).
 */
function compactUri(uri: XcapUri, selector: string): XcapUri {
  return {
    ...uri,
    documentSelector: uri.documentSelector === selector ? selector : uri.documentSelector,
    namespaces: uri.namespaces.size === 0 ? NO_NAMESPACES : uri.namespaces,
  };
}

export function createXcapDiffNotifier(o: XcapDiffNotifierOptions): XcapDiffNotifier {
  const { documents: set, policy, xcapRoot } = o;
  const retryAfter = o.retryAfter ?? 2;
  const log = o.logger ?? o.endpoint.logger;

  /** document selector → ids of subscriptions listing it. */
  const watchers = new Map<string, Set<string>>();
  /** user → ids of its collection subscriptions. */
  const collectors = new Map<string, Set<string>>();
  /** id → what the indexes hold for it. */
  const indexed = new Map<string, { user: string; collection: boolean; documents: string[] }>();
  /** id → the NOTIFY built and not yet answered (one per dialog, RFC 5875 clause 4.7). */
  const inFlight = new Map<string, InFlight>();
  /** `selector\netag` → body of recent versions, for patch operations. */
  const bodies = new Map<string, string>();
  /** One diff per change and mode, shared by every subscriber of that change. */
  const diffs = new Map<string, DocumentDiff>();
  /** Parsed document selectors (policy checks on every NOTIFY). */
  const parsed = new Map<string, XcapUri | null>();
  /** Body key (`bodyKey`) → the NOTIFY built for it: one body per version and position. */
  const builtBodies = new Map<string, BuiltNotify>();
  /** Subscriptions still to be told about changes (selector, or undefined: look at everything), in order. */
  const fanOut: Array<{ id: string; selector: string | undefined }> = [];
  let fanOutNext = 0;
  let fanOutScheduled: NodeJS.Immediate | undefined;

  const add = (map: Map<string, Set<string>>, key: string, id: string) => {
    let ids = map.get(key);
    if (ids === undefined) map.set(key, (ids = new Set()));
    ids.add(id);
  };
  const drop = (map: Map<string, Set<string>>, key: string, id: string) => {
    const ids = map.get(key);
    ids?.delete(id);
    if (ids?.size === 0) map.delete(key);
  };

  function xcapUriOf(selector: string): XcapUri | null {
    const uri = parsed.get(selector);
    if (uri !== undefined) return uri;
    let parsedUri: XcapUri | null;
    try {
      parsedUri = compactUri(parseXcapUri(selector), selector);
    } catch {
      parsedUri = null;
    }
    return rememberUri(selector, parsedUri);
  }

  function rememberUri(selector: string, uri: XcapUri | null): XcapUri | null {
    if (parsed.size > 100_000) parsed.clear();
    parsed.set(selector, uri);
    return uri;
  }

  function mayRead(user: string, selector: string): boolean {
    const uri = xcapUriOf(selector);
    return uri !== null && policy.mayRead(user, uri);
  }

  /** The documents a subscription shows now: selector → sel. */
  function view(sub: Sub): Map<string, string> {
    const out = new Map<string, string>();
    if (sub.state.collection && set.collection)
      for (const selector of set.collection.of(sub.subscriber)) out.set(selector, selector);
    for (const [selector, sel] of Object.entries(sub.state.documents))
      if (mayRead(sub.subscriber, selector)) out.set(selector, sel);
    return out;
  }

  function rememberBody(selector: string, etag: string, body: string | undefined): void {
    if (body === undefined) return;
    bodies.set(`${selector}\n${etag}`, body);
    if (bodies.size > BODY_MEMORY) bodies.delete(bodies.keys().next().value!);
  }

  function sharedDiff(change: DocumentChange, patching: boolean): DocumentDiff {
    const key = `${change.sel}\n${change.previousEtag ?? ''}\n${change.newEtag ?? ''}\n${patching}`;
    let d = diffs.get(key);
    if (d === undefined) {
      d = diffDocument(change, { patching });
      if (diffs.size > DIFF_MEMORY) diffs.clear();
      diffs.set(key, d);
    }
    return d;
  }

  function notifyInput(sub: Sub): NotifyInput {
    return {
      xcapRoot,
      view: view(sub),
      notified: sub.state.notified,
      selOf: (selector) => sub.state.documents[selector] ?? selector,
      current: (selector) => set.peek(selector),
      previousBody: (selector, etag) => bodies.get(`${selector}\n${etag}`),
      patching: sub.state.patching,
      diff: sharedDiff,
    };
  }

  /**
   * The key of the body a subscription gets now: everything a body depends on (the documents
   * shown with their `sel`, what the subscriber holds and what is current, patching). The
   * subscribers of one group who hold the same version get the same body, built once.
   */
  function bodyKey(sub: Sub, shown: ReadonlyMap<string, string>, fullState: boolean): string {
    let key = fullState ? 'F' : sub.state.patching ? 'P' : 'N';
    for (const [selector, sel] of shown) key += `\n${sel}\t${sub.state.notified[selector] ?? ''}\t${set.peek(selector)?.etag ?? ''}`;
    if (!fullState) for (const [selector, held] of Object.entries(sub.state.notified)) if (!shown.has(selector)) key += `\n-${sub.state.documents[selector] ?? selector}\t${held}`;
    return key;
  }

  /** The body factory handed to @mcx/sip: builds, and remembers what to record once answered. */
  function build(sub: Sub, fullState: boolean): string {
    const input = notifyInput(sub);
    const key = bodyKey(sub, input.view, fullState);
    let shared = builtBodies.get(key);
    if (shared === undefined) {
      shared = fullState ? fullStateNotify(input) : changeNotify(input);
      if (builtBodies.size >= BUILT_MEMORY) builtBodies.clear();
      builtBodies.set(key, shared);
    }
    const built: BuiltNotify = { ...shared, notified: { ...shared.notified } };
    inFlight.set(sub.id, { ...built, fullState });
    // The versions a subscriber holds are the previous versions of the next change: keep their bodies.
    if (fullState)
      for (const [selector, etag] of Object.entries(built.notified))
        rememberBody(selector, etag, set.peek(selector)?.body);
    return built.body;
  }

  /** The state change of an answered NOTIFY: the subscriber now holds what it said. */
  function record(sub: Sub, sent: InFlight): void {
    sub.state.notified = sent.notified;
    // Saved once per full state (never per change NOTIFY), so a restored subscription notifies
    // later changes with the previous-etag the UE holds.
    if (sent.fullState && sub.status === 'active' && notifier.get(sub.id) === sub) void persist(sub);
  }

  function recordOf(sub: Sub): SubscriptionRecord<XcapDiffSubscriptionState> {
    return {
      id: sub.id,
      event: sub.event,
      eventParams: { ...sub.eventParams },
      subscriber: sub.subscriber,
      state: sub.state,
      dialog: { ...sub.dialog, routeSet: [...sub.dialog.routeSet] },
      expiresAt: sub.expiresAt,
    };
  }

  async function persist(sub: Sub): Promise<void> {
    try {
      await o.store?.save(recordOf(sub));
    } catch (err) {
      log.error({ err, id: sub.id }, 'xcap-diff notifier: saving the notified state failed');
    }
  }

  function index(sub: Sub): void {
    unindex(sub.id);
    const docs = Object.keys(sub.state.documents);
    for (const d of docs) add(watchers, d, sub.id);
    if (sub.state.collection) add(collectors, sub.subscriber, sub.id);
    indexed.set(sub.id, { user: sub.subscriber, collection: sub.state.collection, documents: docs });
  }

  function unindex(id: string): void {
    const was = indexed.get(id);
    if (was === undefined) return;
    for (const d of was.documents) drop(watchers, d, id);
    if (was.collection) drop(collectors, was.user, id);
    indexed.delete(id);
  }

  /** RFC 6665 clause 4.2.2 reason of a list subscription that lost its last document. */
  function endReason(sub: Sub): TerminationReason {
    return Object.keys(sub.state.documents).every((s) => set.peek(s) === undefined)
      ? 'noresource'
      : 'rejected';
  }

  /** Queues the NOTIFY a change calls for, or the final one when the view emptied. */
  function changed(sub: Sub, selector?: string): void {
    if (sub.status !== 'active') return;
    const shown = view(sub);
    if (selector !== undefined) {
      // Nothing to tell a subscriber that neither sees the document nor was told about it.
      const told = selector in sub.state.notified || selector in (inFlight.get(sub.id)?.notified ?? {});
      if (!shown.has(selector) && !told) return;
    }
    if (!sub.state.collection && shown.size === 0) {
      void notifier.terminate(sub.id, endReason(sub), () => build(sub, false));
      return;
    }
    notifier.notify(sub.id, () => build(sub, false));
  }

  function onChange(c: DocumentSetChange): void {
    if (c.previous) rememberBody(c.selector, c.previous.etag, c.previous.body);
    const cur = set.peek(c.selector);
    if (cur) rememberBody(c.selector, cur.etag, cur.body);
    const ids = new Set(watchers.get(c.selector) ?? []);
    for (const user of c.users ?? []) for (const id of collectors.get(user) ?? []) ids.add(id);
    for (const id of ids) fanOut.push({ id, selector: c.selector });
    if (fanOutScheduled === undefined) runFanOut();
  }

  /** Tells the next slice of subscriptions about their change; the rest on the next turns of the loop. */
  function runFanOut(): void {
    fanOutScheduled = undefined;
    const end = Math.min(fanOut.length, fanOutNext + FAN_OUT_SLICE);
    for (; fanOutNext < end; fanOutNext++) {
      const { id, selector } = fanOut[fanOutNext]!;
      const sub = notifier.get(id);
      if (sub !== undefined) changed(sub, selector);
    }
    if (fanOutNext < fanOut.length) fanOutScheduled ??= setImmediate(runFanOut);
    else {
      fanOut.length = 0;
      fanOutNext = 0;
    }
  }

  async function authorize(
    req: SubscribeRequest<XcapDiffSubscriptionState>,
  ): Promise<AuthorizeResult<XcapDiffSubscriptionState>> {
    try {
      const body = readSubscribeBody(req.parts, o.maxResources ?? MAX_RESOURCES);
      let user: string | undefined;
      try {
        user = (await o.tokens.verify(body.accessToken)).mcpttId;
      } catch (err) {
        if (err instanceof TokenError) throw tokenRefusal(err);
        throw err;
      }
      if (!user) throw new SubscribeRefusal('no-mcptt-id', 'the access token carries no mcptt_id');
      let collection = false;
      const documents: Record<string, string> = {};
      if (body.uris.length === 0) {
        if (set.collection === undefined)
          throw new SubscribeRefusal('no-resource-list', 'the SUBSCRIBE lists no XCAP URI');
        collection = true;
      }
      for (const uri of body.uris) {
        const r = resolveSubscribedUri(uri, xcapRoot);
        if (r.kind === 'directory') {
          if (!set.collection?.matches(r.path))
            throw new SubscribeRefusal('not-authorized', `${uri} is no collection this server offers`);
          collection = true;
        } else {
          if (!policy.mayRead(user, r.uri))
            throw new SubscribeRefusal('not-authorized', `${user} may not read ${uri}`);
          // RFC 5874 clause 4: `sel` is relative to the xcap-root, however the subscriber wrote
          // the URI (absolute or relative); the UE fetches `xcap-root + "/" + sel`.
          const selector = r.uri.documentSelector;
          documents[selector] = r.path;
          // The policy checks of every NOTIFY take this parse rather than parsing the selector
          // again (issue #14: one parse per URI). A whole-document URI with no namespace bindings
          // is what parsing its document selector gives.
          if (!parsed.has(selector) && r.uri.namespaces.size === 0) rememberUri(selector, compactUri(r.uri, selector));
        }
      }
      return {
        ok: true,
        subscriber: user,
        state: {
          documents,
          collection,
          notified: {},
          patching: diffProcessing(req.eventParams) !== 'no-patching',
        },
      };
    } catch (err) {
      if (!(err instanceof SubscribeRefusal)) throw err;
      log.info({ code: err.code, detail: err.detail }, 'xcap-diff notifier: SUBSCRIBE refused');
      return { ok: false, refusal: err.toSipRefusal(o.warnAgent, retryAfter) };
    }
  }

  const notifier: Notifier<XcapDiffSubscriptionState> = createNotifier<XcapDiffSubscriptionState>({
    endpoint: o.endpoint,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize,
    initialBody: (sub) => build(sub, true),
    ...(o.defaultExpires !== undefined ? { defaultExpires: o.defaultExpires } : {}),
    ...(o.maxExpires !== undefined ? { maxExpires: o.maxExpires } : {}),
    ...(o.store ? { store: o.store } : {}),
    logger: log,
    events: {
      subscribed: index,
      refreshed: index,
      notified(sub, response) {
        const sent = inFlight.get(sub.id);
        inFlight.delete(sub.id);
        if (sent !== undefined && response.status >= 200 && response.status < 300) record(sub, sent);
        o.onNotified?.(sub.subscriber, response.status);
      },
      terminated(sub) {
        unindex(sub.id);
        inFlight.delete(sub.id);
      },
    },
  });
  const unlisten = set.onChange(onChange);

  return {
    notifier,
    get size() {
      return notifier.size;
    },
    list() {
      return [...notifier.subscriptions()].map((s) => ({
        id: s.id,
        subscriber: s.subscriber,
        collection: s.state.collection,
        documents: [...view(s).values()],
        expiresAt: new Date(s.expiresAt).toISOString(),
      }));
    },
    async restore() {
      const n = await notifier.restore();
      for (const sub of notifier.subscriptions()) {
        if (indexed.has(sub.id)) continue;
        index(sub);
        // Documents changed (or left the view) while this server was down.
        if (changeNotify(notifyInput(sub)).documents > 0) changed(sub);
      }
      log.info({ restored: n }, 'xcap-diff notifier: subscriptions restored');
      return n;
    },
    async close() {
      unlisten();
      if (fanOutScheduled !== undefined) clearImmediate(fanOutScheduled);
      fanOutScheduled = undefined;
      fanOut.length = 0;
      fanOutNext = 0;
      // A graceful stop lets the NOTIFYs in flight be answered first (for at most `drainMs`), so
      // what is saved is what the subscribers hold.
      const deadline = Date.now() + (o.drainMs ?? 2_000);
      while ([...inFlight.keys()].some((id) => notifier.get(id) !== undefined) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const records = [...notifier.subscriptions()].filter((s) => s.status === 'active').map(recordOf);
      notifier.close();
      try {
        await o.store?.saveAll?.(records);
      } catch (err) {
        log.error({ err }, 'xcap-diff notifier: saving subscriptions at shutdown failed');
      }
    },
  };
}
