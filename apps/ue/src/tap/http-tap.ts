/**
 * HTTP tap: each UE gets its own HTTP client, `tapFetch(host fetch, UE)`, and every HTTP exchange
 * of the UE goes through it — XCAP (XcapClient's `fetch`), the IdMS login form and token endpoint
 * (@mcx/auth's `fetch` option, which also reaches openid-client). Nothing global is replaced. The
 * tap records request and response as Messages while the log is enabled (someone keeps or listens
 * to messages); otherwise it hands the call straight to the host's fetch and builds nothing.
 */
import type { Lanes } from './lanes.ts';
import type { MessageLog } from './message-log.ts';

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

/** The UE's HTTP client: `base` with its request and response recorded for `target.ue`. */
export function tapFetch(base: typeof fetch, target: TapTarget): typeof fetch {
  const { ue, log, lanes } = target;
  return async function tappedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (!log.enabled) return base(input, init);
    const req = input instanceof Request ? input : undefined;
    const url = req ? req.url : String(input);
    const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
    const peer = lanes.http(url);
    log.record({
      ue, direction: 'out', protocol: 'HTTP', peer, summary: `${method} ${pathOf(url)}`,
      startLine: `${method} ${url} HTTP/1.1`, headers: headersOf(init?.headers ?? req?.headers), body: bodyText(init?.body),
    });
    let res: Response;
    try {
      res = await base(input, init);
    } catch (err) {
      log.record({ ue, direction: 'in', protocol: 'HTTP', peer, summary: `connection failed: ${(err as Error).message}`, startLine: '', headers: {}, body: String((err as Error).cause ?? '') });
      throw err;
    }
    const reason = res.statusText || REASONS[res.status] || '';
    const headers = headersOf(res.headers);
    const record = (body: string) =>
      log.record({ ue, direction: 'in', protocol: 'HTTP', peer, summary: `${res.status} ${reason}`.trim(), startLine: `HTTP/1.1 ${res.status} ${reason}`.trim(), headers, body });
    const type = res.headers.get('content-type') ?? '';
    if (res.body && /xml|json|text|form/.test(type)) {
      res
        .clone()
        .text()
        .then(record, () => record(''));
    } else record('');
    return res;
  } as typeof fetch;
}
