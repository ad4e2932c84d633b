/**
 * A SUBSCRIBE whose Event header does not match RFC 6665 clause 8.4 (here `xcap-diff;;;=;;`) is
 * answered 400 over real sockets and creates no subscription; the same SUBSCRIBE with a
 * well-formed Event header is accepted.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier, subscribe, XCAP_DIFF_ACCEPT, type SipEndpoint } from '../src/index.ts';
import { endpoint, xcapDiffNotifierOptions, subscribeBody } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

describe.each(['udp', 'tcp'] as const)('Event header of a SUBSCRIBE over %s', (protocol) => {
  it.each([
    ['xcap-diff;;;=;;', 400],
    ['xcap-diff;id=7', 200],
  ])('Event: %s -> %i', async (eventHeader, status) => {
    const server = await endpoint(protocol === 'udp' ? { tcp: false } : { udp: false });
    const client = await endpoint(protocol === 'udp' ? { tcp: false } : { udp: false });
    open.push(server, client);
    const subscribed: string[] = [];
    createNotifier<{ uris: string[] }>({
      ...xcapDiffNotifierOptions(server),
      events: { subscribed: (s) => subscribed.push(s.id) },
    });
    const handle = subscribe({
      endpoint: client,
      uri: `sip:cms-psi@127.0.0.1:${server.address(protocol).port}${protocol === 'tcp' ? ';transport=tcp' : ''}`,
      from: '<sip:alice@example.net>',
      event: eventHeader,
      accept: XCAP_DIFF_ACCEPT,
      body: () => subscribeBody('good-token'),
      expires: 600,
      onNotify: () => undefined,
    });
    const answer = await handle.ready;
    expect(answer.status).toBe(status);
    expect(subscribed.length).toBe(status === 200 ? 1 : 0);
    if (status !== 200) expect(answer.reason).toBe('Malformed Event header');
    if (status === 200) await handle.unsubscribe();
  });
});
