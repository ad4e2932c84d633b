// Persistence of xcap-diff subscriptions in the database (RFC 6665 dialogs surviving a restart):
// what the subscriber holds is saved once its full-state NOTIFY is answered, a restarted notifier
// re-creates the dialog and notifies what changed while it was down, rows of another layout go.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '@mcx/db';
import { openTestDatabase } from '@mcx/db/testing';
import type { SipEndpoint } from '@mcx/sip';
import { parseXcapDiff } from '@mcx/xcap';
import {
  createXcapDiffNotifier,
  PrismaXcapDiffSubscriptionStore,
  type XcapDiffNotifier,
} from '../src/index.ts';
import {
  ALICE,
  bodyWith,
  docOf,
  MemoryDocuments,
  PathPolicy,
  sipEndpoint,
  subscribeUe,
  tokens,
  waitFor,
} from './fixtures.ts';

const XCAP_ROOT = 'http://127.0.0.1:8080/xcap-root';

let db: Database;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

function notifierOn(endpoint: SipEndpoint, docs: MemoryDocuments, server: string): XcapDiffNotifier {
  return createXcapDiffNotifier({
    endpoint,
    xcapRoot: XCAP_ROOT,
    documents: docs,
    policy: new PathPolicy(),
    tokens,
    warnAgent: 'notifier.example.net',
    store: new PrismaXcapDiffSubscriptionStore(db, server),
  });
}

it('saves what the UE holds after the answered full-state NOTIFY, restores the dialog after a restart and notifies the change it missed', async () => {
  const docs = new MemoryDocuments();
  const a = docOf(ALICE, 'a.xml');
  const held = docs.put(a, bodyWith('1'));
  const ue = await sipEndpoint();
  const first = await sipEndpoint();
  let second: SipEndpoint | undefined;
  let restarted: XcapDiffNotifier | undefined;
  const notifier = notifierOn(first, docs, 'restart-test');
  try {
    const s = await subscribeUe(ue, first.uri('tcp', 'notifier'), { token: `token-of:${ALICE}`, uris: [a] });
    expect(s.response.status).toBe(200);
    await waitFor(() => s.notifies[0], 'initial NOTIFY');
    // The state change after the 2xx: the row says which version the UE holds.
    const saved = await waitFor(async () => {
      const row = await db.prisma.subscription.findFirst({ where: { server: 'restart-test' } });
      return row && row.notifiedEtags !== '{}' ? row : undefined;
    }, 'saved notified state');
    expect(JSON.parse(saved.notifiedEtags)).toEqual({ [a]: held });
    expect(saved.subscriber).toBe(ALICE);

    await notifier.close();
    await first.close();
    const missed = docs.put(a, bodyWith('2'));

    second = await sipEndpoint();
    restarted = notifierOn(second, docs, 'restart-test');
    expect(await restarted.restore()).toBe(1);
    const n = await waitFor(() => s.notifies[1], 'NOTIFY of the missed change');
    expect(n.subscriptionState.state).toBe('active');
    expect(parseXcapDiff(n.body).documents.map((d) => [d.sel, d.previousEtag, d.newEtag])).toEqual([
      [a, held, missed],
    ]);

    const live = docs.put(a, bodyWith('3'));
    await waitFor(() => s.notifies[2], 'NOTIFY after the restart');
    expect(parseXcapDiff(s.notifies[2]!.body).documents.map((d) => [d.previousEtag, d.newEtag])).toEqual([
      [missed, live],
    ]);
  } finally {
    await restarted?.close();
    await notifier.close();
    await second?.close();
    await first.close();
    await ue.close();
  }
});

it('drops a stored row of another layout instead of restoring a subscription it cannot read', async () => {
  const store = new PrismaXcapDiffSubscriptionStore(db, 'layout-test');
  await db.prisma.subscription.create({
    data: {
      server: 'layout-test',
      event: 'xcap-diff',
      callId: 'c-old',
      remoteTag: 'r',
      localTag: 'l',
      subscriber: ALICE,
      remoteUri: ALICE,
      localUri: 'sip:cms@example.net',
      remoteTarget: 'sip:alice@127.0.0.1:5062',
      transport: 'udp',
      resources: JSON.stringify(['test-docs/global/shared.xml']),
      notifiedEtags: '{"notified":{}}',
      state: 'active',
      expiresAt: new Date(Date.now() + 3600_000),
    },
  });
  expect(await store.loadAll()).toEqual([]);
  expect(await db.prisma.subscription.count({ where: { server: 'layout-test' } })).toBe(0);
});
