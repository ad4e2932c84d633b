import express, { type Router, type Request, type Response, type NextFunction } from 'express';
import type Provider from 'oidc-provider';
import type { PrismaClient } from '@mcx/db';
import { authenticate, type Accounts } from '../accounts/accounts.ts';
import { escapeHtml } from './provider.ts';

/**
 * The IdMS user authentication page (TS 33.180 annex B.4: the IdMS authenticates the MC user;
 * username/password here). oidc-provider hands the browser over to /interaction/:uid; the
 * account logs in with a form; the result returns to the authorization endpoint.
 */
export function loginPageRouter(deps: { provider: () => Provider; prisma: PrismaClient; accounts: Accounts; scryptCost: number; systemId: string }): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  function page(res: Response, uid: string, body: string, status = 200): void {
    res
      .status(status)
      .set('cache-control', 'no-store')
      .type('html')
      .send(
        `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(deps.systemId)} IdMS</title></head><body>` +
          `<h1>${escapeHtml(deps.systemId)} identity management server</h1>${body}</body></html>`,
      );
    void uid;
  }

  function loginForm(uid: string, error?: string, username = ''): string {
    return (
      (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '') +
      `<form method="post" action="/interaction/${escapeHtml(uid)}/login" autocomplete="off">` +
      `<label>Username <input name="username" value="${escapeHtml(username)}" required autofocus></label>` +
      `<label>Password <input name="password" type="password" required></label>` +
      `<button type="submit">Sign in</button></form>`
    );
  }

  router.get('/interaction/:uid', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const details = await deps.provider().interactionDetails(req, res);
      const uid = details.uid;
      if (details.prompt.name === 'login') return page(res, uid, loginForm(uid));
      // Consent for a pre-registered MC client: a confirmation, the scopes being those the account is entitled to.
      return page(
        res,
        uid,
        `<p>Continue to ${escapeHtml(String(details.params['client_id']))}?</p>` +
          `<form method="post" action="/interaction/${escapeHtml(uid)}/confirm"><input type="hidden" name="confirm" value="yes"><button type="submit">Continue</button></form>`,
      );
    } catch (err) {
      next(err);
    }
  });

  router.post('/interaction/:uid/login', form, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const provider = deps.provider();
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'login') return res.status(400).type('text').send('no login pending');
      const username = typeof req.body?.username === 'string' ? req.body.username : '';
      const password = typeof req.body?.password === 'string' ? req.body.password : '';
      const account = await authenticate({ prisma: deps.prisma, accounts: deps.accounts }, username, password, deps.scryptCost);
      if (!account) return page(res, details.uid, loginForm(details.uid, 'Invalid username or password', username), 200);
      // The user just authenticated with the pre-registered client's request in front of them:
      // consent is given with the login (one round trip less).
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: account.id, amr: ['pwd'] }, consent: {} },
        { mergeWithLastSubmission: false },
      );
    } catch (err) {
      next(err);
    }
  });

  router.post('/interaction/:uid/confirm', form, async (req: Request, res: Response, next: NextFunction) => {
    try {
      const provider = deps.provider();
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'consent') return res.status(400).type('text').send('no consent pending');
      await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    } catch (err) {
      next(err);
    }
  });

  return router;
}
