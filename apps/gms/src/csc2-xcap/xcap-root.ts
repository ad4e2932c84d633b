/**
 * The CSC-2 XCAP root of the GMS (TS 24.481 clause 6; RFC 4825): an express router serving the
 * group application usage. Authentication first (RFC 6750: no or invalid token → 401 with a
 * `WWW-Authenticate: Bearer` challenge; a valid token without permission → 403 from the usage's
 * authorization policy), then the generic XCAP engine of @mcx/xcap over the GMS document store.
 */
import { Router, type Request } from 'express';
import { TokenError } from '@mcx/auth';
import { createXcapRouter, XCAP_CAPS_AUID, type ApplicationUsageRegistry, type DocumentStore, type Principal } from '@mcx/xcap';
import type { Authenticator } from './authentication.ts';

export interface GroupXcapRootOptions {
  registry: ApplicationUsageRegistry;
  store: DocumentStore;
  authenticator: Authenticator;
  /** Absolute XCAP root URI (the xcap-root of NOTIFYs and the base of `<ancestor>`). */
  xcapRoot: string;
}

type AuthenticatedRequest = Request & { gmsPrincipal?: Principal };

export function createGroupXcapRoot(options: GroupXcapRootOptions): Router {
  const router = Router();
  router.use(async (req: AuthenticatedRequest, res, next) => {
    // RFC 4825 clause 12.1: the capabilities document is how a client learns what the server
    // supports before it uses it, so it is served without a token, as at the CMS.
    if (req.path.split('/')[1] === XCAP_CAPS_AUID) return next();
    try {
      req.gmsPrincipal = await options.authenticator.principalOfRequest(req.get('authorization'));
      next();
    } catch (err) {
      if (!(err instanceof TokenError)) return next(err);
      res.setHeader('WWW-Authenticate', err.challenge('gms'));
      res.status(err.status).json(err.toJSON());
    }
  });
  router.use(
    createXcapRouter({
      registry: options.registry,
      store: options.store,
      xcapRoot: options.xcapRoot,
      authenticate: (req) => (req as AuthenticatedRequest).gmsPrincipal,
    }),
  );
  return router;
}
