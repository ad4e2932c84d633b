/**
 * The OpenID provider's answers while the database is away. oidc-provider renders every failure
 * of its adapter (apps/idms/src/storage) as `server_error` (500, or a redirect to the client
 * carrying `error=server_error`); a connection failure is "temporarily unavailable" instead:
 * - JSON endpoints (token, token exchange, userinfo...): 503 + Retry-After with
 *   `{ "error": "temporarily_unavailable", "error_description" }` (RFC 6749 clause 5.2 shape; the
 *   error code is the one RFC 6749 clause 4.1.2.1 defines for this situation);
 * - the authorization endpoint's redirect to the client: `error=temporarily_unavailable`
 *   (RFC 6749 clause 4.1.2.1), so the client knows to try again later.
 */
import { countDatabaseUnavailableAnswer, DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_DESCRIPTION, isDatabaseUnavailable, type DatabaseHealth } from '@mcx/db';
import type { KoaContextWithOIDC } from 'oidc-provider';

const MARK = 'mcxDatabaseUnavailable';

/** From the provider's `server_error` event: remembers that this request failed for want of the database. True when it did. */
export function markDatabaseUnavailable(ctx: KoaContextWithOIDC, err: unknown): boolean {
  if (!isDatabaseUnavailable(err)) return false;
  (ctx.state as Record<string, unknown>)[MARK] = true;
  return true;
}

/** Provider middleware (`provider.use`): rewrites the marked answers as said above. */
export function answerDatabaseUnavailable(health: DatabaseHealth) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>): Promise<void> => {
    await next();
    if (!(ctx.state as Record<string, unknown>)[MARK]) return;
    health.noteUnavailable();
    countDatabaseUnavailableAnswer();
    const location = ctx.response.get('location');
    if (ctx.status >= 300 && ctx.status < 400 && location) {
      const url = new URL(location);
      for (const params of [url.searchParams, new URLSearchParams(url.hash.slice(1))]) {
        if (params.get('error') !== 'server_error') continue;
        params.set('error', 'temporarily_unavailable');
        params.set('error_description', DATABASE_UNAVAILABLE_DESCRIPTION);
        if (params !== url.searchParams) url.hash = params.toString();
      }
      ctx.redirect(url.href);
      return;
    }
    ctx.status = 503;
    ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'temporarily_unavailable', error_description: DATABASE_UNAVAILABLE_DESCRIPTION };
  };
}
