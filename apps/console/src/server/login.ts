/**
 * The console's login (our choice, the shape Jupyter uses): the console server is an admin proxy
 * (it holds both systems' admin credentials and the UE host's control secret), so nothing but its
 * health check and the UI's static files is served to a browser that has not logged in.
 *
 * - Credential: the lab control secret (`<dataDir>/secrets/control-token`). `mcx up` prints the
 *   console URL with it once: `http://127.0.0.1:7000/?token=...`.
 * - Login: `GET <any page>?token=<secret>` or the small form of `GET /login` (`POST /login`) sets a
 *   session cookie — HttpOnly, SameSite=Strict, Path=/ (RFC 6265bis clause 4.1.2.7) — and redirects
 *   (303) to the page without the token. Sessions live in this process (a restart logs out).
 * - `/api/*`: the session cookie, or the secret itself as `Authorization: Bearer` (RFC 6750 clause
 *   2.1, for scripts); otherwise 401 with `WWW-Authenticate: Bearer realm="mcx-console"` and
 *   `{ "error", "error_description" }`.
 * - CSRF: a cookie-authenticated request that a browser marks as coming from another origin
 *   (`Sec-Fetch-Site` other than `same-origin`/`none`, W3C Fetch Metadata) is refused, and a
 *   state-changing one (not GET/HEAD) must also prove it is same-origin: `Sec-Fetch-Site:
 *   same-origin`, or, from a client that sends no fetch metadata, an `Origin` (RFC 6454 clause 7)
 *   equal to the console's own origin.
 *   SameSite=Strict alone is not enough: another port of the same host is the same site.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';

export const SESSION_COOKIE = 'mcx-console-session';
const REALM = 'realm="mcx-console"';
/** Sessions kept at most (the oldest is forgotten first); a lab has a handful of browsers. Our choice. */
const MAX_SESSIONS = 1000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison with the control secret (both sides hashed: the length leaks nothing either). */
function isSecret(presented: string | undefined, secret: string): boolean {
  if (presented === undefined || secret.length === 0) return false;
  return timingSafeEqual(digest(presented), digest(secret));
}

function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** What authenticated a request, if anything. */
export type Authenticated = 'session' | 'bearer' | undefined;

export class ConsoleLogin {
  readonly #secret: string;
  readonly #sessions = new Set<string>();

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the console needs a control secret of at least 16 characters');
    this.#secret = secret;
  }

  authenticated(req: Request): Authenticated {
    const session = cookieOf(req, SESSION_COOKIE);
    if (session && this.#sessions.has(session)) return 'session';
    const bearer = /^Bearer +(\S+) *$/i.exec(req.headers.authorization ?? '')?.[1];
    return isSecret(bearer, this.#secret) ? 'bearer' : undefined;
  }

  /** Starts a session and sets its cookie. */
  #open(res: Response): void {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.add(id);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.values().next().value!);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`);
  }

  /** The routes of the login itself: `?token=` on any page, `/login` (form), `/logout`. */
  routes(): express.Router {
    const router = express.Router();
    router.get(/.*/, (req, res, next) => {
      const token = req.query['token'];
      if (typeof token !== 'string') return next();
      if (!isSecret(token, this.#secret)) return loginPage(res.status(401), 'That link does not carry this console\'s token.');
      this.#open(res);
      const url = new URL(req.originalUrl, 'http://console');
      url.searchParams.delete('token');
      res.redirect(303, `${url.pathname}${url.search}`);
    });
    router.get('/login', (_req, res) => loginPage(res));
    router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), (req, res) => {
      if (crossOrigin(req, true)) return refuseCrossOrigin(res);
      const token = (req.body as { token?: unknown } | undefined)?.token;
      if (typeof token !== 'string' || !isSecret(token, this.#secret)) return loginPage(res.status(401), 'Wrong token.');
      this.#open(res);
      res.redirect(303, '/');
    });
    router.post('/logout', (req, res) => {
      if (crossOrigin(req, true)) return refuseCrossOrigin(res);
      const session = cookieOf(req, SESSION_COOKIE);
      if (session) this.#sessions.delete(session);
      res.setHeader('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
      res.redirect(303, '/login');
    });
    return router;
  }

  /** Guards `/api/*`: a session (same-origin) or the bearer secret. */
  api() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const how = this.authenticated(req);
      if (how === 'bearer') return next();
      if (how === 'session') {
        if (crossOrigin(req, req.method !== 'GET' && req.method !== 'HEAD')) return refuseCrossOrigin(res);
        return next();
      }
      const presented = req.headers.authorization !== undefined || cookieOf(req, SESSION_COOKIE) !== undefined;
      const description = presented ? 'not a session or the control secret of this console' : 'log in first (the console URL that mcx up printed, or /login)';
      res.setHeader('WWW-Authenticate', presented ? `Bearer ${REALM}, error="invalid_token"` : `Bearer ${REALM}`);
      res.status(401).json({ error: presented ? 'invalid_token' : 'unauthorized', error_description: description });
    };
  }

  /** Guards the UI's page: without a session, the login form instead. */
  page() {
    return (req: Request, res: Response, next: NextFunction): void => {
      if ((req.path === '/' || req.path === '/index.html') && this.authenticated(req) !== 'session') return void res.redirect(303, '/login');
      next();
    };
  }
}

/**
 * True when the request comes from another origin. `stateChanging`: it must also prove it is
 * same-origin (`Origin` equal to ours, or `Sec-Fetch-Site: same-origin`).
 */
function crossOrigin(req: Request, stateChanging: boolean): boolean {
  // Sec-Fetch-Site is set by the browser alone (a page cannot forge it), so it decides when present;
  // `Origin` may be "null" on a same-origin form post (RFC 6454 clause 7.3), so it is the fallback.
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin');
  if (origin !== undefined) return origin !== `${req.protocol}://${req.get('host') ?? ''}`;
  return stateChanging;
}

function refuseCrossOrigin(res: Response): void {
  res.status(403).json({ error: 'forbidden', error_description: 'a request from another origin (cross-site request forgery protection)' });
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(res: Response, message?: string): void {
  res
    .type('html')
    .setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
    .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MCX console: log in</title>
<style>body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}input{width:100%;font:inherit;padding:.4rem}button{margin-top:.8rem;font:inherit;padding:.4rem 1rem}</style></head>
<body><main><h1>MCX console</h1>
<p>Open the console URL that <code>mcx up</code> printed, or enter the lab's control token (the file <code>&lt;dataDir&gt;/secrets/control-token</code>).</p>
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/login"><label for="token">Control token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Log in</button></form></main></body></html>
`);
}
