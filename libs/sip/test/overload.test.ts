/**
 * Overload control on real sockets (RFC 3261 clause 21.5.4, 20.33): a saturated endpoint answers
 * new out-of-dialog requests 503 + Retry-After instead of letting them time out, keeps serving
 * requests within dialogs, and a subscriber refused that way subscribes again after Retry-After.
 */
import { afterEach, expect, it } from 'vitest';
import { createNotifier, overloadRetryDelay, subscribe, SipHeaders, type SipEndpoint, type SipResponse } from '../src/index.ts';
import { endpoint, subscribeBody, waitFor, xcapDiffNotifierOptions } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

/** A loop-lag source the test sets by hand. */
function fakeLag(initial = 0) {
  return { lagMs: initial, start: () => undefined, stop: () => undefined };
}

for (const protocol of ['udp', 'tcp'] as const) {
  it(`refuses new requests with 503 + Retry-After while too many are unanswered, over ${protocol}`, async () => {
    const server = await endpoint({ overload: { maxPendingRequests: 2, retryAfter: 3, loopLag: fakeLag() } });
    const client = await endpoint();
    open.push(server, client);
    const held: Array<() => void> = [];
    server.onRequest('MESSAGE', (req) => {
      held.push(() => req.respond(200, 'OK'));
    });
    const target = server.address(protocol);
    const send = () => client.request({ method: 'MESSAGE', uri: 'sip:gms@example.net', from: '<sip:alice@example.net>', target });
    const first = send();
    const second = send();
    await waitFor(() => held.length === 2, 'two requests held');
    const third = await send();
    expect([third.status, third.reason, third.headers.get('retry-after'), third.local]).toEqual([503, 'Service Unavailable', '3', undefined]);
    expect(server.stats()).toMatchObject({ pendingRequests: 2, refusedForOverload: 1 });
    for (const answer of held.splice(0)) answer();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    // The backlog is gone: the next request is served.
    const fourth = send();
    await waitFor(() => held.length === 1, 'the next request held');
    held[0]!();
    expect((await fourth).status).toBe(200);
    expect(server.stats()).toMatchObject({ pendingRequests: 0, refusedForOverload: 1 });
  });
}

it('refuses new subscriptions while the event loop lags, and still serves refreshes of existing ones', async () => {
  const lag = fakeLag();
  const server = await endpoint({ tcp: false, overload: { maxLoopLagMs: 100, retryAfter: 5, loopLag: lag } });
  const ue = await endpoint({ tcp: false });
  open.push(server, ue);
  createNotifier<{ uris: string[] }>(xcapDiffNotifierOptions(server));
  const options = {
    endpoint: ue, uri: 'sip:cms@example.net', target: server.address('udp'), from: '<sip:alice@example.net>',
    event: 'xcap-diff', body: () => subscribeBody('good-token'), maxOverloadRetries: 0, onNotify: () => undefined,
  };
  const existing = subscribe(options);
  expect((await existing.ready).status).toBe(200);
  lag.lagMs = 500;
  const refused = subscribe(options);
  const res = await refused.ready;
  expect([res.status, res.headers.get('retry-after')]).toEqual([503, '5']);
  expect(refused.state).toBe('terminated');
  // A refresh is within the dialog: served although the loop lags.
  expect((await existing.refresh()).status).toBe(200);
  expect(server.stats().refusedForOverload).toBe(1);
});

it('a subscriber answered 503 + Retry-After subscribes again and gets its initial NOTIFY', async () => {
  let refuse = 2;
  const lag = {
    get lagMs() {
      return refuse-- > 0 ? 1_000 : 0;
    },
    start: () => undefined,
    stop: () => undefined,
  };
  const server = await endpoint({ tcp: false, overload: { maxLoopLagMs: 100, retryAfter: 0, loopLag: lag } });
  const ue = await endpoint({ tcp: false });
  open.push(server, ue);
  const notifier = createNotifier<{ uris: string[] }>(xcapDiffNotifierOptions(server));
  const notifies: string[] = [];
  const handle = subscribe({
    endpoint: ue, uri: 'sip:cms@example.net', target: server.address('udp'), from: '<sip:alice@example.net>',
    event: 'xcap-diff', body: () => subscribeBody('good-token'), onNotify: (n) => void notifies.push(n.body),
  });
  // `ready` settles with the answer to the SUBSCRIBE that got through.
  expect((await handle.ready).status).toBe(200);
  await waitFor(() => notifies.length === 1, 'the initial NOTIFY');
  expect(server.stats().refusedForOverload).toBe(2);
  expect(notifier.size).toBe(1);
  expect(handle.state).toBe('active');
});

it('un-subscribing while waiting to retry after a 503 ends the subscription', async () => {
  const server = await endpoint({ tcp: false, overload: { maxLoopLagMs: 100, retryAfter: 1, loopLag: fakeLag(1_000) } });
  const ue = await endpoint({ tcp: false });
  open.push(server, ue);
  createNotifier<{ uris: string[] }>(xcapDiffNotifierOptions(server));
  const handle = subscribe({
    endpoint: ue, uri: 'sip:cms@example.net', target: server.address('udp'), from: '<sip:alice@example.net>',
    event: 'xcap-diff', body: () => subscribeBody('good-token'), onNotify: () => undefined,
  });
  await waitFor(() => server.stats().refusedForOverload === 1, 'the 503');
  await waitFor(() => ue.stats().dialogRoutes === 0, 'the 503 read');
  // Waiting for the retry (1 to 2 s after the 503).
  expect(handle.state).toBe('subscribing');
  await handle.unsubscribe();
  expect(handle.state).toBe('terminated');
  expect((await handle.ready).status).toBe(503);
  expect(ue.stats().dialogRoutes).toBe(0);
});

it('overloadRetryDelay: only a 503 from the server with Retry-After is retried, after Retry-After to twice it', () => {
  const response = (status: number, headers: Record<string, string>, local?: boolean): SipResponse => ({
    kind: 'response', status, reason: '', headers: new SipHeaders(headers), body: '', ...(local ? { local } : {}),
  });
  expect(overloadRetryDelay(response(503, { 'Retry-After': '4' }), () => 0)).toBe(4);
  expect(overloadRetryDelay(response(503, { 'Retry-After': '4 (busy)' }), () => 0.5)).toBe(6);
  // RFC 3261 clause 21.5.4: without Retry-After a 503 is treated as a 500.
  expect(overloadRetryDelay(response(503, {}))).toBeUndefined();
  expect(overloadRetryDelay(response(503, { 'Retry-After': '4' }, true))).toBeUndefined();
  expect(overloadRetryDelay(response(500, { 'Retry-After': '4' }))).toBeUndefined();
});

it('a 503 whose Retry-After goes beyond Timer F of the first SUBSCRIBE ends the subscription at once', async () => {
  // FAST_TIMERS: 64*T1 = 2.56 s < Retry-After 60.
  const server = await endpoint({ tcp: false, overload: { maxLoopLagMs: 100, retryAfter: 60, loopLag: fakeLag(1_000) } });
  const ue = await endpoint({ tcp: false });
  open.push(server, ue);
  createNotifier<{ uris: string[] }>(xcapDiffNotifierOptions(server));
  const ended: string[] = [];
  const handle = subscribe({
    endpoint: ue, uri: 'sip:cms@example.net', target: server.address('udp'), from: '<sip:alice@example.net>',
    event: 'xcap-diff', body: () => subscribeBody('good-token'), onNotify: () => undefined, onTerminated: (i) => void ended.push(i.reason),
  });
  expect((await handle.ready).status).toBe(503);
  expect(handle.state).toBe('terminated');
  expect(ended).toEqual(['rejected:503']);
});
