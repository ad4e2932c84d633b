/**
 * @mcx/xcap-diff-notifier: the notifier of the xcap-diff event package (RFC 5875, RFC 6665) that
 * the CMS and the GMS share. A server supplies its document set and its authorization policy.
 */
export {
  createXcapDiffNotifier,
  type XcapDiffNotifier,
  type XcapDiffNotifierOptions,
  type XcapDiffSubscriptionSummary,
} from './notifier.ts';
export type {
  DocumentCollection,
  DocumentSetChange,
  DocumentVersion,
  XcapDocumentSet,
} from './document-set.ts';
export type { XcapDiffAuthorizationPolicy } from './authorization-policy.ts';
export type { XcapDiffSubscriptionState } from './state.ts';
export { PrismaXcapDiffSubscriptionStore, type XcapDiffSubscriptionStore } from './subscription-store.ts';
export { SubscribeRefusal, tokenRefusal, type SubscribeRefusalCode } from './subscribe-refusal.ts';
export { changeNotify, fullStateNotify, type BuiltNotify, type NotifyInput } from './notify-bodies.ts';
export {
  MAX_RESOURCES,
  readSubscribeBody,
  resolveSubscribedUri,
  type SubscribeBody,
  type SubscribedResource,
} from './subscribe-request.ts';
export { startReplicaTakeover, type ReplicaTakeover, type ReplicaTakeoverOptions } from './replica-takeover.ts';
