/**
 * The UE host's HTTP client: a `fetch`-shaped function (what XcapClient and @mcx/auth /
 * openid-client take) over an undici dispatcher's `request()` — keep-alive connections, no WHATWG
 * fetch machinery (Request objects, body streams, JSON from a stream) per exchange. The response
 * body is read whole (configuration documents and token responses are small) and handed over as a
 * `Response` that answers from the bytes (host/bytes-response.ts); the bytes are also kept on it
 * ({@link bodyBytesOf}) so that the message tap records the body without cloning the response
 * (tap/http-tap.ts).
 *
 * TLS: the dispatcher is undici's global one unless given: inside `mcx up` and the tests the
 * composition made it trust the lab CA (libs/lab-ca trust.ts, one TLS context for every
 * connection, verification on); a standalone host trusts it through NODE_EXTRA_CA_CERTS.
 *
 * At most {@link MAX_IN_FLIGHT_PER_ORIGIN} exchanges of the host are in flight per origin; the
 * others wait their turn. Our choice: a burst of UEs (a mass migration) otherwise opens one
 * connection per concurrent exchange — `mcx bench migration --ues 100` opened 686 TLS connections
 * for 2,692 exchanges, each a handshake on both sides — which idle out after the burst; with the
 * bound the keep-alive connections are reused.
 *
 * Measured (issue #14, one process, loopback GET of 1.5 KB): ~580 µs of CPU per exchange with
 * `fetch`, ~290 µs with this client (server side included).
 */
import { getGlobalDispatcher, type Dispatcher } from 'undici';
import { BytesResponse } from './bytes-response.ts';

/** Exchanges in flight per origin, at most (our choice; see above). */
export const MAX_IN_FLIGHT_PER_ORIGIN = 16;

const BODY = Symbol('mcx.ue.responseBytes');

/** A status that carries no body (Fetch: "null body status"). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);
const REDIRECT = new Set([301, 302, 303, 307, 308]);

/** The bytes of a response this client built (undefined for any other response). */
export function bodyBytesOf(res: Response): Buffer | undefined {
  return (res as Response & { [BODY]?: Buffer })[BODY];
}

function requestHeaders(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers || Array.isArray(h))
    for (const [k, v] of h as Iterable<[string, string]>) out[k.toLowerCase()] = v;
  else for (const k in h) out[k.toLowerCase()] = (h as Record<string, string>)[k]!;
  return out;
}

function requestBody(
  body: RequestInit['body'],
  headers: Record<string, string>,
): string | Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return body;
  }
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return body.toString();
  }
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new TypeError(
    `the UE's HTTP client sends string, URLSearchParams or byte bodies, not ${Object.prototype.toString.call(body)}`,
  );
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): [string, string][] {
  const out: [string, string][] = [];
  for (const k in raw) {
    const v = raw[k];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else out.push([k, v]);
  }
  return out;
}

/** Admits at most `max` holders at a time per key; the others wait in order. */
class PerKeyLimit {
  readonly #slots = new Map<string, { busy: number; waiting: (() => void)[] }>();
  constructor(readonly max: number) {}

  async acquire(key: string): Promise<() => void> {
    let slot = this.#slots.get(key);
    if (!slot) this.#slots.set(key, (slot = { busy: 0, waiting: [] }));
    if (slot.busy >= this.max) await new Promise<void>((resolve) => slot.waiting.push(resolve));
    else slot.busy += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = slot.waiting.shift();
      if (next)
        next(); // the slot passes on: `busy` stays
      else slot.busy -= 1;
    };
  }
}

/**
 * `fetch` over `dispatcher` (default: undici's global dispatcher at the time of each request).
 * Redirects are followed as fetch does (`redirect: 'follow'`, at most 20; 303, and 301/302 after
 * a POST, become a GET without body) unless `redirect: 'manual'`. A `Request` input is handed to
 * the global `fetch` (no caller of the UE passes one).
 */
export function dispatcherFetch(
  dispatcher?: Dispatcher,
  maxPerOrigin = MAX_IN_FLIGHT_PER_ORIGIN,
): typeof fetch {
  const limit = new PerKeyLimit(maxPerOrigin);
  return async function ueFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (input instanceof Request) return fetch(input, init);
    let url = new URL(String(input));
    let method = (init?.method ?? 'GET').toUpperCase();
    const headers = requestHeaders(init?.headers);
    let body = requestBody(init?.body, headers);
    const via = dispatcher ?? getGlobalDispatcher();
    for (let hop = 0; ; hop += 1) {
      const release = await limit.acquire(url.origin);
      try {
        const r = await via.request({
          origin: url.origin,
          path: url.pathname + url.search,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: body ?? null,
          ...(init?.signal ? { signal: init.signal } : {}),
        });
        const location = r.headers['location'];
        if (
          init?.redirect !== 'manual' &&
          REDIRECT.has(r.statusCode) &&
          typeof location === 'string' &&
          hop < 20
        ) {
          await r.body.dump();
          url = new URL(location, url);
          if (r.statusCode === 303 || ((r.statusCode === 301 || r.statusCode === 302) && method === 'POST')) {
            method = 'GET';
            body = undefined;
            delete headers['content-type'];
          }
          continue;
        }
        const bytes = Buffer.from(await r.body.arrayBuffer());
        const res = new BytesResponse(NULL_BODY.has(r.statusCode) || method === 'HEAD' ? null : bytes, {
          status: r.statusCode,
          statusText: (r as { statusText?: string }).statusText ?? '',
          headers: responseHeaders(r.headers),
        });
        Object.defineProperty(res, BODY, { value: bytes });
        return res;
      } finally {
        release();
      }
    }
  } as typeof fetch;
}
