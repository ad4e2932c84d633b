/**
 * A SIP endpoint: transports (UDP, TCP) + transaction layer (RFC 3261 clause 17) + request
 * routing (by dialog, then by method; SUBSCRIBE by event package, RFC 6665 clause 7.2).
 *
 * One endpoint can host notifiers and answer other methods (REGISTER, PUBLISH, ...) through
 * {@link SipEndpoint.onRequest}, and send arbitrary requests ({@link SipEndpoint.request}).
 */
import { SipHeaders, type HeaderInit } from './message/headers.ts';
import { createRequest, createResponse, REASON_PHRASES, type SipRequest, type SipResponse } from './message/message.ts';
import { formatNameAddr, parseNameAddr } from './message/name-addr.ts';
import { isResponse, parseMessage, parseResponse } from './message/parse.ts';
import { detached } from './message/detached.ts';
import { serializeMessage } from './message/serialize.ts';
import { renderRequest, type RenderedRequest } from './message/rendered.ts';
import { parseCSeq } from './message/cseq.ts';
import { parseVia, sentBy, BRANCH_MAGIC_COOKIE } from './message/via.ts';
import { uriHost } from './message/uri.ts';
import { Scheduler } from './scheduler.ts';
import { silentLogger, type Logger } from './logger.ts';
import { newBranch, newCallId, newTag } from './ids.ts';
import { targetFromUri } from './target.ts';
import { fromTag, toTag } from './dialog.ts';
import { ClientTransaction, type ClientTransactionUser } from './transaction/client.ts';
import { ServerTransaction } from './transaction/server.ts';
import type { TransactionContext } from './transaction/context.ts';
import { DEFAULT_TIMERS, type TransactionTimers } from './transaction/timers.ts';
import { UdpTransport } from './transport/udp.ts';
import { TcpTransport, type TcpTransportOptions } from './transport/tcp.ts';
import type { ReceivedFrame, Target, Transport, TransportOptions, TransportProtocol } from './transport/transport.ts';
import { OverloadControl, type OverloadOptions } from './overload/overload-control.ts';

export interface EndpointOptions {
  /** UDP listener (loopback, ephemeral port by default); `false` for none. */
  udp?: TransportOptions | false;
  /** TCP listener (loopback, ephemeral port by default); `false` for none. */
  tcp?: TcpTransportOptions | false;
  /** Ready-made transports instead of `udp`/`tcp` (e.g. a wrapper for tests). */
  transports?: Transport[];
  /** Host written into Via and Contact (default: the bound address). */
  advertisedHost?: string;
  /**
   * Host and port written into Contact instead of this endpoint's own (default: none): the
   * address of a SIP front (Kamailio's dispatcher) when several replicas of a server run behind
   * it, so that a peer's in-dialog requests (RFC 3261 clause 12.2.1.1: sent to the remote target,
   * the Contact) reach whichever replica holds the dialog now (issue #17). Via keeps this
   * endpoint's own address, so responses still come back here.
   */
  contactAddress?: { host: string; port: number };
  /** T1/T2/T4 (RFC 3261 clause 17.1.1.1); tests shorten them. */
  timers?: Partial<TransactionTimers>;
  userAgent?: string;
  logger?: Logger;
  /**
   * Overload control (RFC 3261 clause 21.5.4): new out-of-dialog requests get 503 + Retry-After
   * while too many requests are unanswered or the event loop lags (`overload/overload-control.ts`).
   * Off unless given.
   */
  overload?: OverloadOptions;
}

export interface RespondOptions {
  headers?: HeaderInit;
  body?: string;
  /** To tag for the response (a dialog's local tag); one is generated if the To has none. */
  toTag?: string;
}

export interface IncomingRequest {
  readonly message: SipRequest;
  readonly source: Target;
  readonly transport: Transport;
  /** Sends a response through the server transaction; later final responses are ignored. */
  respond(status: number, reason?: string, options?: RespondOptions): void;
  readonly responded: boolean;
}

export type RequestHandler = (request: IncomingRequest) => void | Promise<void>;

export interface SendOptions {
  onProvisional?: (response: SipResponse) => void;
}

/** Fields of an out-of-dialog request built by {@link SipEndpoint.request}. */
export interface OutgoingRequest {
  method: string;
  /** Request-URI. */
  uri: string;
  /** From (name-addr or URI); a tag is added when missing. */
  from: string;
  /** To (name-addr or URI); defaults to the Request-URI. */
  to?: string;
  callId?: string;
  cseq?: number;
  /** Next hop; default: derived from the Request-URI. */
  target?: Target;
  headers?: HeaderInit;
  body?: string;
  contentType?: string;
}

const DIALOG_WILDCARD = '*';

export class SipEndpoint {
  readonly scheduler: Scheduler;
  readonly timers: TransactionTimers;
  readonly logger: Logger;
  private readonly transports = new Map<TransportProtocol, Transport>();
  private readonly clientTransactions = new Map<string, ClientTransaction>();
  private readonly serverTransactions = new Map<string, ServerTransaction>();
  private readonly methodHandlers = new Map<string, RequestHandler>();
  private readonly eventHandlers = new Map<string, RequestHandler>();
  private readonly dialogRoutes = new Map<string, RequestHandler>();
  /** Top Via up to `branch=`, per protocol (the bound address does not change). */
  private readonly viaPrefixes = new Map<TransportProtocol, string>();
  private readonly ctx: TransactionContext;
  private readonly overload: OverloadControl | undefined;
  /** Server transactions whose request has no final response yet. */
  private pendingRequests = 0;
  private closed = false;

  private constructor(transports: Transport[], private readonly options: EndpointOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.logger = options.logger ?? silentLogger;
    this.scheduler = new Scheduler((err) => this.logger.error({ err }, 'sip timer callback failed'));
    for (const t of transports) {
      this.transports.set(t.protocol, t);
      t.onFrame((frame) => this.receive(frame, t));
    }
    this.overload = options.overload ? new OverloadControl(options.overload) : undefined;
    this.ctx = {
      scheduler: this.scheduler,
      timers: this.timers,
      send: (data, target) => this.sendRaw(data, target),
    };
  }

  static async create(options: EndpointOptions = {}): Promise<SipEndpoint> {
    const transports: Transport[] = options.transports ? [...options.transports] : [];
    if (!options.transports) {
      if (options.udp !== false) transports.push(await UdpTransport.listen(options.udp || {}));
      if (options.tcp !== false) transports.push(await TcpTransport.listen(options.tcp || {}));
    }
    if (transports.length === 0) throw new Error('SipEndpoint needs at least one transport');
    return new SipEndpoint(transports, options);
  }

  transport(protocol: TransportProtocol): Transport | undefined {
    return this.transports.get(protocol);
  }

  /** Address peers reach this endpoint at over `protocol`. */
  address(protocol: TransportProtocol = this.defaultProtocol()): Target {
    const t = this.requireTransport(protocol);
    return { protocol, host: this.options.advertisedHost ?? t.local.host, port: t.local.port };
  }

  /** A SIP URI of this endpoint, e.g. `sip:ue1@127.0.0.1:40000;transport=tcp`. */
  uri(protocol: TransportProtocol = this.defaultProtocol(), user?: string): string {
    const a = this.address(protocol);
    return `sip:${user ? `${user}@` : ''}${uriHost(a.host)}:${a.port}${protocol === 'tcp' ? ';transport=tcp' : ''}`;
  }

  /** Contact header value for this endpoint (RFC 3261 clause 8.1.1.8). */
  contact(protocol: TransportProtocol = this.defaultProtocol(), user?: string): string {
    const front = this.options.contactAddress;
    if (front) return `<sip:${user ? `${user}@` : ''}${uriHost(front.host)}:${front.port}${protocol === 'tcp' ? ';transport=tcp' : ''}>`;
    return `<${this.uri(protocol, user)}>`;
  }

  /** Handles out-of-dialog requests of `method` (REGISTER, PUBLISH, MESSAGE, ...). */
  onRequest(method: string, handler: RequestHandler): () => void {
    this.methodHandlers.set(method.toUpperCase(), handler);
    return () => {
      if (this.methodHandlers.get(method.toUpperCase()) === handler) this.methodHandlers.delete(method.toUpperCase());
    };
  }

  /** Handles initial SUBSCRIBEs of one event package (RFC 6665 clause 7.2, 8.2.1). */
  onSubscribe(eventPackage: string, handler: RequestHandler): () => void {
    const key = eventPackage.toLowerCase();
    if (this.eventHandlers.has(key)) throw new Error(`event package ${eventPackage} already has a notifier`);
    this.eventHandlers.set(key, handler);
    return () => {
      if (this.eventHandlers.get(key) === handler) this.eventHandlers.delete(key);
    };
  }

  /** Event packages with a notifier here (the Allow-Events of RFC 6665 clause 8.2.2). */
  eventPackages(): string[] {
    return [...this.eventHandlers.keys()];
  }

  /**
   * Routes in-dialog requests (RFC 3261 clause 12.2.2) of one dialog to `handler`. A missing
   * `remoteTag` matches any remote tag: a subscriber's NOTIFY may arrive before the 2xx to
   * its SUBSCRIBE (RFC 6665 clause 4.1.2.4).
   */
  addDialogRoute(callId: string, localTag: string, remoteTag: string | undefined, handler: RequestHandler): () => void {
    const key = `${callId}\n${localTag}\n${remoteTag ?? DIALOG_WILDCARD}`;
    this.dialogRoutes.set(key, handler);
    return () => {
      if (this.dialogRoutes.get(key) === handler) this.dialogRoutes.delete(key);
    };
  }

  /** Counters for leak checks and metrics. */
  stats(): { clientTransactions: number; serverTransactions: number; pendingRequests: number; refusedForOverload: number; dialogRoutes: number; timers: number } {
    return {
      clientTransactions: this.clientTransactions.size,
      serverTransactions: this.serverTransactions.size,
      pendingRequests: this.pendingRequests,
      refusedForOverload: this.overload?.refused ?? 0,
      dialogRoutes: this.dialogRoutes.size,
      timers: this.scheduler.size,
    };
  }

  /**
   * Sends a request in a new client transaction and resolves with the final response: a
   * timeout resolves with a local 408, a transport failure with a local 503 (RFC 3261
   * clause 8.1.3.1). A top Via with a fresh branch is added (clause 8.1.1.7).
   */
  send(request: SipRequest, target: Target, options: SendOptions = {}): Promise<SipResponse> {
    if (this.closed) return Promise.resolve(this.localResponse(request, 503, 'Endpoint Closed'));
    const transport = this.transports.get(target.protocol);
    if (!transport) return Promise.resolve(this.localResponse(request, 503, `No ${target.protocol} transport`));
    const branch = newBranch();
    request.headers.prepend('Via', this.via(target.protocol, branch));
    if (!request.headers.has('max-forwards')) request.headers.set('Max-Forwards', '70');
    if (this.options.userAgent && !request.headers.has('user-agent')) request.headers.set('User-Agent', this.options.userAgent);
    const method = parseCSeq(request.headers.get('cseq') ?? `1 ${request.method}`).method;
    return this.transact(`${branch}\n${method}`, serializeMessage(request), target, transport, () => request, options);
  }

  /**
   * Sends a request rendered once by the caller (`message/rendered.ts`): like {@link send}, with
   * a top Via of a fresh branch (RFC 3261 clause 8.1.1.7), this endpoint's User-Agent and the
   * Content-Length added; the whole message is written into one Buffer. A local 408/503 is built
   * from the request parsed back, which only happens when it failed.
   */
  sendRendered(rendered: RenderedRequest, target: Target, options: SendOptions = {}): Promise<SipResponse> {
    const branch = newBranch();
    const data = renderRequest(rendered, this.via(target.protocol, branch), this.options.userAgent ? `User-Agent: ${this.options.userAgent}\r\n` : '');
    const request = () => {
      const parsed = parseMessage(data);
      if (parsed.kind === 'drop' || parsed.message.kind !== 'request') throw new Error(`rendered ${rendered.method} does not parse`);
      return parsed.message;
    };
    if (this.closed) return Promise.resolve(this.localResponse(request(), 503, 'Endpoint Closed'));
    const transport = this.transports.get(target.protocol);
    if (!transport) return Promise.resolve(this.localResponse(request(), 503, `No ${target.protocol} transport`));
    return this.transact(`${branch}\n${rendered.method}`, data, target, transport, request, options);
  }

  /** Top Via value for a request of this endpoint over `protocol` (RFC 3261 clause 8.1.1.7, RFC 3581 rport). */
  private via(protocol: TransportProtocol, branch: string): string {
    let prefix = this.viaPrefixes.get(protocol);
    if (prefix === undefined) {
      const local = this.address(protocol);
      prefix = `SIP/2.0/${protocol.toUpperCase()} ${uriHost(local.host)}:${local.port};branch=`;
      this.viaPrefixes.set(protocol, prefix);
    }
    return `${prefix}${branch};rport`;
  }

  /**
   * Runs a client transaction (RFC 3261 clause 17.1.2) for `data`; `request` builds the request for a local response.
   * What answering needs (`request`, `options`, the promise's `resolve`) is let go at the final
   * response (issue #14, memory): the transaction stays for Timer K (T4 over UDP) with these
   * callbacks, and the request (parsed or rendered) would otherwise stay with it. The callbacks are
   * made in {@link transactionUser}, whose scope does not hold `data`: closures made here would
   * share this scope and keep the request's bytes (and the 8 KB Buffer-pool slab they are cut
   * from) for the whole transaction.
   */
  private transact(key: string, data: Buffer, target: Target, transport: Transport, request: () => SipRequest, options: SendOptions): Promise<SipResponse> {
    let resolve!: (r: SipResponse) => void;
    const answer = new Promise<SipResponse>((r) => (resolve = r));
    const tx = new ClientTransaction(this.ctx, key, data, target, transport.reliable, this.transactionUser(key, resolve, request, options));
    this.clientTransactions.set(key, tx);
    tx.start();
    return answer;
  }

  /** The callbacks of a client transaction (see {@link transact}). */
  private transactionUser(key: string, resolve: (r: SipResponse) => void, request: () => SipRequest, options: SendOptions): ClientTransactionUser {
    let waiting: { resolve: (r: SipResponse) => void; request: () => SipRequest; options: SendOptions } | undefined = { resolve, request, options };
    /** What answering needs, once: the final answer lets it go. */
    const take = () => {
      const w = waiting;
      waiting = undefined;
      return w;
    };
    const local = (status: number, reason?: string) => {
      const w = take();
      w?.resolve(this.localResponse(w.request(), status, reason));
    };
    return {
      onResponse: (response) => {
        if (response.status < 200) waiting?.options.onProvisional?.(response);
        else take()?.resolve(response);
      },
      onFailure: (reason) => (reason === 'timeout' ? local(408) : local(503, 'Transport Error')),
      onTerminated: () => {
        this.clientTransactions.delete(key);
        if (this.closed) local(503, 'Endpoint Closed');
      },
    };
  }

  /** Builds and sends an out-of-dialog request (RFC 3261 clause 8.1.1), e.g. REGISTER or PUBLISH. */
  request(init: OutgoingRequest): Promise<SipResponse> {
    const target = init.target ?? targetFromUri(init.uri, this.defaultProtocol());
    const from = parseNameAddr(init.from);
    if (!from.params.has('tag')) from.params.set('tag', newTag());
    const headers = new SipHeaders({
      From: formatNameAddr(from),
      To: init.to ? formatNameAddr(parseNameAddr(init.to)) : `<${init.uri}>`,
      'Call-ID': init.callId ?? newCallId(this.address(target.protocol).host),
      CSeq: `${init.cseq ?? 1} ${init.method}`,
      'Max-Forwards': '70',
    });
    if (init.headers) for (const [name, values] of new SipHeaders(init.headers)) headers.set(name, values);
    if (init.contentType) headers.set('Content-Type', init.contentType);
    const request = createRequest(init.method, init.uri, headers, init.body ?? '');
    return this.send(request, target);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const tx of [...this.clientTransactions.values()]) tx.abort();
    for (const tx of [...this.serverTransactions.values()]) tx.abort();
    this.scheduler.stop();
    this.overload?.close();
    await Promise.all([...this.transports.values()].map((t) => t.close()));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private defaultProtocol(): TransportProtocol {
    return this.transports.has('udp') ? 'udp' : 'tcp';
  }

  private requireTransport(protocol: TransportProtocol): Transport {
    const t = this.transports.get(protocol);
    if (!t) throw new Error(`endpoint has no ${protocol} transport`);
    return t;
  }

  private sendRaw(data: Buffer, target: Target): Promise<void> {
    if (this.closed) return Promise.reject(new Error('endpoint closed'));
    const t = this.transports.get(target.protocol);
    if (!t) return Promise.reject(new Error(`no ${target.protocol} transport`));
    return t.send(data, target);
  }

  private localResponse(request: SipRequest, status: number, reason?: string): SipResponse {
    return { ...createResponse(request, status, reason ?? REASON_PHRASES[status]), local: true };
  }

  private receive(frame: ReceivedFrame, transport: Transport): void {
    if (this.closed) return;
    if (isResponse(frame.data)) return this.receiveResponse(frame);
    let result;
    try {
      result = parseMessage(frame.data, { stream: frame.stream });
    } catch (err) {
      this.logger.warn({ err, source: frame.source }, 'sip: parser failure, message dropped');
      return;
    }
    if (result.kind === 'drop') {
      this.logger.warn({ reason: result.reason, source: frame.source }, 'sip: unparsable message dropped');
      return;
    }
    if (result.kind === 'bad') {
      // RFC 3261 clause 8.2.2 / 21.4.1: answer 400 naming the problem; statelessly.
      this.logger.info({ reason: result.reason, source: frame.source }, 'sip: malformed request rejected');
      if (result.message.method !== 'ACK') {
        const response = createResponse(result.message, result.status, result.reason, { toTag: newTag() });
        transport.send(serializeMessage(response), frame.source).catch(() => undefined);
      }
      return;
    }
    const message = result.message;
    if (message.kind === 'response') return; // a start line of "SIP/" is read by receiveResponse
    this.receiveRequest(message, frame.source, transport);
  }

  /** RFC 3261 clause 17.1.3: the response goes to the client transaction of its top Via branch and CSeq method. */
  private receiveResponse(frame: ReceivedFrame): void {
    let result;
    try {
      result = parseResponse(frame.data, { stream: frame.stream });
    } catch (err) {
      this.logger.warn({ err, source: frame.source }, 'sip: parser failure, message dropped');
      return;
    }
    if (result.kind === 'drop') {
      this.logger.warn({ reason: result.reason, source: frame.source }, 'sip: unparsable message dropped');
      return;
    }
    const tx = this.clientTransactions.get(`${result.branch}\n${result.method}`);
    if (tx) tx.receive(result.message);
    else this.logger.debug({ status: result.message.status }, 'sip: stray response dropped'); // RFC 3261 clause 8.1.3.1 / 17.1.3
  }

  private receiveRequest(message: SipRequest, source: Target, transport: Transport): void {
    // No INVITE support: ACKs (which only follow INVITE) are absorbed.
    if (message.method === 'ACK') return;
    const via = parseVia(message.headers.get('via')!);
    const branch = via.params.get('branch') ?? '';
    // One flat string: the table keeps it for Timer J, and a concatenation would keep its parts.
    const key = detached(
      branch.startsWith(BRANCH_MAGIC_COOKIE)
        ? `${branch}\n${sentBy(via)}\n${message.method}`
        : `${message.headers.get('call-id')}\n${message.headers.get('cseq')}\n${fromTag(message) ?? ''}\n${sentBy(via)}`,
    );
    const existing = this.serverTransactions.get(key);
    if (existing) {
      existing.retransmission();
      return;
    }
    const answered = { final: false };
    const tx = this.serverTransaction(key, source, transport.reliable, answered);
    this.serverTransactions.set(key, tx);
    this.pendingRequests++;
    let generatedTag: string | undefined;
    const incoming: IncomingRequest = {
      message,
      source,
      transport,
      get responded() {
        return answered.final;
      },
      respond: (status, reason, options = {}) => {
        if (answered.final && status >= 200) return;
        if (status >= 200) {
          answered.final = true;
          this.pendingRequests--;
        }
        // RFC 3261 clause 8.2.6.2: a response to an out-of-dialog request gets a To tag.
        const tag = options.toTag ?? (status > 100 && !toTag(message) ? (generatedTag ??= newTag()) : undefined);
        const response = createResponse(message, status, reason, { ...options, ...(tag ? { toTag: tag } : {}) });
        if (this.options.userAgent) response.headers.set('Server', this.options.userAgent);
        tx.respond(serializeMessage(response), status);
      },
    };
    // RFC 3261 clause 21.5.4: a saturated server refuses new work with 503 + Retry-After (the
    // request itself still counts as pending until this answer).
    const overloaded = this.overload !== undefined && toTag(message) === undefined ? this.overload.check(this.pendingRequests - 1) : undefined;
    if (overloaded !== undefined) {
      this.logger.debug({ method: message.method, cause: overloaded }, 'sip: overloaded, request refused with 503');
      incoming.respond(503, 'Service Unavailable', { headers: { 'Retry-After': String(this.overload!.retryAfterNow()) } });
      return;
    }
    this.dispatch(incoming).catch((err: unknown) => {
      this.logger.error({ err, method: message.method }, 'sip: request handler failed');
      if (!incoming.responded) incoming.respond(500, 'Server Internal Error');
    });
  }

  /**
   * A server transaction whose end removes it from the table and, when the TU never sent a final
   * response, releases its pending count. Built here rather than inline in `receiveRequest` (issue
   * #14, memory): a closure there would share that function's context, which holds the parsed
   * request and the IncomingRequest, and keep them for the whole of Timer J (64*T1 over UDP, RFC
   * 3261 clause 17.2.2) although a retransmission only needs the last response (measured: ~3.4 KB
   * per finished transaction, 17 MB in the systems' process near the end of `mcx bench migration
   * --ues 1000`). This closure holds the key and the `answered` flag only.
   */
  private serverTransaction(key: string, source: Target, reliable: boolean, answered: { final: boolean }): ServerTransaction {
    return new ServerTransaction(this.ctx, key, source, reliable, () => {
      this.serverTransactions.delete(key);
      if (!answered.final) {
        answered.final = true;
        this.pendingRequests--;
      }
    });
  }

  private async dispatch(req: IncomingRequest): Promise<void> {
    const message = req.message;
    const remoteTag = fromTag(message);
    const localTag = toTag(message);
    const callId = message.headers.get('call-id')!;
    if (localTag !== undefined) {
      const handler =
        this.dialogRoutes.get(`${callId}\n${localTag}\n${remoteTag ?? ''}`) ??
        this.dialogRoutes.get(`${callId}\n${localTag}\n${DIALOG_WILDCARD}`);
      if (handler) return handler(req);
      // RFC 3261 clause 12.2.2: no matching dialog.
      return req.respond(481, 'Call/Transaction Does Not Exist');
    }
    if (message.method === 'SUBSCRIBE') {
      const event = message.headers.get('event');
      const pkg = event ? event.split(';')[0]!.trim().toLowerCase() : '';
      const handler = this.eventHandlers.get(pkg);
      if (handler) return handler(req);
      // RFC 6665 clause 4.2.1.1: unknown or missing event package => 489 with Allow-Events.
      return req.respond(489, 'Bad Event', { headers: { 'Allow-Events': this.eventPackages() } });
    }
    if (message.method === 'NOTIFY') return req.respond(481, 'Subscription Does Not Exist');
    const handler = this.methodHandlers.get(message.method);
    if (handler) return handler(req);
    const allow = [...new Set(['OPTIONS', ...this.methodHandlers.keys(), ...(this.eventHandlers.size ? ['SUBSCRIBE'] : [])])];
    if (message.method === 'OPTIONS') return req.respond(200, 'OK', { headers: { Allow: allow, 'Allow-Events': this.eventPackages() } });
    // RFC 3261 clause 8.2.1: 405 with Allow.
    return req.respond(405, 'Method Not Allowed', { headers: { Allow: allow } });
  }
}
