/**
 * Subscriber side of SIP-specific event notification (RFC 6665 clause 4.1): SUBSCRIBE (with
 * e.g. the multipart body of TS 24.484 clause 6.3.13.2.2), dialog creation by the 2xx or by
 * the first NOTIFY (clause 4.1.2.4), NOTIFY handling, refresh before expiry (clause 4.1.2.2),
 * un-subscribe (clause 4.1.2.3) and re-subscription after termination (clause 4.1.3).
 */
import type { IncomingRequest, SipEndpoint } from '../endpoint.ts';
import { SipHeaders, type HeaderInit } from '../message/headers.ts';
import { createRequest, type SipRequest, type SipResponse } from '../message/message.ts';
import { formatNameAddr, parseNameAddr } from '../message/name-addr.ts';
import {
  acceptRemoteSeq, createInDialogRequest, createUasDialog, dialogId, fromTag, remoteTargetOf, toTag, type DialogState,
} from '../dialog.ts';
import { newCallId, newTag } from '../ids.ts';
import type { TimerHandle } from '../scheduler.ts';
import { targetFromUri } from '../target.ts';
import type { Target } from '../transport/transport.ts';
import { formatEvent, parseEvent } from './event-header.ts';
import { parseExpires } from './expires.ts';
import { parseSubscriptionState, type SubscriptionState } from './subscription-state.ts';

export interface IncomingNotify {
  message: SipRequest;
  body: string;
  contentType: string | undefined;
  subscriptionState: SubscriptionState;
  dialogId: string;
}

export interface TerminationInfo {
  /** Subscription-State reason of the notifier, or a local one: `unsubscribed`, `expired`, `rejected:<status>`, `refresh-481`. */
  reason: string;
  retryAfter?: number;
  willResubscribe: boolean;
}

export type SubscriberState = 'subscribing' | 'pending' | 'active' | 'terminating' | 'terminated';

export interface SubscribeOptions {
  endpoint: SipEndpoint;
  /** Request-URI, e.g. the CMS PSI `sip:cms-psi@example.net`. */
  uri: string;
  /** Next hop; default derived from `uri`. */
  target?: Target;
  /** From (the subscriber's public identity). */
  from: string;
  /** To; default the Request-URI. */
  to?: string;
  event: string;
  /** Event parameters, e.g. `{ 'diff-processing': 'aggregate' }` (RFC 5875 clause 4.3). */
  eventParams?: Record<string, string>;
  accept?: string | readonly string[];
  /** Body (or a function called for every SUBSCRIBE, e.g. to put in a fresh token). */
  body?: string | (() => { body: string; contentType: string });
  contentType?: string;
  /** Requested expiry in seconds (default 3600). */
  expires?: number;
  /** Refresh this many seconds before expiry, at most half of the interval (default 30). */
  refreshMargin?: number;
  /** Send the body with refreshes too (default true). */
  refreshWithBody?: boolean;
  /** Extra headers, e.g. P-Preferred-Service. */
  headers?: HeaderInit;
  /** User part of the Contact. */
  contactUser?: string;
  onNotify(notify: IncomingNotify): void | Promise<void>;
  onTerminated?(info: TerminationInfo): void;
  onStateChange?(state: SubscriberState): void;
  /**
   * Re-subscribe policy: seconds to wait, or false. Default (RFC 6665 clause 4.1.3):
   * immediately after deactivated/timeout/expired/refresh-481, after retry-after for
   * probation/giveup, never after rejected/noresource/invariant, an unsubscribe or a
   * failed initial SUBSCRIBE.
   */
  resubscribe?: boolean | ((info: { reason: string; retryAfter?: number }) => number | false);
  /**
   * How many times a SUBSCRIBE answered `503` with `Retry-After` (an overloaded notifier, RFC 3261
   * clause 21.5.4) is sent again, each after a delay drawn between Retry-After and twice it, as
   * long as the retry leaves within `overloadRetryWindowMs` of the first SUBSCRIBE (default 50; 0 = never).
   */
  maxOverloadRetries?: number;
  /** How long after the first SUBSCRIBE an overload retry may still leave (default 64*T1, Timer F). */
  overloadRetryWindowMs?: number;
}

export interface SubscriptionHandle {
  readonly state: SubscriberState;
  readonly dialogId: string | undefined;
  /** ms since the epoch, once known. */
  readonly expiresAt: number | undefined;
  /** Final response of the latest initial SUBSCRIBE. */
  readonly ready: Promise<SipResponse>;
  refresh(expires?: number): Promise<SipResponse>;
  /** Sends SUBSCRIBE Expires: 0 and resolves when the subscription is gone. */
  unsubscribe(): Promise<void>;
}

const DEFAULT_EXPIRES = 3600;
const DEFAULT_MAX_OVERLOAD_RETRIES = 50;

/**
 * RFC 3261 clause 21.5.4 / 20.33: the seconds to wait before sending a request again after a 503
 * from the server (not a locally generated one) with `Retry-After`; undefined otherwise (a 503
 * without Retry-After counts as a 500). The delay is drawn in [Retry-After, 2 x Retry-After] so
 * that the clients one overloaded server refused do not all come back at once (our choice).
 */
export function overloadRetryDelay(res: SipResponse, random: () => number = Math.random): number | undefined {
  if (res.status !== 503 || res.local) return undefined;
  const value = res.headers.get('retry-after');
  const seconds = value === undefined ? NaN : Number.parseInt(value, 10);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.max(seconds, 0.05) * (1 + random());
}

function defaultPolicy(info: { reason: string; retryAfter?: number }): number | false {
  switch (info.reason) {
    case 'deactivated': case 'timeout': case 'expired': case 'refresh-481':
      return info.retryAfter ?? 0;
    case 'probation': case 'giveup':
      return info.retryAfter ?? 30;
    default:
      return false;
  }
}

export function subscribe(options: SubscribeOptions): SubscriptionHandle {
  return new Subscription(options);
}

class Subscription implements SubscriptionHandle {
  state: SubscriberState = 'subscribing';
  expiresAt: number | undefined;
  ready!: Promise<SipResponse>;
  private dialog: DialogState | undefined;
  private callId = '';
  private localTag = '';
  private cseq = 0;
  private unroute: (() => void) | undefined;
  private refreshTimer: TimerHandle | undefined;
  private expiryTimer: TimerHandle | undefined;
  private retryTimer: TimerHandle | undefined;
  private unsubscribed = false;
  private unsubscribeWaiters: Array<() => void> = [];
  /** An initial SUBSCRIBE refused for overload, waiting for its retry: the 503 and who awaits `ready`. */
  private overloadWait: { response: SipResponse; settle: (res: SipResponse) => void } | undefined;
  private readonly endpoint: SipEndpoint;
  private readonly eventName: string;

  constructor(private readonly o: SubscribeOptions) {
    this.endpoint = o.endpoint;
    this.eventName = o.event.toLowerCase();
    this.start();
  }

  get dialogId(): string | undefined {
    return this.dialog ? dialogId(this.dialog.callId, this.dialog.localTag, this.dialog.remoteTag) : undefined;
  }

  private setState(state: SubscriberState): void {
    if (this.state === state) return;
    this.state = state;
    this.o.onStateChange?.(state);
  }

  private bodyAndType(): { body: string; contentType: string | undefined } {
    const b = this.o.body;
    if (typeof b === 'function') return b();
    return { body: b ?? '', contentType: b ? this.o.contentType : undefined };
  }

  private commonHeaders(expires: number, contentType?: string): Record<string, string | readonly string[] | undefined> {
    const accept = this.o.accept;
    const h: Record<string, string | readonly string[] | undefined> = {
      Event: formatEvent(this.eventName, this.o.eventParams ?? {}),
      Expires: String(expires),
      Accept: accept === undefined ? undefined : typeof accept === 'string' ? accept : [...accept],
    };
    if (contentType) h['Content-Type'] = contentType;
    return h;
  }

  private start(minExpires?: number, overloadRetries = 0, settle?: (res: SipResponse) => void, firstSentAt = Date.now()): void {
    this.setState('subscribing');
    this.dialog = undefined;
    this.callId = newCallId();
    this.localTag = newTag();
    this.cseq = 1;
    this.unroute = this.endpoint.addDialogRoute(this.callId, this.localTag, undefined, (req) => this.onRequest(req));
    const target = this.o.target ?? targetFromUri(this.o.uri);
    const from = parseNameAddr(this.o.from);
    from.params.set('tag', this.localTag);
    const expires = Math.max(this.o.expires ?? DEFAULT_EXPIRES, minExpires ?? 0);
    const { body, contentType } = this.bodyAndType();
    const headers = new SipHeaders({
      From: formatNameAddr(from),
      To: this.o.to ? formatNameAddr(parseNameAddr(this.o.to)) : `<${this.o.uri}>`,
      'Call-ID': this.callId,
      CSeq: `${this.cseq} SUBSCRIBE`,
      'Max-Forwards': '70',
      Contact: this.endpoint.contact(target.protocol, this.o.contactUser),
      ...this.commonHeaders(expires, body ? contentType : undefined),
    });
    if (this.o.headers) for (const [n, v] of new SipHeaders(this.o.headers)) headers.set(n, v);
    const request = createRequest('SUBSCRIBE', this.o.uri, headers, body);
    const callId = this.callId;
    let resolveReady = settle;
    if (resolveReady === undefined) this.ready = new Promise<SipResponse>((resolve) => (resolveReady = resolve));
    void this.endpoint.send(request, target).then((res) => {
      const delay = overloadRetryDelay(res);
      const retries = this.o.maxOverloadRetries ?? DEFAULT_MAX_OVERLOAD_RETRIES;
      // Retried within the time the first SUBSCRIBE's transaction was given (Timer F = 64*T1), so a
      // refused subscription fails no later than one that timed out would have (our choice).
      const window = this.o.overloadRetryWindowMs ?? 64 * this.endpoint.timers.t1;
      const withinTimerF = delay !== undefined && Date.now() + delay * 1000 - firstSentAt <= window;
      if (callId === this.callId && withinTimerF && overloadRetries < retries && this.state !== 'terminated' && !this.unsubscribed && !this.endpoint.isClosed) {
        // RFC 3261 clause 21.5.4: the notifier is overloaded; the same SUBSCRIBE again later
        // (a new transaction and Call-ID: no dialog was created).
        this.cleanup();
        this.overloadWait = { response: res, settle: resolveReady! };
        this.retryTimer = this.endpoint.scheduler.schedule(delay * 1000, () => {
          this.retryTimer = undefined;
          this.overloadWait = undefined;
          this.start(minExpires, overloadRetries + 1, resolveReady, firstSentAt);
        });
        return;
      }
      if (callId === this.callId) this.onInitialResponse(res, target, minExpires === undefined);
      resolveReady!(res);
    });
  }

  private onInitialResponse(res: SipResponse, target: Target, mayRetry423: boolean): void {
    if (this.state === 'terminated') return;
    if (res.status >= 200 && res.status < 300) {
      if (!this.dialog) {
        const remoteTag = toTag(res);
        let remoteTarget: string;
        try {
          remoteTarget = remoteTargetOf(res);
        } catch {
          remoteTarget = this.o.uri;
        }
        this.dialog = {
          callId: this.callId,
          localTag: this.localTag,
          remoteTag: remoteTag ?? '',
          localUri: parseNameAddr(this.o.from).uri,
          remoteUri: this.o.to ? parseNameAddr(this.o.to).uri : this.o.uri,
          localSeq: this.cseq,
          remoteSeq: undefined,
          remoteTarget,
          // RFC 3261 clause 12.1.2: the UAC's route set is the reversed Record-Route.
          routeSet: [...res.headers.getAll('record-route')].reverse().map((r) => parseNameAddr(r).uri),
          transport: target.protocol,
        };
      }
      this.applyExpires(res.headers.get('expires'));
      if (this.unsubscribed) void this.sendUnsubscribe();
      return;
    }
    if (res.status === 423 && mayRetry423) {
      // RFC 6665 clause 4.1.2.1: retry with at least Min-Expires.
      const min = Number(res.headers.get('min-expires'));
      if (Number.isFinite(min) && min > 0) {
        this.cleanup();
        this.start(min);
        return;
      }
    }
    this.end(`rejected:${res.status}`, undefined, false);
  }

  private applyExpires(value: string | number | undefined): void {
    let seconds: number | undefined;
    try {
      seconds = typeof value === 'number' ? value : parseExpires(value);
    } catch {
      seconds = undefined;
    }
    if (seconds === undefined) return;
    this.expiresAt = Date.now() + seconds * 1000;
    this.refreshTimer?.cancel();
    this.expiryTimer?.cancel();
    if (this.unsubscribed) return;
    const margin = Math.min(this.o.refreshMargin ?? 30, seconds / 2);
    this.refreshTimer = this.endpoint.scheduler.schedule((seconds - margin) * 1000, () => {
      this.refreshTimer = undefined;
      void this.refresh();
    });
    this.expiryTimer = this.endpoint.scheduler.schedule(seconds * 1000, () => {
      this.expiryTimer = undefined;
      this.end('expired', undefined, true);
    });
  }

  private async onRequest(req: IncomingRequest): Promise<void> {
    const m = req.message;
    if (m.method !== 'NOTIFY') return req.respond(405, 'Method Not Allowed', { headers: { Allow: ['NOTIFY'] } });
    const ev = parseEvent(m.headers.get('event') ?? '');
    const wantId = this.o.eventParams?.id;
    if (ev.name !== this.eventName || (wantId !== undefined && ev.params.get('id') !== wantId)) {
      return req.respond(489, 'Bad Event'); // RFC 6665 clause 4.1.3
    }
    const ssValue = m.headers.get('subscription-state');
    if (!ssValue) return req.respond(400, 'Missing Subscription-State header');
    let ss: SubscriptionState;
    try {
      ss = parseSubscriptionState(ssValue);
    } catch {
      return req.respond(400, 'Malformed Subscription-State header');
    }
    if (this.state === 'terminated') return req.respond(481, 'Subscription Does Not Exist');
    if (!this.dialog) {
      // RFC 6665 clause 4.1.2.4: the NOTIFY created the dialog (2xx not seen yet).
      try {
        this.dialog = createUasDialog(m, this.localTag, req.transport.protocol, this.cseq);
        this.dialog.localUri = parseNameAddr(this.o.from).uri;
        this.dialog.remoteUri = parseNameAddr(m.headers.get('from')!).uri;
      } catch (err) {
        return req.respond(400, (err as Error).message);
      }
    } else {
      if (this.dialog.remoteTag === '') this.dialog.remoteTag = fromTag(m) ?? '';
      if (fromTag(m) !== this.dialog.remoteTag) return req.respond(481, 'Subscription Does Not Exist');
      if (!acceptRemoteSeq(this.dialog, m)) return req.respond(500, 'CSeq Out of Order');
      // NOTIFY is a target refresh request (RFC 6665 clause 4.1.2.4, RFC 3261 clause 12.2).
      if (m.headers.has('contact')) {
        try {
          this.dialog.remoteTarget = remoteTargetOf(m);
        } catch {
          return req.respond(400, 'Malformed Contact header');
        }
      }
    }
    if (ss.state === 'active' || ss.state === 'pending') {
      if (this.state !== 'terminating') this.setState(ss.state);
      if (ss.expires !== undefined && !this.unsubscribed) {
        // RFC 6665 clause 4.1.2.3: the notifier may shorten the subscription.
        if (this.expiresAt === undefined || Date.now() + ss.expires * 1000 < this.expiresAt - 1000) this.applyExpires(ss.expires);
      }
    }
    const id = this.dialogId!;
    try {
      await this.o.onNotify({ message: m, body: m.body, contentType: m.headers.get('content-type'), subscriptionState: ss, dialogId: id });
    } catch (err) {
      this.endpoint.logger.error({ err, dialogId: id }, 'sip subscriber: onNotify failed');
    }
    req.respond(200, 'OK', { headers: { Contact: this.endpoint.contact(req.transport.protocol, this.o.contactUser) } });
    if (ss.state === 'terminated') {
      const info: { reason: string; retryAfter?: number } = { reason: this.unsubscribed ? 'unsubscribed' : (ss.reason ?? 'deactivated') };
      if (ss.retryAfter !== undefined) info.retryAfter = ss.retryAfter;
      this.end(info.reason, info.retryAfter, !this.unsubscribed);
    }
  }

  async refresh(expires?: number): Promise<SipResponse> {
    const dialog = this.dialog;
    if (!dialog || this.state === 'terminated' || this.state === 'terminating') {
      throw new Error(`cannot refresh a subscription in state ${this.state}`);
    }
    const seconds = expires ?? this.o.expires ?? DEFAULT_EXPIRES;
    const { body, contentType } = (this.o.refreshWithBody ?? true) ? this.bodyAndType() : { body: '', contentType: undefined };
    const { request, target } = createInDialogRequest(
      dialog, 'SUBSCRIBE', this.endpoint.contact(dialog.transport, this.o.contactUser),
      this.commonHeaders(seconds, body ? contentType : undefined), body,
    );
    const res = await this.endpoint.send(request, target);
    if (this.dialog !== dialog || (this.state as SubscriberState) === 'terminated') return res;
    if (res.status >= 200 && res.status < 300) this.applyExpires(res.headers.get('expires') ?? seconds);
    // RFC 6665 clause 4.1.2.2: 481 ends it; other failures leave it valid until expiry.
    else if (res.status === 481) this.end('refresh-481', undefined, true);
    else {
      // RFC 3261 clause 21.5.4: an overloaded notifier; refresh again after Retry-After while the
      // subscription is still valid then.
      const delay = overloadRetryDelay(res);
      if (delay !== undefined && this.expiresAt !== undefined && Date.now() + delay * 1000 < this.expiresAt && !this.unsubscribed) {
        this.refreshTimer?.cancel();
        this.refreshTimer = this.endpoint.scheduler.schedule(delay * 1000, () => {
          this.refreshTimer = undefined;
          if (this.state !== 'terminated' && this.state !== 'terminating') void this.refresh(expires);
        });
      }
    }
    return res;
  }

  unsubscribe(): Promise<void> {
    if (this.state === 'terminated') return Promise.resolve();
    const done = new Promise<void>((resolve) => this.unsubscribeWaiters.push(resolve));
    if (!this.unsubscribed) {
      this.unsubscribed = true;
      this.retryTimer?.cancel();
      if (this.overloadWait) {
        // Nothing was subscribed yet: the retry is dropped and `ready` settles with the 503.
        this.end('unsubscribed', undefined, false);
        return done;
      }
      this.setState('terminating');
      if (this.dialog) void this.sendUnsubscribe();
    }
    return done;
  }

  private async sendUnsubscribe(): Promise<void> {
    const dialog = this.dialog!;
    this.refreshTimer?.cancel();
    const { request, target } = createInDialogRequest(
      dialog, 'SUBSCRIBE', this.endpoint.contact(dialog.transport, this.o.contactUser), this.commonHeaders(0),
    );
    const res = await this.endpoint.send(request, target);
    if (this.state === 'terminated') return;
    if (res.status < 200 || res.status >= 300) {
      this.end('unsubscribed', undefined, false);
      return;
    }
    // RFC 6665 clause 4.1.2.3: a final NOTIFY follows; do not wait for it forever.
    this.expiryTimer?.cancel();
    this.expiryTimer = this.endpoint.scheduler.schedule(64 * this.endpoint.timers.t1, () => this.end('unsubscribed', undefined, false));
  }

  private cleanup(): void {
    this.unroute?.();
    this.unroute = undefined;
    this.refreshTimer?.cancel();
    this.expiryTimer?.cancel();
    this.retryTimer?.cancel();
  }

  private end(reason: string, retryAfter: number | undefined, mayResubscribe: boolean): void {
    if (this.state === 'terminated') return;
    this.cleanup();
    const waiting = this.overloadWait;
    this.overloadWait = undefined;
    waiting?.settle(waiting.response);
    this.setState('terminated');
    let delay: number | false = false;
    if (mayResubscribe && !this.unsubscribed && !this.endpoint.isClosed) {
      const policy = this.o.resubscribe ?? true;
      const info = retryAfter !== undefined ? { reason, retryAfter } : { reason };
      delay = policy === true ? defaultPolicy(info) : policy === false ? false : policy(info);
    }
    const info: TerminationInfo = { reason, willResubscribe: delay !== false };
    if (retryAfter !== undefined) info.retryAfter = retryAfter;
    this.o.onTerminated?.(info);
    for (const w of this.unsubscribeWaiters.splice(0)) w();
    if (delay !== false) {
      this.retryTimer = this.endpoint.scheduler.schedule(delay * 1000, () => {
        this.retryTimer = undefined;
        if (!this.unsubscribed && !this.endpoint.isClosed) this.start();
      });
    }
  }
}
