/**
 * HTTP tap: each UE gets its own HTTP client, `tapFetch(host fetch, UE)`, and every HTTP exchange
 * of the UE goes through it — XCAP (XcapClient's `fetch`), the IdMS login form and token endpoint
 * (@mcx/auth's `fetch` option, which also reaches openid-client). Nothing global is replaced. While
 * the log is enabled (someone keeps or listens to messages) the tap hands it the exchange's
 * objects as they are — URL, request headers and body, the response's status, headers and body
 * bytes — and the request and response Messages are built from them only when someone reads them
 * (message-log.ts); otherwise it hands the call straight to the host's fetch and keeps nothing.
 *
 * The response body: the host's HTTP client (host/http-client.ts) keeps the bytes it read on the
 * response, the tap takes them from there; the body of a response of any other fetch (tests inject
 * one) is read from a clone.
 */
import { bodyBytesOf } from '../host/http-client.ts';
import type { Lanes } from './lanes.ts';
import { MESSAGE_OVERHEAD_CHARS, type MessageLog } from './message-log.ts';

export interface TapTarget {
  ue: string;
  log: MessageLog;
  lanes: Lanes;
}

function headersOf(h: ConstructorParameters<typeof Headers>[0] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  new Headers(h).forEach((v, k) => (out[k] = v));
  return out;
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8');
  return `(${Object.prototype.toString.call(body)})`;
}

function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return decodeURIComponent(u.pathname) + u.search;
  } catch {
    return url;
  }
}

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 500: 'Internal Server Error', 503: 'Service Unavailable' };

const TEXTUAL = /xml|json|text|form/;

/** Characters a message counts against the log's budget before it is built (its URL and body; headers estimated). */
const HEADER_CHARS_ESTIMATE = 256;

/** The UE's HTTP client: `base` with its request and response recorded for `target.ue`. */
export function tapFetch(base: typeof fetch, target: TapTarget): typeof fetch {
  const { ue, log, lanes } = target;
  return async function tappedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (!log.enabled) return base(input, init);
    const req = input instanceof Request ? input : undefined;
    const url = req ? req.url : String(input);
    const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
    const reqHeaders = init?.headers ?? req?.headers;
    const reqBody = init?.body;
    log.recordLazy(ue, MESSAGE_OVERHEAD_CHARS + HEADER_CHARS_ESTIMATE + 2 * url.length + (typeof reqBody === 'string' ? reqBody.length : 0), () => ({
      direction: 'out', protocol: 'HTTP', peer: lanes.http(url), summary: `${method} ${pathOf(url)}`,
      startLine: `${method} ${url} HTTP/1.1`, headers: headersOf(reqHeaders), body: bodyText(reqBody),
    }));
    let res: Response;
    try {
      res = await base(input, init);
    } catch (err) {
      log.record({ ue, direction: 'in', protocol: 'HTTP', peer: lanes.http(url), summary: `connection failed: ${(err as Error).message}`, startLine: '', headers: {}, body: String((err as Error).cause ?? '') });
      throw err;
    }
    const response = res;
    const textual = TEXTUAL.test(res.headers.get('content-type') ?? '');
    const record = (chars: number, body: () => string) =>
      log.recordLazy(ue, MESSAGE_OVERHEAD_CHARS + HEADER_CHARS_ESTIMATE + chars, () => {
        const reason = response.statusText || REASONS[response.status] || '';
        return { direction: 'in', protocol: 'HTTP', peer: lanes.http(url), summary: `${response.status} ${reason}`.trim(), startLine: `HTTP/1.1 ${response.status} ${reason}`.trim(), headers: headersOf(response.headers), body: body() };
      });
    const bytes = bodyBytesOf(res);
    if (bytes !== undefined || !res.body || !textual) record(bytes && textual ? bytes.length : 0, () => (bytes && textual ? bytes.toString('utf8') : ''));
    else
      void res
        .clone()
        .text()
        .then(
          (text) => record(text.length, () => text),
          () => record(0, () => ''),
        );
    return res;
  } as typeof fetch;
}
