/**
 * Subscriber <-> notifier over real sockets on loopback (RFC 6665 clause 4, RFC 5875):
 * subscribe, initial NOTIFY, three changes -> three NOTIFYs in order, refresh, un-subscribe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNotifier, InMemorySubscriptionStore, subscribe, XCAP_DIFF_ACCEPT, XCAP_DIFF_CONTENT_TYPE, XCAP_DIFF_EVENT,
  type IncomingNotify, type SipEndpoint, type TerminationInfo, type TransportProtocol,
} from '../src/index.ts';
import { endpoint, xcapDiffNotifierOptions, subscribeBody, waitFor, xcapDiff } from './helpers.ts';

const open: SipEndpoint[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((e) => e.close()));
});

async function pair(protocol: TransportProtocol, options: { maxExpires?: number; store?: InMemorySubscriptionStore<{ uris: string[] }> } = {}) {
  const server = await endpoint(protocol === 'udp' ? { tcp: false } : { udp: false });
  const client = await endpoint(protocol === 'udp' ? { tcp: false } : { udp: false });
  open.push(server, client);
  const subscribed: string[] = [];
  const terminated: string[] = [];
  const notifier = createNotifier<{ uris: string[] }>({
    ...xcapDiffNotifierOptions(server),
    events: { subscribed: (s) => subscribed.push(s.id), terminated: (_s, reason) => terminated.push(reason) },
    ...options,
  });
  return { server, client, notifier, subscribed, terminated };
}

describe.each(['udp', 'tcp'] as const)('subscriber and notifier over %s', (protocol) => {
  it('subscribes, gets the initial NOTIFY, three changes in order, refreshes and un-subscribes', async () => {
    const { server, client, notifier, subscribed, terminated } = await pair(protocol);
    const notifies: IncomingNotify[] = [];
    const ended: TerminationInfo[] = [];
    const handle = subscribe({
      endpoint: client,
      uri: `sip:cms-psi@127.0.0.1:${server.address(protocol).port}${protocol === 'tcp' ? ';transport=tcp' : ''}`,
      from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT,
      accept: XCAP_DIFF_ACCEPT,
      body: () => subscribeBody('good-token'),
      expires: 600,
      headers: { 'P-Preferred-Service': 'urn:urn-7:3gpp-service.ims.icsi.mcptt' },
      onNotify: (n) => {
        notifies.push(n);
      },
      onTerminated: (info) => ended.push(info),
    });
    const ok = await handle.ready;
    expect(ok.status).toBe(200);
    expect(ok.headers.get('expires')).toBe('600');
    await waitFor(() => notifies.length >= 1, 'initial NOTIFY');
    expect(notifies[0]!.contentType).toBe(XCAP_DIFF_CONTENT_TYPE);
    expect(notifies[0]!.subscriptionState.state).toBe('active');
    expect(notifies[0]!.subscriptionState.expires).toBeLessThanOrEqual(600);
    expect(notifies[0]!.body).toContain('sel="org.3gpp.mcptt.service-config/global/service-config.xml" new-etag="v0"');
    expect(handle.state).toBe('active');
    expect(subscribed).toHaveLength(1);
    const id = subscribed[0]!;
    expect(handle.dialogId).toBe(notifies[0]!.dialogId);
    const sub = notifier.get(id)!;
    expect(sub.subscriber).toBe('sip:alice@example.net');

    // Three changes, issued back to back: one NOTIFY each, in order, never two in flight.
    for (const v of [1, 2, 3]) expect(notifier.notify(id, xcapDiff(v, sub.state.uris))).toBe(true);
    await waitFor(() => notifies.length >= 4, 'three change NOTIFYs');
    expect(notifies.slice(1).map((n) => /new-etag="(v\d)"/.exec(n.body)?.[1])).toEqual(['v1', 'v2', 'v3']);
    const cseqs = notifies.map((n) => Number(n.message.headers.get('cseq')!.split(' ')[0]));
    expect(cseqs).toEqual([...cseqs].sort((a, b) => a - b));

    // Refresh: 200 with Expires, then a full-state NOTIFY (RFC 6665 clause 4.2.1.2).
    const refreshed = await handle.refresh(300);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.get('expires')).toBe('300');
    await waitFor(() => notifies.length >= 5, 'NOTIFY after refresh');
    expect(notifies[4]!.body).toContain('new-etag="v0"');
    expect(notifier.get(id)!.expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);

    // Un-subscribe: final NOTIFY terminated, both sides forget the dialog.
    await handle.unsubscribe();
    expect(notifies.at(-1)!.subscriptionState).toMatchObject({ state: 'terminated', reason: 'timeout' });
    expect(handle.state).toBe('terminated');
    expect(ended).toEqual([{ reason: 'unsubscribed', willResubscribe: false }]);
    await waitFor(() => terminated.length === 1, 'notifier termination');
    expect(notifier.size).toBe(0);
    expect(server.stats().dialogRoutes).toBe(0);
    expect(client.stats().dialogRoutes).toBe(0);
  });
});

describe('notifier answers', () => {
  it('403 when authorize refuses the token, 489 for an unknown event, 423 below Min-Expires', async () => {
    const { server, client } = await pair('udp');
    const target = server.address('udp');
    const base = { uri: `sip:cms-psi@127.0.0.1:${target.port}`, from: '<sip:alice@example.net>', target };
    const bad = await client.request({ ...base, method: 'SUBSCRIBE', headers: { Event: 'xcap-diff', Contact: client.contact() }, ...subscribeBody('stolen') });
    expect(bad.status).toBe(403);
    expect(bad.reason).toBe('Invalid Access Token');
    const missing = await client.request({ ...base, method: 'SUBSCRIBE', headers: { Event: 'xcap-diff', Contact: client.contact() } });
    expect(missing.status).toBe(403);
    const unknown = await client.request({ ...base, method: 'SUBSCRIBE', headers: { Event: 'presence', Contact: client.contact() } });
    expect(unknown.status).toBe(489);
    expect(unknown.headers.getAll('allow-events')).toEqual(['xcap-diff']);
    const wrongAccept = await client.request({ ...base, method: 'SUBSCRIBE', headers: { Event: 'xcap-diff', Accept: 'application/pidf+xml', Contact: client.contact() }, ...subscribeBody('good-token') });
    expect(wrongAccept.status).toBe(406);
    const badExpires = await client.request({ ...base, method: 'SUBSCRIBE', headers: { Event: 'xcap-diff', Expires: '4294967296', Contact: client.contact() }, ...subscribeBody('good-token') });
    expect(badExpires.status).toBe(400);
  });

  it('grants Expires 4294967295 without overflow and keeps the subscription alive', async () => {
    const { server, client, notifier } = await pair('udp', { maxExpires: 4294967295 });
    const notifies: IncomingNotify[] = [];
    const handle = subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 4294967295,
      onNotify: (n) => void notifies.push(n),
    });
    const ok = await handle.ready;
    expect(ok.headers.get('expires')).toBe('4294967295');
    await waitFor(() => notifies.length === 1, 'initial NOTIFY');
    // Seconds left as sent by the notifier: close to 2**32-1, not wrapped to a negative or small number.
    expect(notifies[0]!.subscriptionState.expires).toBeGreaterThan(4294967000);
    const sub = [...notifier.subscriptions()][0]!;
    expect(sub.expiresAt - Date.now()).toBeGreaterThan(4294967000 * 1000);
    expect(handle.expiresAt! - Date.now()).toBeGreaterThan(4294967000 * 1000);
    // Neither side expired it (the clamped timer would fire immediately on overflow).
    await new Promise((r) => setTimeout(r, 50));
    expect(handle.state).toBe('active');
    expect(notifier.size).toBe(1);
  });

  it('caps the expiry a subscriber asks for at the server maximum, 3600 s unless configured (RFC 6665 clause 4.2.1.1)', async () => {
    const { server, client } = await pair('udp');
    const base = { uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>' };
    const asked = subscribe({ endpoint: client, ...base, event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 999_999, resubscribe: false, onNotify: () => undefined });
    expect((await asked.ready).headers.get('expires')).toBe('3600');
    const configured = await pair('udp', { maxExpires: 120 });
    const capped = subscribe({ endpoint: configured.client, ...base, uri: `sip:cms-psi@127.0.0.1:${configured.server.address('udp').port}`, event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600, resubscribe: false, onNotify: () => undefined });
    expect((await capped.ready).headers.get('expires')).toBe('120');
    expect([...configured.notifier.subscriptions()][0]!.expiresAt - Date.now()).toBeLessThanOrEqual(120_000);
  });

  it.each(['udp', 'tcp'] as const)('expires and deletes the subscription of a subscriber gone before a change, on the first failed NOTIFY (%s)', async (protocol) => {
    const store = new InMemorySubscriptionStore<{ uris: string[] }>();
    const { server, client, notifier, terminated } = await pair(protocol, { store });
    const notifies: IncomingNotify[] = [];
    subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address(protocol).port}${protocol === 'tcp' ? ';transport=tcp' : ''}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600, resubscribe: false,
      onNotify: (n) => void notifies.push(n),
    });
    await waitFor(() => notifies.length === 1, 'initial NOTIFY');
    expect(store.size).toBe(1);
    // The UE dies: its endpoint is closed, nothing un-subscribes.
    await client.close();
    notifier.notify([...notifier.subscriptions()][0]!.id, xcapDiff(1, []));
    await waitFor(() => terminated.length === 1, 'termination after the failed NOTIFY');
    expect(terminated[0]).toMatch(/^notify-failed:\d{3}$/);
    expect(notifier.size).toBe(0);
    await waitFor(() => store.size === 0, 'stored subscription deleted');
  });

  it('481 for a NOTIFY outside any dialog, and the subscription ends when a NOTIFY gets 481', async () => {
    const { server, client, notifier, terminated } = await pair('udp');
    const stray = await server.request({
      method: 'NOTIFY', uri: client.uri(), from: '<sip:cms@127.0.0.1>', to: '<sip:alice@example.net>;tag=nope',
      headers: { Event: 'xcap-diff', 'Subscription-State': 'active', Contact: server.contact() },
    });
    expect(stray.status).toBe(481);
    const notifies: IncomingNotify[] = [];
    const ended: TerminationInfo[] = [];
    const handle = subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600, resubscribe: false,
      onNotify: (n) => void notifies.push(n), onTerminated: (i) => ended.push(i),
    });
    await handle.ready;
    await waitFor(() => notifies.length === 1, 'initial NOTIFY');
    // The subscriber forgets the dialog without telling the notifier (UE crash): next NOTIFY => 481.
    await client.close();
    const fresh = await endpoint({ tcp: false, udp: { port: client.address('udp').port } });
    open.push(fresh);
    notifier.notify([...notifier.subscriptions()][0]!.id, xcapDiff(1, []));
    await waitFor(() => terminated.length === 1, 'termination after 481');
    expect(terminated[0]).toBe('notify-failed:481');
    expect(notifier.size).toBe(0);
  });

  it('ends the subscription on a non-2xx NOTIFY response without Retry-After and retries with one', async () => {
    const { server, client, notifier, terminated } = await pair('udp');
    let answer: { status: number; retryAfter?: string } = { status: 200 };
    const bodies: string[] = [];
    subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600, resubscribe: false,
      onNotify: (n) => void bodies.push(n.body),
    });
    await waitFor(() => bodies.length === 1, 'initial NOTIFY');
    // Answer the next NOTIFYs ourselves: replace the dialog route's handler via a raw hook.
    const id = [...notifier.subscriptions()][0]!.id;
    const sub = notifier.get(id)!;
    const unroute = client.addDialogRoute(sub.dialog.callId, sub.dialog.remoteTag, sub.dialog.localTag, (req) => {
      bodies.push(req.message.body);
      req.respond(answer.status, undefined, answer.retryAfter ? { headers: { 'Retry-After': answer.retryAfter } } : {});
    });
    answer = { status: 503, retryAfter: '0' };
    notifier.notify(id, 'retry-me');
    await waitFor(() => bodies.filter((b) => b === 'retry-me').length >= 2, 'NOTIFY retried after Retry-After');
    expect(notifier.size).toBe(1);
    answer = { status: 500 };
    notifier.notify(id, 'fail-me');
    await waitFor(() => terminated.length === 1, 'termination after 500');
    expect(terminated[0]).toBe('notify-failed:500');
    unroute();
  });

  it('never sends a second NOTIFY before the first is answered; pending factories collapse into one (RFC 5875 clause 4.7)', async () => {
    const { server, client, notifier, subscribed } = await pair('udp');
    let inHandler = false;
    let overlaps = 0;
    let release: () => void = () => undefined;
    const bodies: string[] = [];
    subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600,
      onNotify: async (n) => {
        if (inHandler) overlaps++;
        inHandler = true;
        bodies.push(n.body);
        if (n.body === 'slow') await new Promise<void>((r) => (release = r));
        inHandler = false;
      },
    });
    await waitFor(() => bodies.length === 1, 'initial NOTIFY');
    const id = subscribed[0]!;
    notifier.notify(id, 'slow');
    await waitFor(() => bodies.length === 2, 'slow NOTIFY');
    // While "slow" is unanswered, three changes arrive; the factory runs once, when the dialog is free.
    let calls = 0;
    for (const v of [1, 2, 3]) notifier.notify(id, () => `aggregated-${v}-${++calls}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(bodies).toHaveLength(2);
    release();
    await waitFor(() => bodies.length === 3, 'aggregated NOTIFY');
    expect(bodies[2]).toBe('aggregated-3-1');
    expect(calls).toBe(1);
    expect(overlaps).toBe(0);
  });

  it('re-subscribes after the notifier deactivates the subscription (RFC 6665 clause 4.1.3)', async () => {
    const { server, client, notifier, subscribed } = await pair('udp');
    const states: string[] = [];
    const ended: TerminationInfo[] = [];
    const handle = subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: XCAP_DIFF_EVENT, body: () => subscribeBody('good-token'), expires: 600,
      onNotify: (n) => void states.push(n.subscriptionState.state), onTerminated: (i) => ended.push(i),
    });
    await handle.ready;
    await waitFor(() => states.length === 1, 'initial NOTIFY');
    const firstDialog = handle.dialogId;
    await notifier.terminate(subscribed[0]!, 'deactivated');
    expect(ended).toEqual([{ reason: 'deactivated', willResubscribe: true }]);
    await waitFor(() => subscribed.length === 2 && handle.state === 'active', 'new subscription');
    expect(handle.dialogId).not.toBe(firstDialog);
    expect(states).toEqual(['active', 'terminated', 'active']);
    await handle.unsubscribe();
  });

  it('the subscriber refreshes before expiry on its own', async () => {
    const { server, client } = await pair('udp');
    const refreshed: string[] = [];
    const n2 = createNotifier({
      endpoint: server, event: 'test-package', contentType: 'text/plain', minExpires: 1,
      authorize: () => ({ ok: true, subscriber: 'x', state: null }), initialBody: () => 'state',
      events: { refreshed: (s) => refreshed.push(s.id) },
    });
    const handle = subscribe({
      endpoint: client, uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>',
      event: 'test-package', expires: 1, onNotify: () => undefined,
    });
    await handle.ready;
    await waitFor(() => refreshed.length >= 1, 'automatic refresh');
    expect(handle.state).toBe('active');
    await handle.unsubscribe();
    n2.close();
  });

  it('expires an unrefreshed subscription with NOTIFY terminated;reason=timeout', async () => {
    const { server, client, terminated } = await pair('udp');
    const got: string[] = [];
    const unroute = client.addDialogRoute('expiry-call@test', 'abc', undefined, (req) => {
      got.push(req.message.headers.get('subscription-state')!);
      req.respond(200);
    });
    const res = await client.request({
      method: 'SUBSCRIBE', uri: `sip:cms-psi@127.0.0.1:${server.address('udp').port}`, from: '<sip:alice@example.net>;tag=abc',
      callId: 'expiry-call@test', headers: { Event: 'xcap-diff', Expires: '1', Contact: client.contact() }, ...subscribeBody('good-token'),
    });
    expect(res.status).toBe(200);
    await waitFor(() => terminated.length === 1, 'expiry');
    expect(terminated[0]).toBe('timeout');
    expect(got[0]).toMatch(/^active;expires=[01]$/);
    expect(got.at(-1)).toBe('terminated;reason=timeout');
    unroute();
  });
});
