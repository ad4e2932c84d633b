/**
 * The UserInfo endpoint (OpenID Connect Core 1.0 clause 5.3) for the access tokens the UE
 * actually holds. With resource indicators (RFC 8707) every token of the code + PKCE login is a
 * JWT (RFC 9068) whose audience is the MC resource servers; oidc-provider answers userinfo only
 * for opaque tokens without an audience, so it refused all of them. This IdMS counts itself
 * among the audiences of its own MC service tokens (our choice): a JWT access token of this
 * IdMS, active (the checks of introspection), whose audience is this system's CMS, GMS and/or
 * MCS, is answered here; any other token falls through to oidc-provider.
 *
 * The answer carries the claims of the `openid` scope (`sub` and the MC service IDs, TS 33.180
 * annex B.1). The JWT does not record whether `profile` was granted, so its claims are not
 * released (our choice).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { PrismaClient } from '@mcx/db';
import type { JWTPayload } from 'jose';
import { findAccountById, type Accounts } from '../accounts/accounts.ts';
import type { IdmsConfig } from '../config/config.ts';
import { isJwt, type OwnAccessTokens } from '../jwt-token-status/jwt-token-status.ts';
import { mcIdClaims } from './provider.ts';

/** The userinfo endpoint path: oidc-provider's default `routes.userinfo`, which discovery advertises as `userinfo_endpoint`. */
export const USERINFO_PATH = '/me';

export interface UserinfoDeps {
  issuer: string;
  config: () => IdmsConfig;
  prisma: PrismaClient;
  accounts: Accounts;
  tokens: OwnAccessTokens;
}

/** RFC 6750 clause 2.1 (Authorization header) or 2.2 (form-encoded body parameter). */
function bearerToken(req: Request): string | undefined {
  const auth = req.get('authorization');
  const m = auth ? /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(auth) : null;
  if (m) return m[1];
  const body = req.body as { access_token?: unknown } | undefined;
  return typeof body?.access_token === 'string' ? body.access_token : undefined;
}

/** True when every audience of the token is one of this system's MC resource servers. */
function forOwnResourceServers(payload: JWTPayload, config: IdmsConfig): boolean {
  const own = new Set(Object.values(config.audiences));
  const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  return aud.length > 0 && aud.every((a) => own.has(a));
}

export function userinfoRouter(deps: UserinfoDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  /** RFC 6750 clause 3.1: 401 with a Bearer challenge naming invalid_token. */
  function invalidToken(res: Response, description: string): void {
    res
      .status(401)
      .set(
        'www-authenticate',
        `Bearer realm="${deps.issuer}", error="invalid_token", error_description="${description}"`,
      )
      .json({ error: 'invalid_token', error_description: description });
  }

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const token = bearerToken(req);
      if (token === undefined || !isJwt(token)) return next(); // no token or an opaque one: oidc-provider
      const payload = await deps.tokens.verify(token);
      const config = deps.config();
      if (!payload || !forOwnResourceServers(payload, config)) return next();
      res.set('cache-control', 'no-store');
      if (!(await deps.tokens.isActive(payload))) return invalidToken(res, 'access token revoked');
      const account =
        typeof payload.sub === 'string'
          ? await findAccountById({ prisma: deps.prisma, accounts: deps.accounts }, payload.sub)
          : undefined;
      if (!account) return invalidToken(res, 'associated account not found');
      // OpenID Connect Core clause 5.3.2: a JSON object whose `sub` is the ID token's.
      res.json({ sub: account.id, ...mcIdClaims(account) });
    } catch (err) {
      next(err);
    }
  };
  router.get(USERINFO_PATH, handle);
  router.post(USERINFO_PATH, form, handle);
  return router;
}
