import { timingSafeEqual } from 'node:crypto';
import express, { type Router, type Request, type Response, type NextFunction } from 'express';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { PrismaClient } from '@mcx/db';
import type { IdmsConfig } from '../config/config.ts';

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of this IdMS's JWT access tokens.
 * oidc-provider does not store JWT access tokens and refuses them at both endpoints; a partner
 * IdMS must nevertheless learn that a migration token was revoked. So:
 * - a migration token (audience = a partner IdMS) is recorded when minted, with its grant; the
 *   record disappears when the grant is revoked (refresh token revoked, logout);
 * - revoking a JWT access token records its `jti` until it expires;
 * - introspection of a JWT: our signature, unexpired, not revoked, and for a migration token
 *   its record (i.e. its grant) still present.
 * Opaque tokens (refresh tokens) fall through to oidc-provider.
 */
export const MIGRATION_TOKEN_KIND = 'MigrationAccessToken';
export const REVOKED_TOKEN_KIND = 'RevokedAccessToken';

export async function recordMigrationToken(prisma: PrismaClient, server: string, t: { jti: string; grantId: string | undefined; exp: number; audience: string }): Promise<void> {
  const id = `${MIGRATION_TOKEN_KIND}:${t.jti}`;
  await prisma.oidcPayload.create({
    data: {
      id,
      server,
      kind: MIGRATION_TOKEN_KIND,
      payload: JSON.stringify({ aud: t.audience }),
      grantId: t.grantId ?? null,
      expiresAt: new Date(t.exp * 1000),
    },
  });
}

export interface OwnAccessTokenDeps {
  issuer: string;
  config: () => IdmsConfig;
  prisma: PrismaClient;
  publicJwks: () => JWK[];
}

export function isJwt(token: string): boolean {
  try {
    return !!decodeProtectedHeader(token);
  } catch {
    return false;
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 6749 clause 2.3.1: client_secret_basic or client_secret_post; public clients by client_id (RFC 7009 clause 2.1). */
function authenticateClient(req: Request, config: IdmsConfig, allowPublic: boolean): string | undefined {
  let id: string | undefined;
  let secret: string | undefined;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    id = decodeURIComponent(decoded.slice(0, colon));
    secret = decodeURIComponent(decoded.slice(colon + 1));
  } else if (typeof req.body?.client_id === 'string') {
    id = req.body.client_id;
    secret = typeof req.body.client_secret === 'string' ? req.body.client_secret : undefined;
  }
  const client = config.clients.find((c) => c.client_id === id);
  if (!client) return undefined;
  if (client.client_secret === undefined) return allowPublic && secret === undefined ? client.client_id : undefined;
  return secret !== undefined && safeEqual(secret, client.client_secret) ? client.client_id : undefined;
}

/** Checks of this IdMS's own JWT access tokens, shared by introspection, revocation and userinfo. */
export interface OwnAccessTokens {
  /** The payload when `token` is a JWT access token of this IdMS (signature, issuer, `typ`, expiry). */
  verify(token: string): Promise<JWTPayload | undefined>;
  /** Not revoked, and for a migration token its grant still present. */
  isActive(payload: JWTPayload): Promise<boolean>;
}

export function ownAccessTokens(deps: OwnAccessTokenDeps): OwnAccessTokens {
  const server = deps.config().serverName;
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, createLocalJWKSet({ keys: deps.publicJwks() }), { issuer: deps.issuer, typ: 'at+jwt' });
        return payload;
      } catch {
        return undefined;
      }
    },
    async isActive(payload) {
      const jti = payload.jti;
      if (!jti) return false;
      const rows = await deps.prisma.oidcPayload.findMany({
        where: { id: { in: [`${REVOKED_TOKEN_KIND}:${jti}`, `${MIGRATION_TOKEN_KIND}:${jti}`] } },
        select: { id: true, server: true },
      });
      if (rows.some((r) => r.id.startsWith(REVOKED_TOKEN_KIND) && r.server === server)) return false;
      const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const migration = deps.config().partners.some((p) => aud.includes(p.issuer));
      if (migration) return rows.some((r) => r.id.startsWith(MIGRATION_TOKEN_KIND) && r.server === server);
      return true;
    },
  };
}

export function jwtTokenStatusRouter(deps: OwnAccessTokenDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const server = deps.config().serverName;
  const own = ownAccessTokens(deps);
  const verifyOwn = (token: string) => own.verify(token);
  const isActive = (payload: JWTPayload) => own.isActive(payload);

  function passThrough(req: Request): boolean {
    return typeof req.body?.token !== 'string' || !isJwt(req.body.token);
  }

  router.post('/token/introspection', form, async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (passThrough(req)) return next(); // opaque token: oidc-provider (it accepts the parsed body)
      res.set('cache-control', 'no-store');
      const clientId = authenticateClient(req, deps.config(), false);
      if (!clientId) return res.status(401).set('www-authenticate', 'Basic realm="idms"').json({ error: 'invalid_client', error_description: 'client authentication failed' });
      const payload = await verifyOwn(req.body.token);
      if (!payload || !(await isActive(payload))) return res.json({ active: false });
      // RFC 7662 clause 2.2
      return res.json({ ...payload, active: true, token_type: 'Bearer' });
    } catch (err) {
      next(err);
    }
  });

  router.post('/token/revocation', form, async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (passThrough(req)) return next(); // opaque token: oidc-provider (it accepts the parsed body)
      const clientId = authenticateClient(req, deps.config(), true);
      if (!clientId) return res.status(401).json({ error: 'invalid_client', error_description: 'client authentication failed' });
      const payload = await verifyOwn(req.body.token);
      // RFC 7009 clause 2.2: invalid tokens and tokens of other clients get 200 and change nothing.
      if (payload?.jti && payload['client_id'] === clientId && payload.exp) {
        const id = `${REVOKED_TOKEN_KIND}:${payload.jti}`;
        const data = { server, kind: REVOKED_TOKEN_KIND, payload: '{}', expiresAt: new Date(payload.exp * 1000) };
        await deps.prisma.oidcPayload.upsert({ where: { id }, create: { id, ...data }, update: data });
      }
      return res.status(200).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
