/**
 * The CMS as subscription proxy (TS 24.484 clause 6.3.13.2.2; RFC 5875 xcap-diff event
 * package; RFC 6665 notifier):
 *
 * - one SUBSCRIBE (`Event: xcap-diff`) whose body is multipart/mixed with an
 *   `application/resource-lists+xml` part (the XCAP URIs: UE configuration, user profile(s),
 *   service configuration) and an `application/vnd.3gpp.mcptt-info+xml` part carrying the access
 *   token (`<mcptt-access-token>`); a bare resource-lists body with `Authorization: Bearer` is
 *   accepted too;
 * - the identity is taken from the token, never from From/P-Asserted-Identity; every URI is
 *   authorized with the same policy as HTTP: **if any URI may not be read, the whole SUBSCRIBE
 *   is refused with 403** (nothing is silently left out);
 * - the initial NOTIFY lists every subscribed document that exists, `sel` = the URI exactly as
 *   subscribed (full HTTP URI under the XCAP root or relative path), `new-etag` = the HTTP ETag;
 * - every later change of a subscribed document, whatever its cause (admin edit, upload,
 *   CSC-17 share, deletion), gives a NOTIFY with `previous-etag`/`new-etag` and RFC 5261
 *   patch operations when they are smaller than the document (RFC 5874). Changes that arrive
 *   while a NOTIFY is in flight are aggregated into the next one (RFC 5875 clause 4.7).
 * - Subscriptions are persisted (Subscription model) and restored at start; documents that
 *   changed while the CMS was down are notified right after the restore.
 *
 * Fan-out reads only the in-memory document view: no database query per NOTIFY.
 */
import { accessTokenOf, parseMcpttInfo, parseResourceLists, resourceListUris } from '@mcx/documents';
import {
  createNotifier,
  diffProcessing,
  findPart,
  MCPTT_INFO_CONTENT_TYPE,
  RESOURCE_LISTS_CONTENT_TYPE,
  XCAP_DIFF_CONTENT_TYPE,
  XCAP_DIFF_EVENT,
  type ActiveSubscription,
  type AuthorizeResult,
  type Notifier,
  type SipEndpoint,
  type SubscribeRequest,
} from '@mcx/sip';
import { TokenError, bearerToken } from '@mcx/auth';
import { diffDocument, parseXcapUri, renderXcapDiff, type DocumentDiff, type XcapUri } from '@mcx/xcap';
import type { Logger } from 'pino';
import { mayAccess } from '../csc4-xcap/access-policy.ts';
import { principalOf, type TokenAuthenticator } from '../csc4-xcap/authentication.ts';
import type { CmsDocumentStore, DocumentChangeEvent } from '../store/document-store.ts';
import type { PrismaSubscriptionStore } from '@mcx/db';
import type { ProxySubscriptionState } from '../store/subscription-store.ts';

export interface SubscriptionProxyOptions {
  endpoint: SipEndpoint;
  store: CmsDocumentStore;
  subscriptions: PrismaSubscriptionStore<ProxySubscriptionState>;
  tokens: TokenAuthenticator;
  xcapRoot: string;
  logger: Logger;
}

export interface SubscriptionProxy {
  readonly notifier: Notifier<ProxySubscriptionState>;
  /** Reloads persisted subscriptions and notifies what changed meanwhile; returns how many. */
  restore(): Promise<number>;
  close(): void;
}

class SubscribeRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The document selector of a subscribed URI (absolute under our XCAP root, or relative). */
export function selectorOfUri(uri: string, xcapRoot: string): XcapUri {
  let rest: string;
  if (/^https?:\/\//i.test(uri)) {
    if (!uri.startsWith(`${xcapRoot}/`)) throw new SubscribeRefused(403, `not under this CMS's XCAP root: ${uri}`);
    rest = uri.slice(xcapRoot.length + 1);
  } else rest = uri.replace(/^\/+/, '');
  let parsed: XcapUri;
  try {
    parsed = parseXcapUri(rest);
  } catch {
    throw new SubscribeRefused(400, `not an XCAP document URI: ${uri}`);
  }
  if (parsed.nodeSelector !== undefined) throw new SubscribeRefused(400, `only documents can be subscribed: ${uri}`);
  return parsed;
}

export function createSubscriptionProxy(o: SubscriptionProxyOptions): SubscriptionProxy {
  const { store, xcapRoot, logger } = o;
  /** selector -> subscription ids (the fan-out index). */
  const index = new Map<string, Set<string>>();
  /** subscription id -> the selectors it is indexed under. */
  const indexed = new Map<string, string[]>();
  /** Recent bodies by selector+etag, for patch generation (previous bodies of recent changes). */
  const bodies = new Map<string, string>();
  /** One DocumentDiff per (sel, previous, new, patching): 1,000 subscribers of one change share it. */
  const diffCache = new Map<string, DocumentDiff>();
  /** Subscribed URI -> document selector (undefined: no longer under this XCAP root, e.g. restored after the root moved). */
  const selectors = new Map<string, string | undefined>();
  function selectorOf(uri: string): string | undefined {
    if (selectors.has(uri)) return selectors.get(uri);
    let sel: string | undefined;
    try {
      sel = selectorOfUri(uri, xcapRoot).documentSelector;
    } catch {
      sel = undefined;
    }
    if (selectors.size > 100_000) selectors.clear();
    selectors.set(uri, sel);
    return sel;
  }

  function indexSub(sub: ActiveSubscription<ProxySubscriptionState>): void {
    unindex(sub.id);
    const sels = [...new Set(sub.state.uris.map(selectorOf).filter((x): x is string => x !== undefined))];
    for (const s of sels) {
      let set = index.get(s);
      if (!set) index.set(s, (set = new Set()));
      set.add(sub.id);
    }
    indexed.set(sub.id, sels);
  }
  function unindex(id: string): void {
    for (const s of indexed.get(id) ?? []) {
      const set = index.get(s);
      set?.delete(id);
      if (set?.size === 0) index.delete(s);
    }
    indexed.delete(id);
  }

  async function authorize(req: SubscribeRequest<ProxySubscriptionState>): Promise<AuthorizeResult<ProxySubscriptionState>> {
    try {
      const list = findPart(req.parts, RESOURCE_LISTS_CONTENT_TYPE);
      if (!list) throw new SubscribeRefused(400, 'no application/resource-lists+xml body part');
      let uris: string[];
      try {
        uris = resourceListUris(parseResourceLists(list.body));
      } catch {
        throw new SubscribeRefused(400, 'malformed resource-lists');
      }
      if (uris.length === 0) throw new SubscribeRefused(400, 'empty resource list');
      if (uris.length > 100) throw new SubscribeRefused(400, 'too many resources');
      const info = findPart(req.parts, MCPTT_INFO_CONTENT_TYPE);
      let token: string | undefined;
      if (info) {
        try {
          token = accessTokenOf(parseMcpttInfo(info.body));
        } catch {
          throw new SubscribeRefused(400, 'malformed mcptt-info');
        }
      }
      token ??= bearerToken(req.message.headers.get('authorization'));
      const principal = principalOf(await o.tokens.verify(token));
      for (const uri of uris) {
        const sel = selectorOfUri(uri, xcapRoot);
        if (!mayAccess(principal, sel.document, 'read')) throw new SubscribeRefused(403, `not authorized for ${uri}`);
      }
      return {
        ok: true,
        subscriber: principal.id,
        state: { uris, notified: {}, patching: diffProcessing(req.eventParams) !== 'no-patching' },
      };
    } catch (e) {
      if (e instanceof SubscribeRefused) return { ok: false, status: e.status, reason: e.message.slice(0, 120) };
      // TS 24.484 clause 6.3.13.2.2: a token that cannot be verified refuses the subscription.
      if (e instanceof TokenError) return tokenRefusal(e);
      throw e;
    }
  }

  /** Full state (RFC 5875 clause 4.4): one `<document sel new-etag>` per existing document. */
  function fullState(sub: ActiveSubscription<ProxySubscriptionState>): string {
    const docs: DocumentDiff[] = [];
    for (const uri of sub.state.uris) {
      const sel = selectorOf(uri);
      const cur = sel === undefined ? undefined : store.peek(sel);
      sub.state.notified[uri] = cur?.etag ?? '';
      if (cur) docs.push(diffDocument({ sel: uri, newEtag: cur.etag }));
    }
    // Persist what the UE now holds (one write per full state, never per change NOTIFY), so a
    // restored subscription notifies later changes with the right previous-etag.
    if (sub.status === 'active') {
      o.subscriptions
        .save({ id: sub.id, event: sub.event, eventParams: { ...sub.eventParams }, subscriber: sub.subscriber, state: sub.state, dialog: { ...sub.dialog, routeSet: [...sub.dialog.routeSet] }, expiresAt: sub.expiresAt })
        .catch((err: unknown) => logger.error({ err, id: sub.id }, 'subscription proxy: saving the notified state failed'));
    }
    return renderXcapDiff(xcapRoot, docs);
  }

  /** The changes since the last NOTIFY of this subscription (built when the dialog is free). */
  function changesSince(sub: ActiveSubscription<ProxySubscriptionState>): string {
    const docs: DocumentDiff[] = [];
    for (const uri of sub.state.uris) {
      const sel = selectorOf(uri);
      if (sel === undefined) continue;
      const prev = sub.state.notified[uri] || undefined;
      const cur = store.peek(sel);
      if (cur?.etag === prev) continue;
      const key = `${uri}\n${prev ?? ''}\n${cur?.etag ?? ''}\n${sub.state.patching}`;
      let d = diffCache.get(key);
      if (!d) {
        d = diffDocument(
          {
            sel: uri,
            previousEtag: prev,
            newEtag: cur?.etag,
            previousBody: prev ? bodies.get(`${sel}\n${prev}`) : undefined,
            newBody: cur?.body,
          },
          { patching: sub.state.patching },
        );
        if (diffCache.size > 10_000) diffCache.clear();
        diffCache.set(key, d);
      }
      docs.push(d);
      sub.state.notified[uri] = cur?.etag ?? '';
    }
    if (docs.length === 0) return fullState(sub);
    return renderXcapDiff(xcapRoot, docs);
  }

  const notifier = createNotifier<ProxySubscriptionState>({
    endpoint: o.endpoint,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize,
    initialBody: fullState,
    store: o.subscriptions,
    logger: o.logger,
    events: {
      subscribed: indexSub,
      refreshed: indexSub,
      terminated: (sub) => unindex(sub.id),
    },
  });

  function onChange(e: DocumentChangeEvent): void {
    if (e.previous) {
      bodies.set(`${e.selector}\n${e.previous.etag}`, e.previous.body);
      if (bodies.size > 2_000) bodies.delete(bodies.keys().next().value!);
    }
    const ids = index.get(e.selector);
    if (!ids) return;
    for (const id of ids) {
      const sub = notifier.get(id);
      if (sub) notifier.notify(id, () => changesSince(sub));
    }
  }
  const unlisten = store.onChange(onChange);

  return {
    notifier,
    async restore() {
      const n = await notifier.restore();
      for (const sub of notifier.subscriptions()) {
        indexSub(sub);
        const stale = sub.state.uris.some((u) => {
          const sel = selectorOf(u);
          return sel !== undefined && (store.peek(sel)?.etag ?? '') !== (sub.state.notified[u] ?? '');
        });
        if (stale) notifier.notify(sub.id, () => changesSince(sub));
      }
      logger.info({ restored: n }, 'subscription proxy: subscriptions restored');
      return n;
    },
    close() {
      unlisten();
      notifier.close();
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
