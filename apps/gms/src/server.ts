/**
 * startGms: the group management server of one MC system (TS 24.481; TS 23.280 clause 7.5.2,
 * CSC-2): the XCAP root for group documents, the xcap-diff notifier for group documents on
 * SIP (UDP and TCP) and the admin API. Binding happens here; seeding is a separate call
 * (server contracts).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createTokenVerifier, MC_SCOPES } from '@mcx/auth';
import { createHttpServer, schemeOf } from '@mcx/lab-ca';
import { databaseHealth, databaseUnavailableHandler, openChangeFeed, openDatabase, sendHealth, type ChangeFeed, type Database } from '@mcx/db';
import { listenUdpAndTcp, sharedLoopLag, SipEndpoint } from '@mcx/sip';
import { ApplicationUsageRegistry, XcapService } from '@mcx/xcap';
import { startReplicaTakeover, type ReplicaTakeover } from '@mcx/xcap-diff-notifier';
import { createAdminRouter } from './admin/admin-router.ts';
import { GroupOperations } from './admin/group-operations.ts';
import { parseGmsConfig, type GmsConfig, type GmsConfigInput } from './config/config.ts';
import { Authenticator } from './csc2-xcap/authentication.ts';
import { createGroupUsage } from './csc2-xcap/group-usage.ts';
import { createGroupXcapRoot } from './csc2-xcap/xcap-root.ts';
import { createGroupNotifier, type SubscriptionSummary } from './group-subscriptions/group-notifier.ts';
import { httpOverload } from './http-overload/http-overload.ts';
import { seedGroups, type GmsSeedInput, type SeedResult } from './seed/seed.ts';
import { GroupAdministrators } from './store/administrators.ts';
import { GroupDirectory } from './store/group-directory.ts';
import { PrismaDocumentStore } from './store/prisma-document-store.ts';
import { ValidatedGroups } from './store/validated-groups.ts';

export interface StartGmsDeps {
  /** A database opened by the caller (not closed by close()); default: opened from config.database. */
  db?: Database;
  logger?: Logger;
  /** Observer of every answered or failed NOTIFY (benchmarks, tests). */
  onNotified?: (subscriber: string, status: number) => void;
}

export interface GmsHandle {
  systemId: string;
  /** `https://<host>:<port>` (`http://` without `tls`; also the default token audience). */
  httpUrl: string;
  /** `<httpUrl>/xcap-root`: the GMS XCAP root URI (TS 24.484 `<GMS-XCAP-root-URI>`). */
  xcapRoot: string;
  /** Admin API root `<httpUrl>/admin`. */
  adminUrl: string;
  /** The notifier over UDP, e.g. `sip:gms@127.0.0.1:5070`, and over TCP (`;transport=tcp`). */
  sipUri: string;
  sipTcpUri: string;
  /** The GMS PSI `sip:gms@<domain>` (the Request-URI of SUBSCRIBEs). */
  psi: string;
  /** The `aud` access tokens must carry. */
  audience: string;
  config: GmsConfig;
  /** Creates the absent groups (idempotent). */
  seed(input: GmsSeedInput): Promise<SeedResult>;
  subscriptions(): SubscriptionSummary[];
  close(): Promise<void>;
}


export async function startGms(input: GmsConfigInput | GmsConfig, deps: StartGmsDeps = {}): Promise<GmsHandle> {
  const config = parseGmsConfig(input);
  const log = (deps.logger ?? pino({ level: config.logLevel })).child({ system: config.systemId, app: 'gms' });
  const db = deps.db ?? (await openDatabase({ name: `${config.systemId}-gms`, ...config.database }));
  const ownsDb = deps.db === undefined;
  let server: Server | undefined;
  let endpoint: SipEndpoint | undefined;
  let stopLoopLag = () => undefined as void;
  let feed: ChangeFeed | undefined;
  let store: PrismaDocumentStore | undefined;
  let takeover: ReplicaTakeover | undefined;
  try {
    // Replicas (issue #17): changes fan out between the instances of this GMS (shared on PostgreSQL).
    const instance = config.replica ? `${config.serverName}/${config.replica}` : config.serverName;
    feed = await openChangeFeed(db, { instance, replicated: config.replica !== undefined, onError: (err) => log.warn({ err }, 'change feed: connection lost; reconnecting') });
    // The in-memory view: documents, groups and memberships, administrators.
    store = await PrismaDocumentStore.open(db, config.serverName, feed);
    const validated = new ValidatedGroups();
    const directory = new GroupDirectory(validated);
    for (const doc of store.all()) directory.apply({ selector: doc.selector, previous: undefined, next: doc });
    store.onChange((c) => directory.apply(c));
    const administrators = GroupAdministrators.load(store);

    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    server = createHttpServer(app, config.tls);
    const httpServer = server;
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.httpPort, config.host, () => resolve());
    });
    const httpUrl = config.publicUrl?.replace(/\/$/, '') ?? `${schemeOf(config.tls)}://${config.host}:${(server.address() as AddressInfo).port}`;
    const xcapRoot = `${httpUrl}/xcap-root`;
    const audience = config.audience ?? httpUrl;

    const verifier = createTokenVerifier({
      issuer: config.idmsIssuer,
      audience,
      requiredScopes: [MC_SCOPES.pttGroupManagement],
      ...(config.idmsJwksUri ? { jwksUri: config.idmsJwksUri } : {}),
    });
    const authenticator = new Authenticator(verifier, config.adminToken);
    const registry = new ApplicationUsageRegistry([createGroupUsage({ directory, administrators, validated })]);
    const service = new XcapService({ registry, store });
    const groups = new GroupOperations({ service, store, directory, administrators, domain: config.domain, xcapRoot });

    // RFC 3261 clause 21.5.4: a GMS that cannot keep up answers new SUBSCRIBEs 503 + Retry-After.
    endpoint = await SipEndpoint.create({
      transports: await listenUdpAndTcp(config.host, config.sipPort),
      advertisedHost: config.host,
      logger: log,
      overload: config.sipOverload,
      ...(config.sipContact ? { contactAddress: config.sipContact } : {}),
    });
    const notifier = createGroupNotifier({
      endpoint,
      store,
      directory,
      administrators,
      tokens: verifier,
      xcapRoot,
      db,
      serverName: instance,
      warnAgent: `gms.${config.domain}`,
      defaultExpires: config.defaultExpires,
      maxExpires: config.maxExpires,
      logger: log,
      ...(deps.onNotified ? { onNotified: deps.onNotified } : {}),
    });
    const restored = await notifier.restore();
    takeover = startReplicaTakeover({
      db,
      feed,
      group: config.serverName,
      restore: () => notifier.restore(),
      held: () => [...notifier.notifier.subscriptions()].map((s) => s.id),
      release: (id) => notifier.notifier.release(id),
      log: (f, m) => log.info(f, m),
    });

    const health = databaseHealth(db.prisma);
    app.get('/healthz', (_req, res) => sendHealth(res, health, { system: config.systemId, app: 'gms' }));
    // A saturated GMS answers XCAP and admin requests 503 + Retry-After (the health probe above is always answered).
    const loopLag = sharedLoopLag();
    loopLag.start();
    stopLoopLag = () => loopLag.stop();
    app.use(httpOverload({ lag: loopLag, ...config.httpOverload }));
    app.use('/xcap-root', createGroupXcapRoot({ registry, store, authenticator, xcapRoot }));
    app.use('/admin', createAdminRouter({ adminToken: config.adminToken, groups, administrators, notifier }));
    app.use(databaseUnavailableHandler(health));
    app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      const status = (err as { status?: number }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) return void res.status(status).json({ error: (err as Error).message });
      log.error({ err }, 'gms: request failed');
      res.status(500).json({ error: 'internal error' });
    });

    // The address clients use: the SIP front's when replicas run behind one.
    const front = config.sipContact;
    const sipUri = front ? `sip:gms@${front.host}:${front.port}` : endpoint.uri('udp', 'gms');
    const sipTcpUri = front ? `sip:gms@${front.host}:${front.port};transport=tcp` : endpoint.uri('tcp', 'gms');
    log.info({ httpUrl, xcapRoot, sipUri, sipTcpUri, groups: directory.size, restored }, 'gms listening');

    const sip = endpoint;
    const replicaFeed = feed;
    const replicaStore = store;
    const replicaTakeover = takeover;
    let closing: Promise<void> | undefined;
    return {
      systemId: config.systemId,
      httpUrl,
      xcapRoot,
      adminUrl: `${httpUrl}/admin`,
      sipUri,
      sipTcpUri,
      psi: `sip:gms@${config.domain}`,
      audience,
      config,
      seed: (seedInput) => seedGroups(seedInput, groups, administrators),
      subscriptions: () => notifier.list(),
      close: () =>
        (closing ??= (async () => {
          replicaTakeover.close();
          await notifier.close();
          await sip.close();
          stopLoopLag();
          httpServer.closeAllConnections();
          await new Promise<void>((resolve) => httpServer.close(() => resolve()));
          replicaStore.close();
          await replicaFeed.close();
          if (ownsDb) await db.close();
        })()),
    };
  } catch (err) {
    takeover?.close();
    store?.close();
    await feed?.close();
    await endpoint?.close().catch(() => undefined);
    stopLoopLag();
    server?.close();
    if (ownsDb) await db.close();
    throw err;
  }
}
