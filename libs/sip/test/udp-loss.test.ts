/**
 * UDP loss: the non-INVITE transactions of RFC 3261 clause 17.1.2 / 17.2.2 retransmit
 * (Timer E) and absorb duplicates, so each NOTIFY reaches the application exactly once.
 */
import { afterEach, expect, it } from 'vitest';
import { createNotifier, subscribe, XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT, type SipEndpoint } from '../src/index.ts';
import { dropOnce, endpoint, LossyUdpTransport, subscribeBody, waitFor, xcapDiff } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function setup() {
  const serverUdp = await LossyUdpTransport.listen();
  const clientUdp = await LossyUdpTransport.listen();
  const server = await endpoint({ transports: [serverUdp] });
  const client = await endpoint({ transports: [clientUdp] });
  open.push(server, client);
  const answered: number[] = [];
  const notifier = createNotifier({
    endpoint: server, event: XCAP_DIFF_EVENT, contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: () => ({ ok: true, subscriber: 'sip:alice@example.net', state: null }),
    initialBody: () => xcapDiff(0, ['doc-a']),
    events: { notified: (_s, res) => answered.push(res.status) },
  });
  const bodies: string[] = [];
  const handle = subscribe({
    endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
    event: XCAP_DIFF_EVENT, body: () => subscribeBody('t'), expires: 600, onNotify: (n) => void bodies.push(n.body),
  });
  return { serverUdp, clientUdp, notifier, handle, bodies, answered };
}

it('delivers the first NOTIFY exactly once when its first transmission is lost', async () => {
  const { serverUdp, handle, bodies, answered } = await setup();
  // Lose the very first NOTIFY datagram the notifier sends.
  serverUdp.dropOutgoing = dropOnce((t) => t.startsWith('NOTIFY '));
  await handle.ready;
  await waitFor(() => answered.length === 1, 'NOTIFY answered');
  expect(serverUdp.dropped.filter((t) => t.startsWith('NOTIFY '))).toHaveLength(1);
  expect(bodies).toHaveLength(1);
  expect(answered).toEqual([200]);
  expect(serverUdp.sent.filter((t) => t.startsWith('NOTIFY ')).length).toBeGreaterThanOrEqual(1);
});

it('delivers a NOTIFY exactly once when its 200 is lost and the NOTIFY is retransmitted', async () => {
  const { serverUdp, clientUdp, notifier, handle, bodies, answered } = await setup();
  await handle.ready;
  await waitFor(() => answered.length === 1, 'initial NOTIFY answered');
  // Lose the subscriber's first 200 to a NOTIFY: the notifier retransmits (Timer E), the
  // subscriber's server transaction answers the copy without bothering the application.
  clientUdp.dropOutgoing = dropOnce((t) => t.startsWith('SIP/2.0 200') && / NOTIFY\r\n/.test(t));
  const id = [...notifier.subscriptions()][0]!.id;
  notifier.notify(id, xcapDiff(1, ['doc-a']));
  await waitFor(() => answered.length === 2, 'change NOTIFY answered');
  const notifiesSent = serverUdp.sent.filter((t) => t.startsWith('NOTIFY ') && t.includes('new-etag="v1"'));
  expect(notifiesSent.length).toBeGreaterThanOrEqual(2); // original + retransmission
  expect(clientUdp.dropped).toHaveLength(1);
  expect(bodies.filter((b) => b.includes('new-etag="v1"'))).toHaveLength(1);
  expect(answered).toEqual([200, 200]);
});

it('recovers a lost SUBSCRIBE and a lost 200 to it', async () => {
  const serverUdp = await LossyUdpTransport.listen();
  const clientUdp = await LossyUdpTransport.listen();
  serverUdp.dropIncoming = dropOnce((t) => t.startsWith('SUBSCRIBE '));
  serverUdp.dropOutgoing = dropOnce((t) => t.startsWith('SIP/2.0 200') && / SUBSCRIBE\r\n/.test(t));
  const server = await endpoint({ transports: [serverUdp] });
  const client = await endpoint({ transports: [clientUdp] });
  open.push(server, client);
  const subscribed: string[] = [];
  createNotifier({
    endpoint: server, event: XCAP_DIFF_EVENT, contentType: XCAP_DIFF_CONTENT_TYPE,
    authorize: () => ({ ok: true, subscriber: 'a', state: null }), initialBody: () => 'x',
    events: { subscribed: (s) => subscribed.push(s.id) },
  });
  const bodies: string[] = [];
  const handle = subscribe({
    endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
    event: XCAP_DIFF_EVENT, body: () => subscribeBody('t'), onNotify: (n) => void bodies.push(n.body),
  });
  expect((await handle.ready).status).toBe(200);
  await waitFor(() => bodies.length === 1, 'NOTIFY');
  expect(subscribed).toHaveLength(1); // the retransmitted SUBSCRIBE did not create a second subscription
  expect(serverUdp.dropped).toHaveLength(2);
});
