import { timingSafeEqual } from 'node:crypto';
import express, { type Router, type Request, type Response, type NextFunction } from 'express';
import { decodeProtectedHeader, type JWK, type JWTPayload } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '@mcx/auth';
import type { IdmsConfig } from '../config/config.ts';
import type { OidcPayloadStore } from '../storage/payload-store.ts';

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of this IdMS's JWT access tokens.
 * oidc-provider does not store JWT access tokens and refuses them at both endpoints; a partner
 * IdMS must nevertheless learn that a migration token was revoked. So:
 * - a migration token (audience = a partner IdMS) is recorded when minted, with its grant; the
 *   record disappears when the grant is revoked (refresh token revoked, logout);
 * - revoking a JWT access token records its `jti` until it expires;
 * - introspection of a JWT: our signature, unexpired, not revoked, and for a migration token
 *   its record (i.e. its grant) still present.
 * Opaque tokens (refresh tokens) fall through to oidc-provider. The records are read from memory
 * (OidcPayloadStore, written through). A revoked migration token is pushed to the partner IdMS
 * it is for (../revocation-push/).
 */
export const MIGRATION_TOKEN_KIND = 'MigrationAccessToken';
export const REVOKED_TOKEN_KIND = 'RevokedAccessToken';

export async function recordMigrationToken(store: OidcPayloadStore, t: { jti: string; grantId: string | undefined; exp: number; audience: string }): Promise<void> {
  await store.create({
    id: `${MIGRATION_TOKEN_KIND}:${t.jti}`,
    kind: MIGRATION_TOKEN_KIND,
    payload: JSON.stringify({ aud: t.audience }),
    grantId: t.grantId ?? null,
    expiresAt: new Date(t.exp * 1000),
  });
}

/** A migration token that is no longer active, for the partner IdMS it was minted for. */
export interface RevokedMigrationToken {
  jti: string;
  /** The partner IdMS issuer (the token's `aud`). */
  audience: string;
  exp: number;
}

/** The migration tokens among rows removed with their grant. */
export function migrationTokensOf(rows: { id: string; kind: string; payload: string; expiresAt: Date | null }[]): RevokedMigrationToken[] {
  return rows
    .filter((r) => r.kind === MIGRATION_TOKEN_KIND && r.expiresAt)
    .map((r) => ({ jti: r.id.slice(MIGRATION_TOKEN_KIND.length + 1), audience: String((JSON.parse(r.payload) as { aud?: unknown }).aud), exp: Math.floor(r.expiresAt!.getTime() / 1000) }));
}

export interface OwnAccessTokenDeps {
  issuer: string;
  config: () => IdmsConfig;
  store: OidcPayloadStore;
  publicJwks: () => JWK[];
  /** Told when a migration token is revoked here (RFC 7009), to push it to its partner IdMS. */
  migrationTokenRevoked?: (t: RevokedMigrationToken) => Promise<void>;
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

/**
 * One verifier per key ring (rebuilt when the keys rotate): the public keys are imported once,
 * and each token's verification is kept until it expires (@mcx/auth's cache).
 */
function ownVerifier(deps: OwnAccessTokenDeps): () => TokenVerifier {
  let jwks: JWK[] | undefined;
  let verifier: TokenVerifier | undefined;
  return () => {
    const current = deps.publicJwks();
    if (!verifier || current !== jwks) {
      jwks = current;
      // Any audience: this IdMS's tokens are for its CMS, GMS, MCS or a partner IdMS; callers check it.
      // The keys are those published at the jwks_uri a client discovering the issuer is given
      // (oidc-provider: /jwks on the issuer's origin; served by server.ts), so a signature this
      // process's CMS, GMS or MCS checked against that URI is not checked again here (issue #14).
      verifier = createTokenVerifier({
        issuer: deps.issuer,
        audience: null,
        jwks: { keys: current },
        jwksUri: new URL('/jwks', deps.issuer).href,
        requiredClaims: ['exp'],
        clockTolerance: 0,
      });
    }
    return verifier;
  };
}

export function ownAccessTokens(deps: OwnAccessTokenDeps): OwnAccessTokens {
  const verifier = ownVerifier(deps);
  return {
    async verify(token) {
      try {
        return (await verifier().verify(token)).claims;
      } catch {
        return undefined;
      }
    },
    async isActive(payload) {
      const jti = payload.jti;
      if (!jti) return false;
      if (deps.store.get(`${REVOKED_TOKEN_KIND}:${jti}`)) return false;
      const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      const migration = deps.config().partners.some((p) => aud.includes(p.issuer));
      if (migration) return deps.store.get(`${MIGRATION_TOKEN_KIND}:${jti}`) !== undefined;
      return true;
    },
  };
}

export function jwtTokenStatusRouter(deps: OwnAccessTokenDeps, own: OwnAccessTokens = ownAccessTokens(deps)): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
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
        await deps.store.upsert({ id: `${REVOKED_TOKEN_KIND}:${payload.jti}`, kind: REVOKED_TOKEN_KIND, payload: '{}', grantId: null, expiresAt: new Date(payload.exp * 1000) });
        const aud = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
        const partner = deps.config().partners.find((p) => aud.includes(p.issuer));
        // Before answering (our choice): once the client has its 200, the partner refuses the token.
        if (partner) await deps.migrationTokenRevoked?.({ jti: payload.jti, audience: partner.issuer, exp: payload.exp });
      }
      return res.status(200).end();
    } catch (err) {
      next(err);
    }
  });

  return router;
}
