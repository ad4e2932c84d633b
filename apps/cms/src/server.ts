/**
 * `startCms(config, deps?)`: binds the CMS of one MC system (docs/server-contracts.md):
 * HTTP (CSC-4 XCAP root, admin API, CSC-5, CSC-17, /healthz) and SIP on UDP and TCP on the same
 * port (subscription proxy, TS 24.484 clause 6.3.13.2.2). Seeding is a separate call.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createHttpServer, schemeOf } from '@mcx/lab-ca';
import { databaseHealth, databaseUnavailableHandler, openChangeFeed, openDatabase, sendHealth, type Database } from '@mcx/db';
import { listenUdpAndTcp, SipEndpoint } from '@mcx/sip';
import { parseCmsConfig, type CmsConfig, type CmsConfigInput } from './config/config.ts';
import { CmsDocumentStore } from './store/document-store.ts';
import { cmsApplicationUsages, xmlLimitsOf } from './csc4-xcap/application-usages.ts';
import { WriteChecker } from './csc4-xcap/write-checker.ts';
import { createTokenAuthenticator } from './csc4-xcap/authentication.ts';
import { createXcapRoot, type XcapRoot } from './csc4-xcap/xcap-root.ts';
import { createSubscriptionProxy, type SubscriptionProxy } from './subscription-proxy/subscription-proxy.ts';
import { createAdminRouter } from './admin/admin-router.ts';
import { OutboundSharing, type ShareStatus, type ShareSummary } from './csc17-partner-sharing/outbound.ts';
import { assignMigratedMcpttId } from '@mcx/auth';
import { createCsc17Router } from './csc17-partner-sharing/inbound.ts';
import { httpIdmsHook, noIdmsHook, type IdmsMigrationHook } from './csc17-partner-sharing/idms-hook.ts';
import { createCsc5Router } from './csc5/csc5-router.ts';
import { HeldAuthorizations } from './csc5/held-authorizations.ts';
import { seedCms, seedUser, type CmsSeed, type SeedResult, type SeedUser } from './seed/seed.ts';
import { EtagMismatch } from '@mcx/xcap';
import { startReplicaTakeover } from '@mcx/xcap-diff-notifier';

export interface StartCmsDeps {
  /** A database opened by the caller (then `close()` leaves it open). */
  db?: Database;
  logger?: Logger;
  /** Replaces the IdMS hook from `config.idmsAdmin` (tests). */
  idmsHook?: IdmsMigrationHook;
}

export interface CmsHandle {
  config: CmsConfig;
  /** `https://<host>:<port>` (`http://` without `tls`) */
  httpUrl: string;
  /** `<httpUrl>/xcap-root` (RFC 4825 XCAP root). */
  xcapRoot: string;
  /** Token audience the CMS accepts. */
  audience: string;
  /** PSI of the subscription proxy `sip:cms@<domain>` (Request-URI of the SUBSCRIBE). */
  psi: string;
  /** Where to send SIP: `sip:cms@<host>:<port>` (UDP) and `...;transport=tcp`. */
  sipUri: string;
  sipTcpUri: string;
  sipPort: number;
  store: CmsDocumentStore;
  subscriptionProxy: SubscriptionProxy;
  /** Where whole-document writes are checked (worker threads for large bodies). */
  writeChecker: WriteChecker;
  db: Database;
  /** Idempotent seeding (creates absent documents, records CSC-17 shares, then pushes them). */
  seed(input: CmsSeed): Promise<SeedResult>;
  /** Replaces the partner list (their URLs are known only once they listen); validated like the config. */
  setPartners(partners: CmsConfigInput['partners']): void;
  /** Pushes pending CSC-17 shares/revocations to the partner CMSs now. */
  shareMigrations(): Promise<ShareSummary>;
  migrations(): Promise<ShareStatus[]>;
  close(): Promise<void>;
}


export async function startCms(input: CmsConfigInput, deps: StartCmsDeps = {}): Promise<CmsHandle> {
  const config = parseCmsConfig(input);
  const level = config.logger.level ?? (process.env['MCX_LOG'] as CmsConfig['logger']['level']) ?? 'silent';
  const logger = (deps.logger ?? pino({ level })).child({ system: config.systemId, app: 'cms' });
  const ownsDb = deps.db === undefined;
  const db =
    deps.db ??
    (await openDatabase({
      ...config.database,
      ...(config.database.url ? {} : { name: config.database.name ?? `${config.systemId}-cms` }),
    }));
  const cleanups: Array<() => Promise<void> | void> = [];
  if (ownsDb) cleanups.push(() => db.close());
  try {
    let partners = config.partners;
    // Replicas (issue #17): changes fan out between the instances of this CMS (the only instance: a local feed).
    const instance = config.replica ? `${config.serverName}/${config.replica}` : config.serverName;
    const feed = await openChangeFeed(db, { instance, replicated: config.replica !== undefined, onError: (err) => logger.warn({ err }, 'change feed: connection lost; reconnecting') });
    cleanups.unshift(() => feed.close());
    const store = await CmsDocumentStore.open(db, config.serverName, config.versionHistoryLimit, feed);
    cleanups.unshift(() => store.close());
    const held = await HeldAuthorizations.load(db, config.serverName, feed);
    cleanups.unshift(() => held.close());
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    // Whole-document GETs of the XCAP root (the UEs' conditional GETs) are answered before express.
    const fast: { read?: XcapRoot['serveDocumentRead'] } = {};
    const server: Server = createHttpServer((req, res) => {
      if (fast.read?.(req, res)) return;
      app(req, res);
    }, config.tls);
    server.listen(config.httpPort, config.host);
    await once(server, 'listening');
    cleanups.unshift(() => new Promise<void>((resolve) => server.close(() => resolve())));
    server.keepAliveTimeout = 5000;
    const port = (server.address() as AddressInfo).port;
    const ownUrl = `${schemeOf(config.tls)}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const httpUrl = config.publicUrl?.replace(/\/$/, '') ?? ownUrl;
    const xcapRoot = `${httpUrl}${config.xcapRootPath}`;
    const audience = config.audience ?? httpUrl;
    const tokens = createTokenAuthenticator({
      issuer: config.idmsIssuer,
      audience,
      ...(config.idmsJwksUri ? { jwksUri: config.idmsJwksUri } : {}),
      cacheSize: config.tokenCacheSize,
    });

    const endpoint = await SipEndpoint.create({
      transports: await listenUdpAndTcp(config.host, config.sipPort),
      timers: config.sipTimers,
      userAgent: `mcx-cms/${config.systemId}`,
      ...(config.sipContact ? { contactAddress: config.sipContact } : {}),
    });
    cleanups.unshift(() => endpoint.close());
    const subscriptionProxy = createSubscriptionProxy({
      endpoint,
      store,
      db,
      serverName: instance,
      tokens,
      xcapRoot,
      warnAgent: `cms.${config.domain}`,
      logger,
    });
    cleanups.unshift(() => subscriptionProxy.close());
    await subscriptionProxy.restore();
    const takeover = startReplicaTakeover({
      db,
      feed,
      group: config.serverName,
      restore: () => subscriptionProxy.restore(),
      held: () => [...subscriptionProxy.notifier.subscriptions()].map((s) => s.id),
      release: (id) => subscriptionProxy.notifier.release(id),
      log: (f, m) => logger.info(f, m),
    });
    cleanups.unshift(() => takeover.close());

    const sharing = new OutboundSharing(db, {
      systemId: config.systemId,
      serverName: config.serverName,
      partners: () => partners,
      retryMs: config.shareRetryMs,
      store,
      logger,
      feed,
    });
    cleanups.unshift(() => sharing.close());
    const writeChecker = new WriteChecker(config.writeChecks);
    cleanups.push(() => writeChecker.close());
    const hook = deps.idmsHook ?? (config.idmsAdmin ? httpIdmsHook(config.idmsAdmin) : noIdmsHook);
    const target = {
      store,
      domain: config.domain,
      recordShare: (mcpttId: string, partner: string, selector: string, access: number[]) => sharing.record(mcpttId, partner, selector, access, { onlyIfAbsent: true }),
    };
    async function seed(seedInput: CmsSeed): Promise<SeedResult> {
      const r = await seedCms(target, seedInput);
      if (r.shares.length > 0) await sharing.shareMigrations();
      return r;
    }
    async function seedOneUser(user: SeedUser): Promise<SeedResult> {
      const result: SeedResult = { created: [], existing: 0, shares: [] };
      await seedUser(
        target,
        user,
        async (selector, contentType, body) => {
          if (store.peek(selector)) return void result.existing++;
          try {
            await store.put(selector, body(), { ifEtag: null, contentType, cause: 'admin' });
            result.created.push(selector);
          } catch (err) {
            if (!(err instanceof EtagMismatch)) throw err;
            result.existing++;
          }
        },
        result,
      );
      if (result.shares.length > 0) await sharing.shareMigrations();
      return result;
    }

    const health = databaseHealth(db.prisma);
    app.get('/healthz', (_req, res) => sendHealth(res, health, { system: config.systemId, app: 'cms' }));
    const xcapRootHandler = createXcapRoot({
      store,
      registry: cmsApplicationUsages(config.documentLimits, writeChecker),
      tokens,
      xcapRoot,
      xcapRootPath: config.xcapRootPath,
      uploadRequestPolicy: config.uploadRequestPolicy,
      logger,
    });
    app.use(config.xcapRootPath, xcapRootHandler.router);
    fast.read = xcapRootHandler.serveDocumentRead;
    app.use('/admin', createAdminRouter({ adminToken: config.adminToken, store, sharing, seed, seedUser: seedOneUser, writeChecker, limits: xmlLimitsOf(config.documentLimits) }));
    app.use(
      '/csc17',
      createCsc17Router({
        db,
        store,
        systemId: config.systemId,
        domain: config.domain,
        serverName: config.serverName,
        adminToken: config.adminToken,
        trustedHomeSystems: () => partners.map((p) => p.systemId),
        writeChecker,
        limits: xmlLimitsOf(config.documentLimits),
        hook,
        held,
        assignId: (id, home) => (config.migratedIds ? assignMigratedMcpttId(id, home, config.domain, config.migratedIds.assigned) : id),
        logger,
      }),
    );
    app.use('/csc5', createCsc5Router({ held, adminToken: config.adminToken }));
    app.use(databaseUnavailableHandler(health));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      logger.error({ err }, 'request failed');
      if (!res.headersSent) res.status(500).json({ error: 'server_error', detail: (err as Error)?.message ?? 'internal error' });
    });

    // The address clients use: the SIP front's when replicas run behind one.
    const sip = config.sipContact ?? endpoint.address('udp');
    const sipHost = sip.host.includes(':') ? `[${sip.host}]` : sip.host;
    let closed: Promise<void> | undefined;
    logger.info({ httpUrl, sipPort: sip.port, documents: store.size }, 'cms started');
    return {
      config,
      httpUrl,
      xcapRoot,
      audience,
      psi: `sip:cms@${config.domain}`,
      sipUri: `sip:cms@${sipHost}:${sip.port}`,
      sipTcpUri: `sip:cms@${sipHost}:${sip.port};transport=tcp`,
      sipPort: sip.port,
      store,
      subscriptionProxy,
      db,
      writeChecker,
      seed,
      shareMigrations: () => sharing.shareMigrations(),
      setPartners(next) {
        partners = parseCmsConfig({ ...input, partners: next }).partners;
      },
      migrations: () => sharing.list(),
      close() {
        closed ??= (async () => {
          for (const c of cleanups) await c();
        })();
        return closed;
      },
    };
  } catch (err) {
    for (const c of cleanups) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  }
}
