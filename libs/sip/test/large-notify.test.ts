/**
 * A NOTIFY larger than UDP allows still reaches a subscriber that subscribed over UDP (RFC 3261
 * clause 18.1.1): above 1300 bytes it goes over TCP to the same host and port; when the
 * subscriber has no TCP, a NOTIFY that fits in one datagram is sent over UDP again. Real sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNotifier, listenUdpAndTcp, subscribe, XCAP_DIFF_ACCEPT, XCAP_DIFF_EVENT,
  type IncomingNotify, type SipEndpoint, type TransportProtocol,
} from '../src/index.ts';
import { endpoint, xcapDiffNotifierOptions, subscribeBody, waitFor, xcapDiff } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** An xcap-diff of about `kb` KB: one document entry plus a large comment. */
function largeDiff(version: number, kb: number): string {
  return xcapDiff(version, ['org.3gpp.mcptt.user-profile/users/sip:alice@example.net/mcptt-user-profile-1.xml']).replace('?>', `?><!--${'x'.repeat(kb * 1024)}-->`);
}

async function subscribed(over: TransportProtocol, clientTcp: boolean, resubscribe = true) {
  const server = await endpoint();
  // A UE listens on UDP and TCP at one port (RFC 3261 clause 18), as listenUdpAndTcp binds them.
  const client = await endpoint(clientTcp ? { transports: await listenUdpAndTcp('127.0.0.1', 0) } : { tcp: false });
  open.push(server, client);
  const ids: string[] = [];
  const terminated: string[] = [];
  const notifier = createNotifier<{ uris: string[] }>({
    ...xcapDiffNotifierOptions(server),
    events: { subscribed: (s) => ids.push(s.id), terminated: (_s, reason) => terminated.push(reason) },
  });
  const notifies: IncomingNotify[] = [];
  const handle = subscribe({
    endpoint: client,
    uri: `sip:cms-psi@127.0.0.1:${server.address(over).port}${over === 'tcp' ? ';transport=tcp' : ''}`,
    from: '<sip:alice@example.net>',
    event: XCAP_DIFF_EVENT,
    accept: XCAP_DIFF_ACCEPT,
    body: () => subscribeBody('good-token'),
    expires: 600,
    onNotify: (n) => {
      notifies.push(n);
    },
    resubscribe,
  });
  expect((await handle.ready).status).toBe(200);
  await waitFor(() => notifies.length >= 1, 'initial NOTIFY');
  return { notifier, id: ids[0]!, ids, terminated, notifies, handle };
}

const viaProtocol = (n: IncomingNotify) => /^SIP\/2\.0\/(\w+)/.exec(n.message.headers.get('via')!)![1];

describe('NOTIFY by size (RFC 3261 clause 18.1.1)', () => {
  it.each(['udp', 'tcp'] as const)('a 100 KB change to a subscriber over %s arrives whole over TCP; a small one keeps the subscription transport', async (over) => {
    const { notifier, id, notifies, handle } = await subscribed(over, true);
    const big = largeDiff(1, 100);
    expect(notifier.notify(id, big)).toBe(true);
    expect(notifier.notify(id, xcapDiff(2, []))).toBe(true);
    await waitFor(() => notifies.length >= 3, 'the large and the small NOTIFY');
    expect(notifies[1]!.body).toBe(big);
    expect(viaProtocol(notifies[1]!)).toBe('TCP');
    expect(viaProtocol(notifies[2]!)).toBe(over.toUpperCase());
    expect(notifier.get(id)).toBeDefined();
    expect(handle.state).toBe('active');
  });

  it('falls back to UDP for a subscriber without TCP when the NOTIFY fits in a datagram', async () => {
    const { notifier, id, notifies, handle } = await subscribed('udp', false);
    const mid = largeDiff(1, 10);
    expect(notifier.notify(id, mid)).toBe(true);
    await waitFor(() => notifies.length >= 2, 'the 10 KB NOTIFY');
    expect(notifies[1]!.body).toBe(mid);
    expect(viaProtocol(notifies[1]!)).toBe('UDP');
    expect(handle.state).toBe('active');
  });

  it.each([true, false])('deactivates a UDP-only subscriber when the change fits neither a datagram nor TCP (re-subscribe %s)', async (resubscribe) => {
    const { notifier, id, ids, terminated, notifies, handle } = await subscribed('udp', false, resubscribe);
    expect(notifier.notify(id, largeDiff(1, 100))).toBe(true);
    // RFC 6665 clause 4.1.3: a bodiless final NOTIFY over UDP, reason deactivated.
    const final = await waitFor(() => notifies.find((n) => n.subscriptionState.state === 'terminated'), 'the terminating NOTIFY');
    expect(final.subscriptionState.reason).toBe('deactivated');
    expect(final.body).toBe('');
    expect(viaProtocol(final)).toBe('UDP');
    await waitFor(() => terminated.length >= 1, 'the subscription removed');
    expect(terminated).toEqual(['deactivated']);
    expect(notifier.get(id)).toBeUndefined();
    if (resubscribe) {
      // The subscriber re-subscribes at once and gets the full state again.
      await waitFor(() => ids.length >= 2, 'a new SUBSCRIBE');
      await waitFor(() => notifies.length >= 3, 'the initial NOTIFY of the new subscription');
      expect(notifies[2]!.subscriptionState.state).toBe('active');
      expect(notifier.get(ids[1]!)).toBeDefined();
    } else {
      await waitFor(() => handle.state === 'terminated', 'the subscriber ended');
      expect(ids).toHaveLength(1);
    }
  });
});
