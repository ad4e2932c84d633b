/**
 * The CMS XCAP root on CSC-4 (RFC 4825; TS 24.484 clause 6): authentication (TS 24.482 annex
 * A), the CMS access policy, the per-UE UE initial configuration, get-with-version for whole
 * documents (answered from the in-memory view: no database query for a 304), and everything
 * else (element/attribute GET, PUT, DELETE) through the generic @mcx/xcap engine on the same
 * store, so every change takes the one change path.
 */
import { Router, type Request, type Response } from 'express';
import { TokenError } from '@mcx/auth';
import {
  BadXcapUri,
  createXcapRouter,
  HttpError,
  parseXcapUri,
  quoteEtag,
  type ApplicationUsageRegistry,
  type Principal,
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
  uploadRequestPolicy: UploadRequestPolicy;
  logger: Logger;
}

/** Writes an answer; to HEAD with the GET answer's Content-Length and no content (RFC 9110 clauses 9.3.2 and 8.6). */
function send(res: Response, status: number, headers: Record<string, string>, body?: string, reason?: string): void {
  const buf = body === undefined ? undefined : Buffer.from(body, 'utf8');
  const h: Record<string, string | number> = { ...headers };
  if (buf !== undefined) h['content-length'] = buf.length;
  else if (status !== 304) h['content-length'] = 0;
  if (reason) res.writeHead(status, reason, h);
  else res.writeHead(status, h);
  res.end(res.req.method === 'HEAD' ? undefined : buf);
}

function sendError(res: Response, e: HttpError): void {
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

export function createXcapRoot(options: XcapRootOptions): Router {
  const { store, registry, tokens, logger } = options;
  const router = Router();

  router.use(async (req: Request, res: Response, next) => {
    const method = req.method.toUpperCase();
    const { target, version } = splitVersionQuery(req.url);
    let uri: XcapUri;
    try {
      uri = parseXcapUri(target);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e);
      return sendError(res, new BadXcapUri('not an XCAP URI'));
    }
    if (registry.get(uri.document.auid) === undefined) return next(); // xcap-caps or 404 from the engine
    const read = method === 'GET' || method === 'HEAD';
    let principal: Principal | undefined;
    if (!(read && isAnonymousReadable(uri.document))) {
      try {
        principal = principalOf(await tokens.fromHeader(req.get('authorization')));
      } catch (e) {
        if (!(e instanceof TokenError)) return next(e);
        const r = tokenRefusal(e);
        return send(res, r.status, r.headers, r.body);
      }
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
    if (!read || uri.nodeSelector !== undefined) {
      if (version !== undefined) return sendError(res, new HttpError(400, '?version= applies to a GET of a whole document'));
      req.url = target;
      return next();
    }
    try {
      await getDocument(req, res, uri, version);
    } catch (e) {
      if (e instanceof HttpError) return sendError(res, e);
      logger.error({ err: e }, 'xcap GET failed');
      next(e);
    }
  });

  /** GET/HEAD of a whole document (RFC 4825 clause 7.3) with get-with-version (TS 23.280 10.1.4.3). */
  async function getDocument(req: Request, res: Response, uri: XcapUri, version: number | undefined | 'bad'): Promise<void> {
    let current = perUeDocument(store, uri.document);
    if (current === undefined) throw new HttpError(404, 'no such document');
    if (version === 'bad') throw new HttpError(400, 'version must be a number');
    if (version !== undefined) {
      const old = await store.getVersion(uri.documentSelector, version);
      if (old === undefined) throw new HttpError(404, `version ${version} is not kept (kept: ${store.history(uri.documentSelector).map((h) => h.version).join(', ')})`);
      current = old;
    }
    const decision = decideGetWithVersion({
      current,
      history: store.history(uri.documentSelector),
      ifMatch: req.get('if-match'),
      ifNoneMatch: req.get('if-none-match'),
      ueVersion: req.get(PROFILE_VERSION_HEADER),
      policy: options.uploadRequestPolicy,
    });
    const headers: Record<string, string> = { etag: quoteEtag(current.etag), [PROFILE_VERSION_HEADER]: String(current.version) };
    if (decision.kind === 'not-modified') return send(res, 304, headers, undefined, 'Not Modified (already synchronized)');
    if (decision.kind === 'precondition-failed') throw new HttpError(412, 'precondition failed', { etag: quoteEtag(current.etag) });
    if (decision.uploadRequested) headers[UPLOAD_REQUESTED_HEADER] = 'true';
    headers['content-type'] = current.contentType;
    send(res, 200, headers, current.body, decision.uploadRequested ? 'OK (upload requested)' : undefined);
  }

  router.use(
    createXcapRouter({
      registry,
      store,
      xcapRoot: options.xcapRoot,
      authenticate: (req) => (req.res ? principalFromLocals(req.res) : undefined),
    }),
  );
  return router;
}

/** The principal res.locals carries (set by the XCAP root before the engine runs). */
export function principalFromLocals(res: Response): Principal | undefined {
  return res.locals['principal'] as Principal | undefined;
}
