/**
 * Notifier side of SIP-specific event notification (RFC 6665 clause 4.2) for one event
 * package, with the xcap-diff rules of RFC 5875 in mind:
 *
 * - initial SUBSCRIBE: Expires checks (423/400), Accept check (406), the application's
 *   `authorize` (e.g. token in mcptt-info, TS 24.484 clause 6.3.13.2.2), 200 with Expires,
 *   then a full-state NOTIFY (RFC 6665 clause 4.2.1.1, 4.2.2; RFC 5875 clause 4.4);
 * - refresh: 200 with Expires and a full-state NOTIFY (RFC 6665 clause 4.2.1.2);
 * - un-subscribe (Expires: 0) and expiry: final NOTIFY `terminated;reason=timeout`
 *   (RFC 6665 clause 4.2.1.4, 4.2.2);
 * - one NOTIFY at a time per dialog (RFC 5875 clause 4.7, RFC 6665 clause 4.2.2): later
 *   bodies queue; a body factory is called only when the dialog is free, so several changes
 *   collapse into one aggregated NOTIFY;
 * - a NOTIFY answered 481, timed out (Timer F), failed at the transport (RFC 3261 clause
 *   8.1.3.1) or answered non-2xx without Retry-After removes the subscription at once, from the
 *   store too (RFC 6665 clause 4.2.2); with Retry-After it is retried after that delay;
 * - a NOTIFY too large for one datagram whose TCP connection failed (RFC 3261 clause 18.1.1)
 *   ends the subscription with a bodiless `terminated;reason=deactivated` NOTIFY over UDP, so
 *   that the subscriber re-subscribes at once (RFC 6665 clause 4.1.3);
 * - the granted expiry is capped at `maxExpires` (default one hour), so a subscriber that died
 *   silently is dropped by then even if nothing was notified.
 */
import type { SipEndpoint, IncomingRequest } from '../endpoint.ts';
import type { SipRequest, SipResponse } from '../message/message.ts';
import { formatNameAddr, parseNameAddr, type NameAddr } from '../message/name-addr.ts';
import { renderedSize, type RenderedRequest } from '../message/rendered.ts';
import { acceptRemoteSeq, createUasDialog, dialogId, DialogError, inDialogRouting, remoteTargetOf, type DialogState } from '../dialog.ts';
import { newTag } from '../ids.ts';
import { parseBodyParts, MultipartError, type BodyPart } from '../multipart.ts';
import type { TimerHandle } from '../scheduler.ts';
import type { Target, TransportProtocol } from '../transport/transport.ts';
import { sendBySize } from '../transport/message-size.ts';
import { acceptAllows, eventHeaderIssue, formatEvent, parseEvent } from './event-header.ts';
import { MAX_EXPIRES, parseExpires, secondsLeft, type ExpiresError } from './expires.ts';
import type { SubscriptionRecord, SubscriptionStore } from './subscription-store.ts';
import type { Logger } from '../logger.ts';
import type { SipRefusal } from '../refusal.ts';

/** What the application sees of a SUBSCRIBE (initial or refresh). */
export interface SubscribeRequest<S = unknown> {
  message: SipRequest;
  source: Target;
  event: string;
  eventParams: Map<string, string>;
  /** Granted expiry in seconds (after the maxExpires cap). */
  expires: number;
  /** Body parts (a multipart/mixed body split up; a single body as one part). */
  parts: BodyPart[];
  from: NameAddr;
  to: NameAddr;
  /** The subscription being refreshed (refresh SUBSCRIBE with a body). */
  existing?: ActiveSubscription<S>;
}

/** The application's decision on a SUBSCRIBE: the subscription, or the refusal to answer with. */
export type AuthorizeResult<S> = { ok: true; subscriber: string; state: S } | { ok: false; refusal: SipRefusal };

/** A NOTIFY body or a function producing it when the dialog is free. */
export type NotifyBody = string | (() => string | Promise<string>);

export type TerminationReason = 'timeout' | 'deactivated' | 'noresource' | 'rejected' | 'probation' | 'giveup' | 'invariant';

export interface ActiveSubscription<S = unknown> {
  readonly id: string;
  readonly event: string;
  readonly eventParams: Readonly<Record<string, string>>;
  readonly subscriber: string;
  readonly state: S;
  readonly dialog: Readonly<DialogState>;
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number;
  readonly status: 'active' | 'terminating';
}

export interface NotifierEvents<S> {
  subscribed?(sub: ActiveSubscription<S>): void;
  refreshed?(sub: ActiveSubscription<S>): void;
  /** Every answered or failed NOTIFY. */
  notified?(sub: ActiveSubscription<S>, response: SipResponse): void;
  /** `reason`: the Subscription-State reason sent, or `notify-failed:<status>` when the peer was lost. */
  terminated?(sub: ActiveSubscription<S>, reason: string): void;
}

export interface NotifierOptions<S> {
  endpoint: SipEndpoint;
  /** Event package, e.g. `xcap-diff`. */
  event: string;
  /** NOTIFY body type, e.g. `application/xcap-diff+xml`. */
  contentType: string;
  authorize(request: SubscribeRequest<S>): AuthorizeResult<S> | Promise<AuthorizeResult<S>>;
  /** Full state, sent in the initial NOTIFY, after refreshes and in the final NOTIFY. */
  initialBody(sub: ActiveSubscription<S>): string | Promise<string>;
  /** Used when SUBSCRIBE has no Expires (default 3600). */
  defaultExpires?: number;
  /**
   * Granted expiry cap in seconds (default {@link DEFAULT_MAX_EXPIRES}, at most 4294967295): the
   * 200 to a SUBSCRIBE carries the granted, possibly shorter, Expires (RFC 6665 clause 4.2.1.1).
   */
  maxExpires?: number;
  /** Shorter non-zero requests get 423 (default 1). */
  minExpires?: number;
  store?: SubscriptionStore<S>;
  /** Save the dialog (local CSeq) after this many NOTIFYs; restore skips twice as many CSeq numbers (default 100). */
  cseqSaveInterval?: number;
  /** Upper bound of queued string bodies per dialog; the oldest are dropped beyond it (default 1000). */
  maxQueuedBodies?: number;
  events?: NotifierEvents<S>;
  logger?: Logger;
}

interface Subscription<S> extends ActiveSubscription<S> {
  id: string;
  eventParams: Record<string, string>;
  subscriber: string;
  state: S;
  dialog: DialogState;
  expiresAt: number;
  status: 'active' | 'terminating';
  queue: NotifyBody[];
  inFlight: boolean;
  final: { reason: TerminationReason; body: NotifyBody | undefined; sent: boolean } | undefined;
  savedSeq: number;
  expiryTimer: TimerHandle | undefined;
  retryTimer: TimerHandle | undefined;
  unroute: () => void;
  waiters: Array<() => void>;
  removed: boolean;
  /** The NOTIFY lines fixed for the dialog, rendered for its current remote target. */
  head: NotifyHead | undefined;
}

interface NotifyHead {
  remoteTarget: string;
  requestLine: string;
  /** From, To, Call-ID lines. */
  beforeCSeq: string;
  /** Max-Forwards, Contact, Route, Event lines. */
  afterCSeq: string;
  target: Target;
  /** UTF-8 bytes of requestLine, beforeCSeq and afterCSeq. */
  bytes: number;
}

export interface Notifier<S = unknown> {
  /**
   * Queues a NOTIFY. Strings are sent in order, one NOTIFY each. A function replaces a
   * function still waiting at the end of the queue (the latest factory wins) and is called
   * once the previous NOTIFY was answered: build the aggregated xcap-diff there.
   * Returns false when the subscription is unknown or terminating.
   */
  notify(id: string, body: NotifyBody): boolean;
  /** Sends the final NOTIFY (`terminated;reason=...`) after the one in flight; resolves when done. */
  terminate(id: string, reason?: TerminationReason, body?: NotifyBody): Promise<void>;
  get(id: string): ActiveSubscription<S> | undefined;
  subscriptions(): IterableIterator<ActiveSubscription<S>>;
  readonly size: number;
  /** Re-creates the subscriptions of the store (after a restart); returns how many. */
  restore(): Promise<number>;
  /**
   * Forgets a subscription here without a NOTIFY and without touching the store: another notifier
   * instance owns it now (replicas, issue #17). False when it was unknown.
   */
  release(id: string): boolean;
  /** Stops timers and routing; subscriptions stay in the store; no NOTIFY is sent. */
  close(): void;
}

const DEFAULT_EXPIRES = 3600;

/**
 * The longest subscription granted unless configured otherwise: one hour (our choice; RFC 6665
 * clause 4.2.1.1 lets the notifier shorten the requested duration). A subscriber that died
 * without un-subscribing is forgotten at the latest then, even when no NOTIFY fails before.
 */
export const DEFAULT_MAX_EXPIRES = 3600;

export function createNotifier<S = unknown>(options: NotifierOptions<S>): Notifier<S> {
  const { endpoint, contentType } = options;
  const event = options.event.toLowerCase();
  const log = options.logger ?? endpoint.logger;
  const maxExpires = Math.min(options.maxExpires ?? DEFAULT_MAX_EXPIRES, MAX_EXPIRES);
  const minExpires = options.minExpires ?? 1;
  const defaultExpires = Math.min(options.defaultExpires ?? DEFAULT_EXPIRES, maxExpires);
  const cseqSaveInterval = options.cseqSaveInterval ?? 100;
  const maxQueued = options.maxQueuedBodies ?? 1000;
  const events = options.events ?? {};
  const subs = new Map<string, Subscription<S>>();
  const contentTypeLine = `Content-Type: ${contentType}\r\n`;
  const contentTypeBytes = Buffer.byteLength(contentTypeLine);
  let closed = false;

  function record(sub: Subscription<S>): SubscriptionRecord<S> {
    return {
      id: sub.id,
      event,
      eventParams: { ...sub.eventParams },
      subscriber: sub.subscriber,
      state: sub.state,
      dialog: { ...sub.dialog, routeSet: [...sub.dialog.routeSet] },
      expiresAt: sub.expiresAt,
    };
  }

  async function save(sub: Subscription<S>): Promise<void> {
    if (!options.store) return;
    sub.savedSeq = sub.dialog.localSeq;
    try {
      await options.store.save(record(sub));
    } catch (err) {
      log.error({ err, id: sub.id }, 'sip notifier: saving subscription failed');
    }
  }

  function scheduleExpiry(sub: Subscription<S>): void {
    sub.expiryTimer?.cancel();
    sub.expiryTimer = endpoint.scheduler.schedule(sub.expiresAt - Date.now(), () => {
      sub.expiryTimer = undefined;
      // RFC 6665 clause 4.2.2: on expiry, NOTIFY terminated;reason=timeout.
      startTermination(sub, 'timeout', () => options.initialBody(sub));
    });
  }

  function register(sub: Subscription<S>): void {
    subs.set(sub.id, sub);
    sub.unroute = endpoint.addDialogRoute(sub.dialog.callId, sub.dialog.localTag, sub.dialog.remoteTag, (req) => inDialog(sub, req));
    scheduleExpiry(sub);
  }

  function newSubscription(init: Omit<Subscription<S>, 'queue' | 'inFlight' | 'final' | 'savedSeq' | 'expiryTimer' | 'retryTimer' | 'unroute' | 'waiters' | 'removed' | 'status' | 'head'>): Subscription<S> {
    return {
      ...init,
      status: 'active',
      queue: [],
      inFlight: false,
      final: undefined,
      savedSeq: init.dialog.localSeq,
      expiryTimer: undefined,
      retryTimer: undefined,
      unroute: () => undefined,
      waiters: [],
      removed: false,
      head: undefined,
    };
  }

  /** Stops routing, timers and the queue of a subscription and forgets it here; false when it was gone already. */
  function detach(sub: Subscription<S>): boolean {
    if (sub.removed) return false;
    sub.removed = true;
    sub.status = 'terminating';
    sub.unroute();
    sub.expiryTimer?.cancel();
    sub.retryTimer?.cancel();
    sub.queue.length = 0;
    subs.delete(sub.id);
    return true;
  }

  function remove(sub: Subscription<S>, reason: string): void {
    if (!detach(sub)) return;
    options.store?.remove(sub.id).catch((err: unknown) => log.error({ err, id: sub.id }, 'sip notifier: removing subscription failed'));
    for (const w of sub.waiters.splice(0)) w();
    events.terminated?.(sub, reason);
  }

  function startTermination(sub: Subscription<S>, reason: TerminationReason, body: NotifyBody | undefined): Promise<void> {
    if (sub.removed) return Promise.resolve();
    const done = new Promise<void>((resolve) => sub.waiters.push(resolve));
    if (sub.status === 'active') {
      sub.status = 'terminating';
      sub.queue.length = 0;
      sub.expiryTimer?.cancel();
      sub.final = { reason, body, sent: false };
      pump(sub);
    }
    return done;
  }

  function pump(sub: Subscription<S>): void {
    if (sub.inFlight || sub.retryTimer || sub.removed || closed) return;
    let item: NotifyBody | undefined;
    let terminated: TerminationReason | undefined;
    if (sub.queue.length) item = sub.queue.shift();
    else if (sub.final && !sub.final.sent) {
      sub.final.sent = true;
      terminated = sub.final.reason;
      item = sub.final.body;
    } else return;
    sub.inFlight = true;
    void deliver(sub, item, terminated);
  }

  const renderedSender = {
    send: (request: RenderedRequest, target: Target) => endpoint.sendRendered(request, target),
    transport: (protocol: TransportProtocol) => endpoint.transport(protocol),
  };
  /** The last NOTIFY body and its bytes: a fan-out sends one body to many dialogs in a row. */
  let lastBody = '';
  let lastBodyBytes = Buffer.alloc(0);
  function bodyBytes(body: string): Buffer {
    if (body !== lastBody) {
      lastBody = body;
      lastBodyBytes = Buffer.from(body, 'utf8');
    }
    return lastBodyBytes;
  }

  /**
   * The NOTIFY of RFC 6665 clause 4.2.2 within the subscription's dialog (RFC 3261 clause 12.2.1.1):
   * the dialog's fixed lines (Request-URI, From, To, Call-ID, Max-Forwards, Contact, Route, Event) are
   * rendered once per remote target, only CSeq, Subscription-State and the body change per NOTIFY.
   */
  function renderNotify(sub: Subscription<S>, subscriptionState: string, body: string): { request: RenderedRequest; target: Target } {
    let head = sub.head;
    if (head === undefined || head.remoteTarget !== sub.dialog.remoteTarget) {
      const d = sub.dialog;
      const { uri, routes, target } = inDialogRouting(d);
      const from = formatNameAddr({ uri: d.localUri, params: new Map([['tag', d.localTag]]) });
      const to = formatNameAddr({ uri: d.remoteUri, params: new Map([['tag', d.remoteTag]]) });
      const route = routes.length ? `Route: ${routes.map((r) => `<${r}>`).join(', ')}\r\n` : '';
      const ev = formatEvent(event, sub.eventParams.id !== undefined ? { id: sub.eventParams.id } : {});
      head = sub.head = {
        remoteTarget: d.remoteTarget,
        requestLine: `NOTIFY ${uri} SIP/2.0`,
        beforeCSeq: `From: ${from}\r\nTo: ${to}\r\nCall-ID: ${d.callId}\r\n`,
        afterCSeq: `Max-Forwards: 70\r\nContact: ${endpoint.contact(d.transport)}\r\n${route}Event: ${ev}\r\n`,
        target,
        bytes: 0,
      };
      head.bytes = Buffer.byteLength(head.requestLine) + Buffer.byteLength(head.beforeCSeq) + Buffer.byteLength(head.afterCSeq);
    }
    sub.dialog.localSeq += 1;
    // The CSeq and Subscription-State lines are ASCII: their bytes are their length.
    const cseq = `CSeq: ${sub.dialog.localSeq} NOTIFY\r\n`;
    const state = `Subscription-State: ${subscriptionState}\r\n`;
    const headerLines = `${head.beforeCSeq}${cseq}${head.afterCSeq}${state}${body ? contentTypeLine : ''}`;
    const headBytes = head.bytes + cseq.length + state.length + (body ? contentTypeBytes : 0);
    return { request: { method: 'NOTIFY', requestLine: head.requestLine, headerLines, body: bodyBytes(body), headBytes }, target: head.target };
  }

  async function deliver(sub: Subscription<S>, item: NotifyBody | undefined, terminated: TerminationReason | undefined): Promise<void> {
    let body: string;
    try {
      body = item === undefined ? '' : typeof item === 'string' ? item : await item();
    } catch (err) {
      log.error({ err, id: sub.id }, 'sip notifier: NOTIFY body factory failed; NOTIFY skipped');
      sub.inFlight = false;
      if (terminated) remove(sub, terminated);
      else pump(sub);
      return;
    }
    if (sub.removed || closed) return;
    const state = terminated ? `terminated;reason=${terminated}` : `active;expires=${secondsLeft(sub.expiresAt)}`;
    // RFC 3261 clause 18.1.1: a NOTIFY too large for UDP goes over TCP (transport/message-size.ts).
    const bySize = (subscriptionState: string, notifyBody: string) =>
      sendBySize(renderedSender, () => renderNotify(sub, subscriptionState, notifyBody), renderedSize);
    const { response, tooLargeForUdp } = await bySize(state, body);
    if (tooLargeForUdp && !closed && !sub.removed) {
      // RFC 3261 clause 18.1.1: no transport reaches the subscriber with this body. RFC 6665
      // clause 4.2.2 / 4.1.3: end the subscription with a bodiless NOTIFY that fits a datagram,
      // `deactivated` so that the subscriber re-subscribes at once (and gets a full state).
      const reason = terminated ?? 'deactivated';
      log.info({ id: sub.id, bytes: Buffer.byteLength(body) }, 'sip notifier: NOTIFY too large for UDP and TCP failed; subscription deactivated');
      events.notified?.(sub, response);
      const final = await bySize(`terminated;reason=${reason}`, '');
      sub.inFlight = false;
      if (closed) return;
      events.notified?.(sub, final.response);
      return remove(sub, reason);
    }
    sub.inFlight = false;
    if (closed) return;
    events.notified?.(sub, response);
    if (response.status >= 200 && response.status < 300) {
      if (terminated) return remove(sub, terminated);
      if (options.store && sub.dialog.localSeq - sub.savedSeq >= cseqSaveInterval) void save(sub);
      return pump(sub);
    }
    const retryAfter = response.headers.get('retry-after');
    const retrySeconds = retryAfter !== undefined ? Number.parseInt(retryAfter, 10) : NaN;
    if (response.status !== 481 && !response.local && Number.isFinite(retrySeconds) && retrySeconds >= 0) {
      // RFC 6665 clause 4.2.2: with Retry-After the subscription survives; resend later.
      if (terminated) sub.final = { reason: terminated, body: item, sent: false };
      else sub.queue.unshift(item ?? '');
      sub.retryTimer = endpoint.scheduler.schedule(retrySeconds * 1000, () => {
        sub.retryTimer = undefined;
        pump(sub);
      });
      return;
    }
    // RFC 6665 clause 4.2.2: 481, timeout, or non-2xx without Retry-After ends it.
    log.info({ id: sub.id, status: response.status }, 'sip notifier: NOTIFY failed; subscription removed');
    remove(sub, terminated ?? `notify-failed:${response.status}`);
  }

  function readExpires(req: IncomingRequest): number | undefined {
    let requested: number | undefined;
    try {
      requested = parseExpires(req.message.headers.get('expires'));
    } catch (err) {
      req.respond(400, (err as ExpiresError).message);
      return undefined;
    }
    const expires = Math.min(requested ?? defaultExpires, maxExpires);
    if (expires !== 0 && expires < minExpires) {
      // RFC 6665 clause 4.2.1.1: too short => 423 with Min-Expires.
      req.respond(423, 'Interval Too Brief', { headers: { 'Min-Expires': String(minExpires) } });
      return undefined;
    }
    return expires;
  }

  function readParts(req: IncomingRequest): BodyPart[] | undefined {
    try {
      return parseBodyParts(req.message.headers.get('content-type'), req.message.body);
    } catch (err) {
      req.respond(400, err instanceof MultipartError ? `Malformed multipart body: ${err.message}` : 'Malformed body');
      return undefined;
    }
  }

  async function initialSubscribe(req: IncomingRequest): Promise<void> {
    const m = req.message;
    // RFC 6665 clause 8.4 grammar; RFC 3261 clause 21.4.1: malformed syntax => 400.
    if (eventHeaderIssue(m.headers.get('event') ?? '') !== null) return req.respond(400, 'Malformed Event header');
    const ev = parseEvent(m.headers.get('event')!);
    const expires = readExpires(req);
    if (expires === undefined) return;
    // RFC 6665 clause 4.2.1.1 / RFC 3261 clause 21.4.7: we cannot produce an accepted type.
    if (m.headers.has('accept') && !acceptAllows(m.headers.getAll('accept'), contentType)) {
      return req.respond(406, 'Not Acceptable', { headers: { Accept: contentType } });
    }
    if (!m.headers.has('contact')) return req.respond(400, 'Missing Contact header');
    const parts = readParts(req);
    if (!parts) return;
    let from: NameAddr;
    let to: NameAddr;
    try {
      from = parseNameAddr(m.headers.get('from')!);
      to = parseNameAddr(m.headers.get('to')!);
      remoteTargetOf(m);
    } catch {
      return req.respond(400, 'Malformed Contact header');
    }
    if (!from.params.get('tag')) return req.respond(400, 'Missing From tag');
    const decision = await options.authorize({ message: m, source: req.source, event, eventParams: ev.params, expires, parts, from, to });
    if (!decision.ok) return decision.refusal.respond(req);
    if (closed) return req.respond(503, 'Service Unavailable');
    const localTag = newTag();
    let dialog: DialogState;
    try {
      dialog = createUasDialog(m, localTag, req.transport.protocol, Math.floor(Math.random() * 10_000) + 1);
    } catch (err) {
      return req.respond(400, err instanceof DialogError ? err.message : 'Malformed request');
    }
    const sub = newSubscription({
      id: dialogId(dialog.callId, dialog.localTag, dialog.remoteTag),
      event,
      eventParams: Object.fromEntries(ev.params),
      subscriber: decision.subscriber,
      state: decision.state,
      dialog,
      expiresAt: Date.now() + expires * 1000,
    });
    const headers = { Expires: String(expires), Contact: endpoint.contact(req.transport.protocol) };
    if (expires === 0) {
      // RFC 6665 clause 4.4.3: a fetch: one NOTIFY with the state, then terminated.
      req.respond(200, 'OK', { toTag: localTag, headers });
      sub.status = 'terminating';
      sub.final = { reason: 'timeout', body: () => options.initialBody(sub), sent: false };
      sub.unroute = endpoint.addDialogRoute(dialog.callId, localTag, dialog.remoteTag, (r) => inDialog(sub, r));
      subs.set(sub.id, sub);
      pump(sub);
      return;
    }
    register(sub);
    await save(sub);
    req.respond(200, 'OK', { toTag: localTag, headers });
    events.subscribed?.(sub);
    sub.queue.push(() => options.initialBody(sub));
    pump(sub);
  }

  async function inDialog(sub: Subscription<S>, req: IncomingRequest): Promise<void> {
    const m = req.message;
    if (m.method !== 'SUBSCRIBE') return req.respond(405, 'Method Not Allowed', { headers: { Allow: ['SUBSCRIBE'] } });
    if (!acceptRemoteSeq(sub.dialog, m)) return req.respond(500, 'CSeq Out of Order'); // RFC 3261 clause 12.2.2
    const ev = parseEvent(m.headers.get('event') ?? '');
    if (ev.name !== event) return req.respond(489, 'Bad Event', { headers: { 'Allow-Events': [event] } });
    if (sub.status !== 'active') return req.respond(481, 'Subscription Does Not Exist');
    const expires = readExpires(req);
    if (expires === undefined) return;
    const headers = { Contact: endpoint.contact(sub.dialog.transport) };
    if (expires === 0) {
      // RFC 6665 clause 4.2.1.4: un-subscribe; final NOTIFY with the current state.
      req.respond(200, 'OK', { headers: { ...headers, Expires: '0' } });
      await startTermination(sub, 'timeout', () => options.initialBody(sub));
      return;
    }
    if (m.body) {
      const parts = readParts(req);
      if (!parts) return;
      const decision = await options.authorize({
        message: m, source: req.source, event, eventParams: ev.params, expires, parts,
        from: parseNameAddr(m.headers.get('from')!), to: parseNameAddr(m.headers.get('to')!), existing: sub,
      });
      if (!decision.ok) {
        decision.refusal.respond(req);
        await startTermination(sub, 'rejected', undefined);
        return;
      }
      sub.subscriber = decision.subscriber;
      sub.state = decision.state;
    }
    // RFC 3261 clause 12.2.2: a target refresh updates the remote target.
    if (m.headers.has('contact')) {
      try {
        sub.dialog.remoteTarget = remoteTargetOf(m);
      } catch {
        return req.respond(400, 'Malformed Contact header');
      }
    }
    sub.expiresAt = Date.now() + expires * 1000;
    scheduleExpiry(sub);
    await save(sub);
    req.respond(200, 'OK', { headers: { ...headers, Expires: String(expires) } });
    events.refreshed?.(sub);
    // RFC 6665 clause 4.2.1.2: after a refresh, NOTIFY the current state.
    enqueue(sub, () => options.initialBody(sub));
  }

  function enqueue(sub: Subscription<S>, body: NotifyBody): void {
    const last = sub.queue[sub.queue.length - 1];
    if (typeof body === 'function' && typeof last === 'function') sub.queue[sub.queue.length - 1] = body;
    else {
      sub.queue.push(body);
      if (sub.queue.length > maxQueued) {
        sub.queue.shift();
        log.warn({ id: sub.id }, 'sip notifier: NOTIFY queue full; oldest body dropped');
      }
    }
    pump(sub);
  }

  const unregister = endpoint.onSubscribe(event, initialSubscribe);

  return {
    notify(id, body) {
      const sub = subs.get(id);
      if (!sub || sub.status !== 'active') return false;
      enqueue(sub, body);
      return true;
    },
    terminate(id, reason = 'deactivated', body) {
      const sub = subs.get(id);
      return sub ? startTermination(sub, reason, body) : Promise.resolve();
    },
    get(id) {
      return subs.get(id);
    },
    subscriptions() {
      return subs.values();
    },
    get size() {
      return subs.size;
    },
    release(id) {
      const sub = subs.get(id);
      if (!sub || !detach(sub)) return false;
      for (const w of sub.waiters.splice(0)) w();
      events.terminated?.(sub, 'released');
      return true;
    },
    async restore() {
      if (!options.store) return 0;
      let n = 0;
      for (const rec of await options.store.loadAll()) {
        if (subs.has(rec.id)) continue;
        if (rec.expiresAt <= Date.now()) {
          await options.store.remove(rec.id);
          continue;
        }
        // NOTIFYs sent after the last save are unknown: skip CSeq numbers (RFC 3261 clause 12.2.1.1: must increase).
        rec.dialog.localSeq += 2 * cseqSaveInterval;
        const sub = newSubscription({ ...rec, event, dialog: rec.dialog });
        register(sub);
        await save(sub);
        n++;
      }
      return n;
    },
    close() {
      closed = true;
      unregister();
      for (const sub of subs.values()) {
        sub.unroute();
        sub.expiryTimer?.cancel();
        sub.retryTimer?.cancel();
        for (const w of sub.waiters.splice(0)) w();
      }
      subs.clear();
    },
  };
}
