/**
 * An express Router serving an XCAP root (RFC 4825 clause 6.1) from an application usage
 * registry and a document store. Mount it where the XCAP root is:
 * `app.use('/xcap-root', createXcapRouter({ registry, store }))`.
 *
 * The router writes its responses itself (never `res.send`), so express's automatic weak
 * ETags and freshness checks never interfere with RFC 4825 clause 7.11 semantics.
 */
import { Router, type Request, type Response } from 'express';
import type { Principal } from '../app-usage/application-usage.ts';
import type { ApplicationUsageRegistry } from '../app-usage/registry.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { HttpError } from '../errors/http-error.ts';
import type { XcapChangeEvent } from './change-event.ts';
import { XcapService, type XcapResponse } from './xcap-service.ts';

export interface XcapRouterOptions {
  registry: ApplicationUsageRegistry;
  store: DocumentStore;
  /** Who is asking; undefined = anonymous. Throw an HttpError(403) to refuse outright. */
  authenticate?: (req: Request) => Principal | undefined | Promise<Principal | undefined>;
  /** Called after each successful change (for the xcap-diff notifier, RFC 5875). */
  onChange?: (event: XcapChangeEvent) => void | Promise<void>;
  /** Absolute XCAP root URI; default: derived from the request (protocol, Host, mount path). */
  xcapRoot?: string;
}

/** Reads the body, counting bytes; beyond `limit` it drains the rest and reports 413. */
function readBody(req: Request, limit: number): Promise<Uint8Array | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Writes `out`. The answer to HEAD has the header fields of the GET answer, Content-Length
 * included, and no content (RFC 9110 clauses 9.3.2 and 8.6).
 */
function write(res: Response, out: XcapResponse): void {
  const body = out.bodyBytes ?? (out.body === undefined ? undefined : Buffer.from(out.body, 'utf8'));
  const headers: Record<string, string | number> = { ...out.headers };
  if (body !== undefined) headers['content-length'] = body.length;
  else if (out.status !== 304) headers['content-length'] = 0;
  res.writeHead(out.status, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export function createXcapRouter(options: XcapRouterOptions): Router {
  const service = new XcapService(options);
  const router = Router();
  router.use(async (req, res, next) => {
    try {
      const target = req.url;
      const principal = await options.authenticate?.(req);
      let body: Uint8Array | undefined;
      if (req.method === 'PUT') {
        const read = await readBody(req, service.maxBodyBytesFor(target));
        if (read === 'too-large') {
          write(res, { ...new HttpError(413, 'body too large').render(), headers: { connection: 'close', 'content-type': 'text/plain; charset=utf-8' } });
          return;
        }
        body = read;
      }
      const xcapRoot = options.xcapRoot ?? `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
      const out = await service.handle({
        method: req.method,
        target,
        xcapRoot,
        headers: {
          ifMatch: req.get('if-match'),
          ifNoneMatch: req.get('if-none-match'),
          contentType: req.get('content-type'),
        },
        body,
        principal,
      });
      write(res, out);
    } catch (e) {
      if (e instanceof HttpError) {
        write(res, e.render());
        return;
      }
      next(e);
    }
  });
  return router;
}
