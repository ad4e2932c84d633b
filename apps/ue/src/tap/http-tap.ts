/**
 * HTTP tap: the UEs' HTTP (XCAP, OIDC login form, token endpoint) goes through `fetch`, also
 * inside @mcx/auth and openid-client. The host installs one wrapper of `globalThis.fetch` that
 * looks up the UE of the current async context (AsyncLocalStorage, set by `runAsUe`) and
 * records request and response; calls outside a UE context pass through untouched.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Lanes } from './lanes.ts';
import type { MessageLog } from './message-log.ts';

interface UeContext {
  ue: string;
  log: MessageLog;
  lanes: Lanes;
}

const als = new AsyncLocalStorage<UeContext>();
const ORIGINAL = Symbol.for('mcx.ue.originalFetch');
let installs = 0;

/** Runs `fn` with the UE's HTTP traffic recorded. */
export function runAsUe<T>(ctx: UeContext, fn: () => T): T {
  return als.run(ctx, fn);
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

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 302: 'Found', 303: 'See Other', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 412: 'Precondition Failed', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function installHttpTap(): () => void {
  const g = globalThis as typeof globalThis & { [ORIGINAL]?: typeof fetch };
  if (installs++ === 0) {
    const original = globalThis.fetch;
    g[ORIGINAL] = original;
    globalThis.fetch = async function tappedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
      const ctx = als.getStore();
      if (!ctx || !ctx.log.enabled) return original(input, init);
      const req = input instanceof Request ? input : undefined;
      const url = req ? req.url : String(input);
      const method = (init?.method ?? req?.method ?? 'GET').toUpperCase();
      const peer = ctx.lanes.http(url);
      const path = (() => {
        try {
          const u = new URL(url);
          return decodeURIComponent(u.pathname) + u.search;
        } catch {
          return url;
        }
      })();
      ctx.log.record({
        ue: ctx.ue, direction: 'out', protocol: 'HTTP', peer, summary: `${method} ${path}`,
        startLine: `${method} ${url} HTTP/1.1`, headers: headersOf(init?.headers ?? req?.headers), body: bodyText(init?.body),
      });
      let res: Response;
      try {
        res = await original(input, init);
      } catch (err) {
        ctx.log.record({ ue: ctx.ue, direction: 'in', protocol: 'HTTP', peer, summary: `connection failed: ${(err as Error).message}`, startLine: '', headers: {}, body: String((err as Error).cause ?? '') });
        throw err;
      }
      const reason = res.statusText || REASONS[res.status] || '';
      const headers = headersOf(res.headers);
      const record = (body: string) =>
        ctx.log.record({ ue: ctx.ue, direction: 'in', protocol: 'HTTP', peer, summary: `${res.status} ${reason}`.trim(), startLine: `HTTP/1.1 ${res.status} ${reason}`.trim(), headers, body });
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
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    if (--installs === 0 && g[ORIGINAL]) {
      globalThis.fetch = g[ORIGINAL];
      delete g[ORIGINAL];
    }
  };
}
