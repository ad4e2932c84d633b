/**
 * The CMS as subscription proxy (TS 24.484 clause 6.3.13.2.2): one SUBSCRIBE (`Event: xcap-diff`,
 * RFC 5875) for the UE configuration, the user profiles and the service configuration, the access
 * token in mcptt-info. The notifier is @mcx/xcap-diff-notifier's; the CMS supplies
 * - its document set: every document of the CMS document store (in memory), announced by the
 *   store's one change path (XCAP PUT/DELETE, admin edit, upload, CSC-17 share, seeding);
 * - its read policy: the same as on HTTP (`mayAccess`, TS 24.484 clause 6.2.4), so a user
 *   subscribes to its own documents and the service configuration, existing or not yet.
 * Every `sel` is relative to the XCAP root (RFC 5874 clause 4), as at the GMS, also for a URI
 * the UE listed absolute.
 */
import type { Database } from '@mcx/db';
import type { Logger, SipEndpoint } from '@mcx/sip';
import {
  createXcapDiffNotifier,
  PrismaXcapDiffSubscriptionStore,
  type XcapDiffAuthorizationPolicy,
  type XcapDiffNotifier,
  type XcapDocumentSet,
} from '@mcx/xcap-diff-notifier';
import { mayAccess } from '../csc4-xcap/access-policy.ts';
import type { TokenAuthenticator } from '../csc4-xcap/authentication.ts';
import type { CmsDocumentStore } from '../store/document-store.ts';

export interface SubscriptionProxyOptions {
  endpoint: SipEndpoint;
  store: CmsDocumentStore;
  /** Where the subscriptions are kept (`Subscription` rows of server `serverName`). */
  db: Database;
  serverName: string;
  tokens: TokenAuthenticator;
  /** The absolute HTTP XCAP root (the NOTIFY `xcap-root`). */
  xcapRoot: string;
  /** Host named in the Warning header of refusals. */
  warnAgent: string;
  logger: Logger;
}

export type SubscriptionProxy = XcapDiffNotifier;

/** The documents of the CMS as the xcap-diff notifier reads them. */
export function cmsDocumentSet(store: CmsDocumentStore): XcapDocumentSet {
  return {
    peek: (selector) => store.peek(selector),
    onChange: (listener) => store.onChange((e) => listener({ selector: e.selector, ...(e.previous ? { previous: e.previous } : {}) })),
  };
}

/** TS 24.484 clause 6.3.13.2.2: the CMS authorizes every subscribed URI with the HTTP read policy. */
export const cmsReadPolicy: XcapDiffAuthorizationPolicy = {
  mayRead: (user, uri) => mayAccess({ id: user }, uri.document, 'read'),
};

export function createSubscriptionProxy(o: SubscriptionProxyOptions): SubscriptionProxy {
  return createXcapDiffNotifier({
    endpoint: o.endpoint,
    xcapRoot: o.xcapRoot,
    documents: cmsDocumentSet(o.store),
    policy: cmsReadPolicy,
    tokens: o.tokens,
    warnAgent: o.warnAgent,
    store: new PrismaXcapDiffSubscriptionStore(o.db, o.serverName),
    logger: o.logger,
  });
}
