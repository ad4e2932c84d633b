/**
 * The admin credential of an MC system (docs/server-contracts.md "Admin credential"): one bearer
 * token per system, presented as `Authorization: Bearer <adminToken>` (RFC 6750 clause 2.1) to
 * the admin APIs of the IdMS, CMS and GMS and to the server-to-server APIs (CSC-5, CSC-17).
 * One check for all of them: a constant-time comparison, and a refusal that is an RFC 6750
 * clause 3 challenge with a JSON body in the OAuth error shape (RFC 6749 clause 5.2).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/**
 * True when `presented` is the admin token. Both sides are hashed first, so the comparison takes
 * the same time whatever the presented value (its length included).
 */
export function isAdminCredential(presented: string | undefined, adminToken: string): boolean {
  if (presented === undefined || adminToken.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(adminToken));
}

/** The token of an `Authorization: Bearer <token>` header; undefined for another scheme or none. */
function presentedBearer(authorization: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorization ?? '')?.[1];
}

/** The minimum of an express (or node:http) request/response the middleware touches. */
interface RequestLike {
  headers: { authorization?: string | undefined };
}
interface ResponseLike {
  status(code: number): ResponseLike;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
}

export interface AdminBearerOptions {
  /** RFC 6750 clause 3 `realm` of the challenge, e.g. `cms-admin`. */
  realm?: string;
}

/**
 * Express middleware admitting only the admin credential. `adminToken` is the token, or a function
 * returning the current one (a server whose configuration changes at run time).
 *
 * Refusals (RFC 6750 clause 3.1), always 401 with `{"error":"invalid_token","error_description":...}`:
 * - no `Authorization` header: `WWW-Authenticate: Bearer realm="..."` (no error code: the request
 *   carried no authentication, clause 3.1);
 * - any other credential: `WWW-Authenticate: Bearer realm="...", error="invalid_token", error_description="..."`.
 */
export function adminBearer(adminToken: string | (() => string), options: AdminBearerOptions = {}) {
  const current = typeof adminToken === 'function' ? adminToken : () => adminToken;
  const realm = options.realm ? `realm="${options.realm}"` : undefined;
  return (req: RequestLike, res: ResponseLike, next: (err?: unknown) => void): void => {
    const authorization = req.headers.authorization;
    if (isAdminCredential(presentedBearer(authorization), current())) return next();
    const description = authorization === undefined ? 'the admin credential is required' : 'not the admin credential of this system';
    const params = authorization === undefined ? [realm] : [realm, 'error="invalid_token"', `error_description="${description}"`];
    res.setHeader('WWW-Authenticate', `Bearer ${params.filter(Boolean).join(', ')}`.trimEnd());
    res.status(401).json({ error: 'invalid_token', error_description: description });
  };
}
