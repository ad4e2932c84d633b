/**
 * Persistence: a notifier recreated from its SubscriptionStore (after a restart) still
 * delivers NOTIFYs in the same dialog, with increasing CSeq (RFC 3261 clause 12.2.1.1).
 */
import { afterEach, expect, it } from 'vitest';
import {
  createNotifier, InMemorySubscriptionStore, subscribe, XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT,
  type IncomingNotify, type SipEndpoint,
} from '../src/index.ts';
import { endpoint, readSubscribeParts, subscribeBody, waitFor, xcapDiff } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

it('a notifier recreated from the store delivers NOTIFYs to the same dialog', async () => {
  const store = new InMemorySubscriptionStore<{ uris: string[] }>();
  const options = {
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: (req: { parts: Parameters<typeof readSubscribeParts>[0] }) =>
      ({ ok: true as const, subscriber: 'sip:alice@example.net', state: { uris: readSubscribeParts(req.parts).uris } }),
    initialBody: (sub: { state: { uris: string[] } }) => xcapDiff(0, sub.state.uris),
    store,
  };
  const server1 = await endpoint({ tcp: false });
  const client = await endpoint({ tcp: false });
  open.push(server1, client);
  const port = server1.address('udp').port;
  const notifier1 = createNotifier({ endpoint: server1, ...options });
  const notifies: IncomingNotify[] = [];
  const handle = subscribe({
    endpoint: client, uri: `sip:cms-psi@127.0.0.1:${port}`, from: '<sip:alice@example.net>', event: XCAP_DIFF_EVENT,
    body: () => subscribeBody('t'), expires: 600, onNotify: (n) => void notifies.push(n),
  });
  await handle.ready;
  await waitFor(() => notifies.length === 1, 'initial NOTIFY');
  expect(store.size).toBe(1);
  const [saved] = await store.loadAll();
  expect(saved!.state.uris).toHaveLength(2);
  expect(JSON.parse(JSON.stringify(saved))).toEqual(saved); // plain data

  // "Restart": the notifier process goes away, a new one binds the same address.
  notifier1.close();
  await server1.close();
  const server2 = await endpoint({ tcp: false, udp: { port } });
  open.push(server2);
  const notifier2 = createNotifier({ endpoint: server2, ...options });
  expect(await notifier2.restore()).toBe(1);
  const restored = [...notifier2.subscriptions()][0]!;
  expect(restored.id).toBe(saved!.id);
  notifier2.notify(restored.id, xcapDiff(7, restored.state.uris));
  await waitFor(() => notifies.length === 2, 'NOTIFY after restart');
  expect(notifies[1]!.dialogId).toBe(notifies[0]!.dialogId);
  expect(notifies[1]!.body).toContain('new-etag="v7"');
  const seq = (n: IncomingNotify) => Number(n.message.headers.get('cseq')!.split(' ')[0]);
  expect(seq(notifies[1]!)).toBeGreaterThan(seq(notifies[0]!));
  // The restored notifier also serves refreshes and the un-subscribe of that dialog.
  expect((await handle.refresh()).status).toBe(200);
  await handle.unsubscribe();
  await waitFor(() => store.size === 0, 'store cleaned up');
});

it('a released subscription is forgotten here without a NOTIFY and stays in the store (another instance owns it now)', async () => {
  const store = new InMemorySubscriptionStore<{ uris: string[] }>();
  const server = await endpoint({ tcp: false });
  const client = await endpoint({ tcp: false });
  open.push(server, client);
  const notifier = createNotifier({
    endpoint: server,
    event: XCAP_DIFF_EVENT,
    contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: (req: { parts: Parameters<typeof readSubscribeParts>[0] }) =>
      ({ ok: true as const, subscriber: 'sip:alice@example.net', state: { uris: readSubscribeParts(req.parts).uris } }),
    initialBody: (sub: { state: { uris: string[] } }) => xcapDiff(0, sub.state.uris),
    store,
  });
  const notifies: IncomingNotify[] = [];
  const handle = subscribe({
    endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>', event: XCAP_DIFF_EVENT,
    body: () => subscribeBody('t'), expires: 600, onNotify: (n) => void notifies.push(n),
  });
  await handle.ready;
  await waitFor(() => notifies.length === 1, 'initial NOTIFY');
  const id = [...notifier.subscriptions()][0]!.id;
  expect(notifier.release(id)).toBe(true);
  expect(notifier.release(id)).toBe(false);
  expect(notifier.size).toBe(0);
  expect(notifier.notify(id, xcapDiff(1, []))).toBe(false);
  await new Promise((r) => setTimeout(r, 100));
  expect(notifies).toHaveLength(1); // no terminating NOTIFY
  expect(store.size).toBe(1); // the row is the new owner's
  // This instance no longer knows the dialog: a refresh sent here gets 481 (RFC 6665 clause 4.2.1.2).
  expect((await handle.refresh()).status).toBe(481);
  notifier.close();
});
