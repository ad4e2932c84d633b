/**
 * Persistence of the subscription proxy's dialogs (RFC 6665; TS 24.484 clause 6.3.13.2.2), so
 * subscriptions survive a CMS restart: @mcx/db's PrismaSubscriptionStore with the proxy's state.
 */
import { PrismaSubscriptionStore, type Database, type SubscriptionStateCodec } from '@mcx/db';

/** What the subscription proxy keeps per subscription. */
export interface ProxySubscriptionState {
  /** The subscribed URIs exactly as received (RFC 5875 clause 4.6: `sel` echoes them). */
  uris: string[];
  /** Last ETag notified per subscribed URI ("" = notified as absent). */
  notified: Record<string, string>;
  /** RFC 5875 diff-processing: false = no-patching. */
  patching: boolean;
}

const proxyStateCodec: SubscriptionStateCodec<ProxySubscriptionState> = {
  encode: (r) => ({
    resources: JSON.stringify(r.state.uris),
    notifiedEtags: JSON.stringify({ notified: r.state.notified, patching: r.state.patching, eventParams: r.eventParams }),
  }),
  decode: (row) => {
    const extra = JSON.parse(row.notifiedEtags) as { notified?: Record<string, string>; patching?: boolean; eventParams?: Record<string, string> };
    return {
      state: { uris: JSON.parse(row.resources) as string[], notified: extra.notified ?? {}, patching: extra.patching ?? true },
      eventParams: extra.eventParams ?? {},
    };
  },
};

export function proxySubscriptionStore(db: Database, server: string): PrismaSubscriptionStore<ProxySubscriptionState> {
  return new PrismaSubscriptionStore(db, server, proxyStateCodec);
}
