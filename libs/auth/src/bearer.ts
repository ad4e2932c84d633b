import type { McAccessToken } from './access-token.ts';
import { TokenError } from './token-error.ts';
import type { TokenVerifier } from './verifier.ts';

/**
 * Reads the token from `Authorization: Bearer` (RFC 6750 clause 2.1). Returns undefined when the
 * header is absent; a header with another scheme or a bad shape is malformed.
 */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization);
  if (!match) throw new TokenError('malformed', 'Authorization header is not a Bearer token');
  return match[1];
}

/** The minimum of an express (or node:http) request/response the middleware touches. */
interface RequestLike {
  headers: { authorization?: string | undefined };
  mcxPrincipal?: McAccessToken;
}
interface ResponseLike {
  status(code: number): ResponseLike;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

/**
 * Express middleware: verifies the bearer token, puts the principal on `req.mcxPrincipal`
 * (and `res.locals.principal` when present), or answers with the RFC 6750 clause 3 challenge.
 * TS 33.180 annex B.5: an invalid, expired or under-scoped token gets an error from the
 * resource server.
 */
export function requireAccessToken(
  verifier: TokenVerifier,
  options: { requiredScopes?: readonly string[]; realm?: string } = {},
) {
  return async (req: RequestLike, res: ResponseLike & { locals?: Record<string, unknown> }, next: (err?: unknown) => void) => {
    try {
      const token = bearerToken(req.headers.authorization);
      const principal = await verifier.verify(token, options.requiredScopes ? { requiredScopes: options.requiredScopes } : undefined);
      req.mcxPrincipal = principal;
      if (res.locals) res.locals['principal'] = principal;
      next();
    } catch (err) {
      if (!(err instanceof TokenError)) return next(err);
      res.setHeader('WWW-Authenticate', err.challenge(options.realm));
      res.status(err.status).json(err.toJSON());
    }
  };
}
