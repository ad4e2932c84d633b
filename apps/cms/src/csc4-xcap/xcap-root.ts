/**
 * The CMS XCAP root on CSC-4 (RFC 4825; TS 24.484 clause 6): authentication (TS 24.482 annex
 * A), the CMS access policy, the per-UE UE initial configuration, get-with-version for whole
 * documents (answered from the in-memory view: no database query for a 304), and everything
 * else (element/attribute GET, PUT, DELETE) through the generic @mcx/xcap engine on the same
 * store, so every change takes the one change path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import { TokenError } from '@mcx/auth';
import {
  BadXcapUri,
  createXcapRouter,
  HttpError,
  representationOf,
  XcapUriCache,
  type ApplicationUsageRegistry,
  type Principal,
  type StoredDocument,
  type XcapUri,
} from '@mcx/xcap';
import type { Logger } from 'pino';
import type { UploadRequestPolicy } from '../config/config.ts';
import { decideGetWithVersion, PROFILE_VERSION_HEADER, UPLOAD_REQUESTED_HEADER } from '../profiles/get-with-version.ts';
import type { CmsDocumentStore } from '../store/document-store.ts';
import { isAnonymousReadable, mayAccess } from './access-policy.ts';
import { principalOf, tokenRefusal, type TokenAuthenticator } from './authentication.ts';
import { perUeDocument } from './ue-init-config.ts';

export interface XcapRootOptions {
  store: CmsDocumentStore;
  registry: ApplicationUsageRegistry;
  tokens: TokenAuthenticator;
  /** Absolute XCAP root URI (no trailing slash). */
  xcapRoot: string;
  /** Path of the XCAP root on the HTTP server (e.g. `/xcap-root`), for `serveDocumentRead`. */
  xcapRootPath: string;
  uploadRequestPolicy: UploadRequestPolicy;
  logger: Logger;
}

export interface XcapRoot {
  /** Everything below the XCAP root (mount it at `xcapRootPath`). */
  router: Router;
  /**
   * GET/HEAD of a whole document answered straight from the node:http request, before express
   * (the hot path: a UE's conditional GET, TS 23.280 10.1.4.3). Returns false when the request
   * is not one (element/attribute GETs, writes, xcap-caps, unparsable URIs): give it to `router`.
   */
  serveDocumentRead(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Writes an answer; to HEAD with the GET answer's Content-Length and no content (RFC 9110 clauses 9.3.2 and 8.6). */
function send(res: ServerResponse, status: number, headers: Record<string, string>, body?: string | Buffer, reason?: string): void {
  const buf = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const h: Record<string, string | number> = headers;
  if (buf !== undefined) h['content-length'] = buf.length;
  else if (status !== 304) h['content-length'] = 0;
  if (reason) res.writeHead(status, reason, h);
  else res.writeHead(status, h);
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

function sendError(res: ServerResponse, e: HttpError): void {
  const r = e.render();
  send(res, r.status, r.headers, r.body);
}

/** Splits our `version=N` extension off the query (the rest are RFC 4825 clause 6.4 xmlns() bindings). */
function splitVersionQuery(url: string): { target: string; version: number | undefined | 'bad' } {
  const q = url.indexOf('?');
  if (q < 0) return { target: url, version: undefined };
  const query = url.slice(q + 1);
  const m = /^version=([^&]*)$/.exec(query);
  if (!m) return { target: url, version: undefined };
  return { target: url.slice(0, q), version: /^\d{1,9}$/.test(m[1]!) ? Number(m[1]) : 'bad' };
}

/** A header field value as one string (node:http joins repeated fields with ", "). */
function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

export function createXcapRoot(options: XcapRootOptions): XcapRoot {
  const { store, registry, tokens, logger } = options;
  const uris = new XcapUriCache();
  const router = Router();

  /** The principal of the request (undefined = anonymous read), or false when a refusal was sent. */
  async function authenticate(req: IncomingMessage, res: ServerResponse, uri: XcapUri, read: boolean): Promise<Principal | undefined | false> {
    if (read && isAnonymousReadable(uri.document)) return undefined;
    try {
      return principalOf(await tokens.fromHeader(header(req, 'authorization')));
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      const r = tokenRefusal(e);
      send(res, r.status, r.headers, r.body);
      return false;
    }
  }

  /** GET/HEAD of a whole document: authentication, the access policy, then get-with-version. */
  async function readDocument(req: IncomingMessage, res: ServerResponse, uri: XcapUri, version: number | undefined | 'bad'): Promise<void> {
    const principal = await authenticate(req, res, uri, true);
    if (principal === false) return;
    if (!mayAccess(principal, uri.document, 'read')) {
      return sendError(res, new HttpError(403, `read access to ${uri.documentSelector} denied`));
    }
    try {
      await getDocument(req, res, uri, version);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e);
      throw e;
    }
  }

  router.use(async (req: Request, res: Response, next) => {
    const method = req.method.toUpperCase();
    const { target, version } = splitVersionQuery(req.url);
    let uri: XcapUri;
    try {
      uri = uris.parse(target);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e);
      return sendError(res, new BadXcapUri('not an XCAP URI'));
    }
    if (registry.get(uri.document.auid) === undefined) return next(); // xcap-caps or 404 from the engine
    const read = method === 'GET' || method === 'HEAD';
    if (read && uri.nodeSelector === undefined) {
      try {
        return await readDocument(req, res, uri, version);
      } catch (e) {
        logger.error({ err: e }, 'xcap GET failed');
        return next(e);
      }
    }
    let principal: Principal | undefined;
    try {
      const p = await authenticate(req, res, uri, read);
      if (p === false) return;
      principal = p;
    } catch (e) {
      return next(e);
    }
    res.locals['principal'] = principal;
    if (!mayAccess(principal, uri.document, read ? 'read' : 'write')) {
      return sendError(res, new HttpError(403, `${read ? 'read' : 'write'} access to ${uri.documentSelector} denied`));
    }
    if (!read && uri.nodeSelector === undefined && store.peek(uri.documentSelector) === undefined && method === 'PUT') {
      // Users upload changes to their documents; creating documents is the administrator's (admin API).
      return sendError(res, new HttpError(403, 'documents are created by the administrator'));
    }
    if (method === 'DELETE' && uri.nodeSelector === undefined) {
      return sendError(res, new HttpError(403, 'documents are deleted by the administrator'));
    }
    if (version !== undefined) return sendError(res, new HttpError(400, '?version= applies to a GET of a whole document'));
    req.url = target;
    return next();
  });

  /** GET/HEAD of a whole document (RFC 4825 clause 7.3) with get-with-version (TS 23.280 10.1.4.3). */
  async function getDocument(req: IncomingMessage, res: ServerResponse, uri: XcapUri, version: number | undefined | 'bad'): Promise<void> {
    let current: StoredDocument | undefined = perUeDocument(store, uri.document, uri.documentSelector);
    if (current === undefined) throw new HttpError(404, 'no such document');
    if (version === 'bad') throw new HttpError(400, 'version must be a number');
    if (version !== undefined) {
      const old = await store.getVersion(uri.documentSelector, version);
      if (old === undefined) throw new HttpError(404, `version ${version} is not kept (kept: ${store.history(uri.documentSelector).map((h) => h.version).join(', ')})`);
      current = old;
    }
    const decision = decideGetWithVersion({
      current,
      history: () => store.historyView(uri.documentSelector),
      ifMatch: header(req, 'if-match'),
      ifNoneMatch: header(req, 'if-none-match'),
      ueVersion: header(req, PROFILE_VERSION_HEADER.toLowerCase()),
      policy: options.uploadRequestPolicy,
    });
    const representation = representationOf(current);
    const headers: Record<string, string> = { etag: representation.quotedEtag, [PROFILE_VERSION_HEADER]: String(current.version) };
    if (decision.kind === 'not-modified') return send(res, 304, headers, undefined, 'Not Modified (already synchronized)');
    if (decision.kind === 'precondition-failed') throw new HttpError(412, 'precondition failed', { etag: representation.quotedEtag });
    if (decision.uploadRequested) headers[UPLOAD_REQUESTED_HEADER] = 'true';
    headers['content-type'] = current.contentType;
    send(res, 200, headers, representation.bytes, decision.uploadRequested ? 'OK (upload requested)' : undefined);
  }

  router.use(
    createXcapRouter({
      registry,
      store,
      xcapRoot: options.xcapRoot,
      authenticate: (req) => (req.res ? principalFromLocals(req.res) : undefined),
    }),
  );

  const prefix = `${options.xcapRootPath}/`;
  function serveDocumentRead(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if ((method !== 'GET' && method !== 'HEAD') || req.url === undefined || !req.url.startsWith(prefix)) return false;
    const { target, version } = splitVersionQuery(req.url.slice(options.xcapRootPath.length));
    let uri: XcapUri;
    try {
      uri = uris.parse(target);
    } catch {
      return false;
    }
    if (uri.nodeSelector !== undefined || registry.get(uri.document.auid) === undefined) return false;
    readDocument(req, res, uri, version).catch((err: unknown) => {
      logger.error({ err }, 'xcap GET failed');
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: 'server_error', detail: (err as Error)?.message ?? 'internal error' }));
      else res.destroy();
    });
    return true;
  }

  return { router, serveDocumentRead };
}

/** The principal res.locals carries (set by the XCAP root before the engine runs). */
export function principalFromLocals(res: Response): Principal | undefined {
  return res.locals['principal'] as Principal | undefined;
}
