/**
 * SUBSCRIBE/NOTIFY for group documents (TS 24.481 clause 6.3.13; xcap-diff event package of
 * RFC 5875): the notifier is @mcx/xcap-diff-notifier's; the GMS supplies
 * - its document set: the group documents of the in-memory directory, a change announced with
 *   the members before and after it (whose "all my groups" subscriptions it concerns), and the
 *   collection `org.openmobilealliance.groups/global/byGroupID/` (or `.../users/<XUI>/`): all the
 *   groups the subscriber is a member of, now and later, also what a SUBSCRIBE without a
 *   resource list subscribes to;
 * - its read policy (TS 24.481 clause 6.3.2): the group's members and administrators;
 * - `sel` relative to the XCAP root, so the UE fetches `xcap-root + "/" + sel` (TS 24.484 clause
 *   4.2.2.1.2.1, retrieval "using the notified HTTPS URI").
 */
import type { Database } from '@mcx/db';
import type { Logger, SipEndpoint } from '@mcx/sip';
import {
  createXcapDiffNotifier,
  PrismaXcapDiffSubscriptionStore,
  type XcapDiffAuthorizationPolicy,
  type XcapDiffNotifier,
  type XcapDiffNotifierOptions,
  type XcapDiffSubscriptionSummary,
  type XcapDocumentSet,
} from '@mcx/xcap-diff-notifier';
import { resolveSubscribedUri } from '../csc2-xcap/group-uri.ts';
import type { GroupAdministrators } from '../store/administrators.ts';
import type { GroupDirectory } from '../store/group-directory.ts';
import type { PrismaDocumentStore } from '../store/prisma-document-store.ts';

export type GroupNotifier = XcapDiffNotifier;
export type SubscriptionSummary = XcapDiffSubscriptionSummary;

export interface GroupNotifierOptions {
  endpoint: SipEndpoint;
  store: PrismaDocumentStore;
  directory: GroupDirectory;
  administrators: GroupAdministrators;
  /** Verifies the mcptt-info access token (this GMS's audience and group management scope). */
  tokens: XcapDiffNotifierOptions['tokens'];
  /** Absolute HTTP XCAP root of this GMS (the xcap-diff `xcap-root`). */
  xcapRoot: string;
  /** Where the subscriptions are kept (`Subscription` rows of server `serverName`). */
  db: Database;
  serverName: string;
  /** Host named in the Warning header of refusals. */
  warnAgent: string;
  defaultExpires: number;
  maxExpires: number;
  logger?: Logger;
  /** Observer of every answered or failed NOTIFY (benchmarks, tests). */
  onNotified?: (subscriber: string, status: number) => void;
}

/** The group documents of this GMS as the xcap-diff notifier reads them. */
export function groupDocumentSet(store: PrismaDocumentStore, directory: GroupDirectory, xcapRoot: string): XcapDocumentSet {
  return {
    peek: (selector) => (directory.get(selector) === undefined ? undefined : store.peek(selector)),
    onChange(listener) {
      let listening = true;
      directory.onMembershipChange((c) => {
        if (!listening) return;
        listener({ selector: c.selector, ...(c.previous ? { previous: { etag: c.previous.etag } } : {}), users: [...c.kept, ...c.added, ...c.removed] });
      });
      return () => {
        listening = false;
      };
    },
    collection: {
      matches: (path) => resolveSubscribedUri(path, xcapRoot).kind === 'collection',
      of: (user) => directory.groupsOf(user),
    },
  };
}

/** TS 24.481 clause 6.3.2: a group document is read by the group's members and administrators. */
export function groupReadPolicy(directory: GroupDirectory, administrators: GroupAdministrators): XcapDiffAuthorizationPolicy {
  return {
    mayRead(user, uri) {
      const entry = directory.get(uri.documentSelector);
      return entry !== undefined && (entry.members.has(user) || administrators.isAdministrator(entry.mcGroupId, user));
    },
  };
}

export function createGroupNotifier(o: GroupNotifierOptions): GroupNotifier {
  return createXcapDiffNotifier({
    endpoint: o.endpoint,
    xcapRoot: o.xcapRoot,
    documents: groupDocumentSet(o.store, o.directory, o.xcapRoot),
    policy: groupReadPolicy(o.directory, o.administrators),
    tokens: o.tokens,
    warnAgent: o.warnAgent,
    store: new PrismaXcapDiffSubscriptionStore(o.db, o.serverName),
    defaultExpires: o.defaultExpires,
    maxExpires: o.maxExpires,
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.onNotified ? { onNotified: o.onNotified } : {}),
  });
}
