import { createHmac } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express, type Request, type Response, type NextFunction } from 'express';
import type Provider from 'oidc-provider';
import { pino, type Logger } from 'pino';
import { createHttpServer, schemeOf } from '@mcx/lab-ca';
import { databaseHealth, databaseUnavailableHandler, openDatabase, sendHealth, type Database } from '@mcx/db';
import { parseIdmsConfig, type IdmsConfig, type IdmsConfigInput } from './config/config.ts';
import { loadKeyRing, rotateSigningKey, type KeyRing } from './keys/signing-keys.ts';
import { createProvider } from './csc1-oidc/provider.ts';
import { answerDatabaseUnavailable, markDatabaseUnavailable } from './csc1-oidc/database-unavailable.ts';
import { describeResourceServers } from './csc1-oidc/resource-servers.ts';
import { loginPageRouter } from './csc1-oidc/login-page.ts';
import { recordAccessTokenGrant, registerTokenExchange, tokenExchangeSteps } from './token-exchange/index.ts';
import { jwtTokenStatusRouter, migrationTokensOf, ownAccessTokens, recordMigrationToken } from './jwt-token-status/jwt-token-status.ts';
import { userinfoRouter } from './csc1-oidc/userinfo.ts';
import { OidcPayloadStore } from './storage/payload-store.ts';
import { adminRouter } from './admin/admin-api.ts';
import { Accounts, upsertAccount, type UpsertAccountInput } from './accounts/accounts.ts';
import { MigrationAuthorizations } from './migration/authorizations.ts';
import { revocationTransmitter } from './revocation-push/transmitter.ts';
import { PartnerRevocations, revocationReceiverRouter } from './revocation-push/receiver.ts';

/** oidc-provider's token endpoint (its default route). */
const TOKEN_PATH = '/token';

export interface IdmsHandle {
  /** Base URL the server listens on. */
  url: string;
  issuer: string;
  config(): IdmsConfig;
  app: Express;
  server: Server;
  db: Database;
  /** The current oidc-provider instance (replaced on key rotation). */
  provider(): Provider;
  /**
   * Key rotation: a new signing key from now on; the previous public key stays in the JWKS until
   * the tokens it signed have expired.
   */
  rotateSigningKey(): Promise<void>;
  /**
   * Changes partners and/or clients at run time (e.g. once both systems of an ecosystem listen
   * and their issuers are known). Sessions and tokens survive (they live in the database).
   */
  reconfigure(patch: Partial<Pick<IdmsConfigInput, 'partners' | 'clients' | 'adminToken'>>): Promise<void>;
  /** Creates or updates the given accounts (idempotent seeding from the ecosystem file). */
  seed(input: IdmsSeed): Promise<{ accounts: number }>;
  close(): Promise<void>;
}

/** What an IdMS is seeded with: its MC users' accounts. */
export interface IdmsSeed {
  accounts: UpsertAccountInput[];
}

export interface StartIdmsOptions {
  /** An open database; default: opened from config.database (and closed with the server). */
  db?: Database;
  /**
   * The logger (pino, as the CMS, GMS and MCS take it); default: pino at `config.logger.level`,
   * else $MCX_LOG, else silent. Server errors and 5xx answers are logged at error level.
   */
  logger?: Logger;
}

/**
 * Starts one IdMS (CSC-1) for one MC system: listens, loads or creates its signing keys,
 * builds the OpenID provider and the token exchange for migrating users. Pure apart from the
 * socket and the database it is given; `mcx up` and tests call it in-process.
 */
export async function startIdms(input: IdmsConfigInput | IdmsConfig, options: StartIdmsOptions = {}): Promise<IdmsHandle> {
  let config = parseIdmsConfig(input);
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase(config.database));
  const { prisma } = db;
  const health = databaseHealth(prisma);
  const level = config.logger.level ?? (process.env['MCX_LOG'] as IdmsConfig['logger']['level']) ?? 'silent';
  const logger = (options.logger ?? pino({ level })).child({ system: config.systemId, app: 'idms' });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', true);
  // Every 5xx answer is logged, with the error when one reached the error handler below
  // (oidc-provider renders its own errors; it reports them as `server_error` events).
  // Called before any routing, so `req.url` is the URL as requested (routers rewrite it later).
  const logServerErrors = (req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }) => {
    const { method, url } = req;
    res.on('finish', () => {
      if (res.statusCode >= 500) logger.error({ err: res.locals?.['error'], method, url, status: res.statusCode }, 'request failed');
    });
  };
  app.use((req: Request, res: Response, next: NextFunction) => {
    logServerErrors(req, res);
    next();
  });
  // The token endpoint (RFC 6749 clause 3.2: every grant, token exchange included) goes straight to
  // the OpenID provider: none of the express routes below answers it, and walking them cost CPU on
  // every token request (issue #14; our choice). Its 5xx answers are logged as above.
  let tokenEndpoint: RequestListener | undefined;
  const server = createHttpServer((req, res) => {
    if (tokenEndpoint && req.method === 'POST' && req.url === TOKEN_PATH) {
      logServerErrors(req, res);
      tokenEndpoint(req, res);
      return;
    }
    void app(req, res);
  }, config.tls);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `${schemeOf(config.tls)}://${hostForUrl}:${port}`;
  const issuer = config.issuer ?? url;

  // What a token check and a migration authorization read lives in memory, written through.
  const store = await OidcPayloadStore.load(prisma, config.serverName);
  const accounts = await Accounts.load(prisma);
  const authorizations = await MigrationAuthorizations.load(prisma);
  const revocations = PartnerRevocations.load(store);
  const transmitter = revocationTransmitter({
    issuer,
    config: () => config,
    store,
    signingKey: () => keys.privateJwks[0]!,
    signingAlg: config.signingAlg,
    logger,
  });
  const pushRevokedGrant = async (rows: Parameters<typeof migrationTokensOf>[0]) => {
    for (const t of migrationTokensOf(rows)) await transmitter.push(t);
  };

  let keys: KeyRing;
  let provider: Provider;
  let callback: ReturnType<Provider['callback']>;
  async function build(): Promise<void> {
    keys = await loadKeyRing(db, config.serverName, config.signingAlg);
    const legs = tokenExchangeSteps({
      config,
      issuer,
      resourceServers: describeResourceServers(config),
      ownTokens,
      store,
      revocations,
      authorizations,
    });
    const p = createProvider({
      config,
      issuer,
      prisma,
      store,
      accounts,
      grantRevoked: pushRevokedGrant,
      signingJwks: keys.privateJwks,
      cookieKeys,
      onJwtAccessToken: async (t) => {
        if (t.resource.kind === 'partner-idms') {
          await recordMigrationToken(store, { jti: t.jti, grantId: t.grantId, exp: t.exp, audience: t.resource.identifier });
        } else if (t.grantId) {
          // Its grant, for the token exchange at the primary leg (TS 33.180 annex B.7).
          await recordAccessTokenGrant(store, { jti: t.jti, grantId: t.grantId, exp: t.exp });
        }
      },
    });
    registerTokenExchange(p, issuer, legs);
    p.use(answerDatabaseUnavailable(health));
    p.on('server_error', (ctx, err) => {
      if (!markDatabaseUnavailable(ctx, err)) logger.error({ err }, 'oidc provider server_error');
    });
    provider = p;
    callback = p.callback();
    const handle = callback;
    tokenEndpoint = (req, res) => void handle(req, res);
  }

  // Cookie signing keys: configured, or derived from the first signing key (stable across restarts).
  const firstKeys = await loadKeyRing(db, config.serverName, config.signingAlg);
  const cookieKeys =
    config.cookieKeys ??
    [createHmac('sha256', String(firstKeys.privateJwks[0]?.['d'] ?? firstKeys.activeKid)).update(`cookie:${config.systemId}`).digest('base64url')];
  const tokenDeps = { issuer, config: () => config, store, publicJwks: () => keys.publicJwks, migrationTokenRevoked: (t: Parameters<typeof transmitter.push>[0]) => transmitter.push(t) };
  const ownTokens = ownAccessTokens(tokenDeps);
  await build();
  transmitter.resume();

  // JWKS (RFC 7517): active and retired-but-not-expired public keys.
  app.get('/jwks', (_req, res) => {
    res.set('cache-control', 'public, max-age=60').type('application/jwk-set+json').send(JSON.stringify({ keys: keys.publicJwks }));
  });
  // The health shape of every server (docs/server-contracts.md).
  app.get('/healthz', (_req, res) => sendHealth(res, health, { system: config.systemId, app: 'idms' }));
  app.use(adminRouter({ adminToken: () => config.adminToken, systemId: () => config.systemId, prisma, authorizations }));
  app.use(loginPageRouter({ provider: () => provider, prisma, accounts, scryptCost: config.scryptCost, systemId: config.systemId }));
  app.use(jwtTokenStatusRouter(tokenDeps, ownTokens));
  app.use(revocationReceiverRouter({ issuer, config: () => config, revocations }));
  app.use(userinfoRouter({ issuer, config: () => config, prisma, accounts, tokens: ownTokens }));
  app.use((req: Request, res: Response) => {
    void callback(req, res);
  });
  app.use(databaseUnavailableHandler(health));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; statusCode?: number; error?: string; error_description?: string; message?: string };
    const status = e.statusCode ?? e.status ?? 500;
    if (status >= 500) res.locals['error'] = err;
    res.status(status).type('html').send(`<!DOCTYPE html><html><body><h1>${status}</h1><p>${(e.error_description ?? e.error ?? 'error').replace(/[<>&"]/g, '')}</p></body></html>`);
  });

  const purge = setInterval(() => void store.purgeExpired().catch(() => {}), 10 * 60_000);
  purge.unref();

  logger.info({ url, issuer }, 'idms listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    issuer,
    config: () => config,
    app,
    server,
    db,
    provider: () => provider,
    async seed(input) {
      for (const account of input.accounts) await upsertAccount(db, account);
      return { accounts: input.accounts.length };
    },
    async rotateSigningKey() {
      const keep = Math.max(config.accessTokenTtl, config.idTokenTtl, config.migrationTokenTtl) + 60;
      await rotateSigningKey(db, config.serverName, config.signingAlg, keep);
      await build();
    },
    async reconfigure(patch) {
      config = parseIdmsConfig({ ...config, ...patch });
      await build();
    },
    close() {
      closed ??= (async () => {
        clearInterval(purge);
        transmitter.close();
        accounts.close();
        authorizations.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        if (ownsDb) await db.close();
      })();
      return closed;
    },
  };
}
