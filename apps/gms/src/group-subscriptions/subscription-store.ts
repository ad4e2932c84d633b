/**
 * Persistence of the GMS notifier's subscription dialogs (RFC 6665), so they survive a restart:
 * @mcx/db's PrismaSubscriptionStore with the group subscription state.
 */
import { PrismaSubscriptionStore, type Database, type SubscriptionStateCodec } from '@mcx/db';
import type { GroupSubscriptionState } from './state.ts';

interface ResourcesColumn {
  all: boolean;
  documents: Record<string, string>;
  eventParams: Record<string, string>;
}

const groupStateCodec: SubscriptionStateCodec<GroupSubscriptionState> = {
  encode: (r) => ({
    resources: JSON.stringify({ all: r.state.all, documents: r.state.documents, eventParams: r.eventParams } satisfies ResourcesColumn),
    notifiedEtags: JSON.stringify(r.state.notified),
  }),
  decode: (row) => {
    const resources = JSON.parse(row.resources) as ResourcesColumn;
    return {
      state: { mcpttId: row.subscriber, all: resources.all, documents: resources.documents, notified: JSON.parse(row.notifiedEtags) as Record<string, string> },
      eventParams: resources.eventParams,
    };
  },
};

export function groupSubscriptionStore(db: Database, server: string, event: string): PrismaSubscriptionStore<GroupSubscriptionState> {
  return new PrismaSubscriptionStore(db, server, groupStateCodec, event);
}
