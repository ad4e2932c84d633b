/**
 * The console server: serves the built UI and a small JSON API for it. It knows nothing about the
 * MC servers' internals: the composition root (`mcx up`) gives it the systems' health checks, the
 * admin document access (CMS admin API) and the UE host URL (proxied, SSE included).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response } from 'express';
import { ConsoleLogin } from './login.ts';

export interface ServerHealth {
  name: 'IdMS' | 'CMS' | 'GMS' | 'MCS';
  url: string;
  up: boolean;
  detail?: string;
}

/** One probe of an instance (issue #17): HTTP `/healthz` of its own URL, or SIP OPTIONS to its own port. */
export interface InstanceCheck {
  kind: 'http' | 'sip';
  /** The URL or SIP URI probed. */
  target: string;
  up: boolean;
  detail?: string;
}

/** One instance of a system's CMS, GMS or MCS (issue #17): its own addresses, not the fronts', and its process. */
export interface InstanceInfo {
  role: 'cms' | 'gms' | 'mcs';
  /** Instance number, 1..replicas. */
  replica: number;
  /** The instance's own HTTP base URL (CMS, GMS). */
  http?: string;
  /** The instance's own SIP URI (UDP; TCP on the same port). */
  sip?: string;
  /** The process it runs in: `mcx up`, `system-<id>` (`processes: per-system`) or `replica-<k>`. */
  process: string;
  pid?: number;
}

/** One instance and its health, probed directly (not through a front). */
export interface InstanceHealth extends InstanceInfo {
  /** Every direct check answered. */
  up: boolean;
  checks: InstanceCheck[];
  /** Up or down as each front before this role sees the instance (only where the fronts run in `mcx up`'s process). */
  seenByFront?: { haproxy?: boolean; kamailio?: boolean };
}

/** A front before a role's instances (replicas > 1): HAProxy for HTTP, Kamailio's dispatcher for SIP. */
export interface FrontInfo {
  role: 'cms' | 'gms' | 'mcs';
  kind: 'haproxy' | 'kamailio';
  /** `host:port` it listens on (the ecosystem file's port of the role). */
  address: string;
}

/** A front and the instances as it sees them. */
export interface FrontHealth extends FrontInfo {
  /** Each instance as the front sees it (absent: the front runs in another process, or did not answer: see detail). */
  backends?: { replica: number; up: boolean }[];
  detail?: string;
}

/** A system's instances and fronts (`GET /api/instances`). */
export interface SystemInstances {
  instances: InstanceHealth[];
  fronts: FrontHealth[];
}

export interface ConsoleSystem {
  id: string;
  name: string;
  role: 'primary' | 'partner';
  plmns: string[];
  domain: string;
}

/** One kept version of a document (CMS admin API `history`). */
export interface DocumentVersionInfo {
  version: number;
  etag: string;
  createdAt: string;
}

export interface AdminDocumentAccess {
  get(
    systemId: string,
    selector: string,
  ): Promise<{ selector: string; body: string; etag: string; version?: number; history?: DocumentVersionInfo[] }>;
  /** One kept earlier version (CMS admin API `?version=N`). */
  getVersion?(
    systemId: string,
    selector: string,
    version: number,
  ): Promise<{ selector: string; body: string; etag: string; version: number }>;
  put(
    systemId: string,
    selector: string,
    body: string,
    etag: string,
  ): Promise<{ selector: string; body: string; etag: string; version?: number; unchanged?: boolean }>;
}

/** A user of the ecosystem file: the console starts UEs for them (UE host API `POST /api/ues`). */
export interface ConsoleUser {
  username: string;
  /** The user's primary MC system. */
  home: string;
  mcpttId: string;
  displayName?: string;
}

/** A group of a GMS (admin API `GET /admin/groups`), with its members' MCPTT IDs. */
export interface ConsoleGroup {
  groupId: string;
  displayName?: string;
  members: string[];
}

/** Group membership through a system's GMS admin API (add/remove member). */
export interface GroupAdminAccess {
  list(systemId: string): Promise<ConsoleGroup[]>;
  addMember(systemId: string, groupId: string, mcpttId: string): Promise<void>;
  removeMember(systemId: string, groupId: string, mcpttId: string): Promise<void>;
}

/**
 * How long `/api/systems` waits for a system's health checks before it reports every server of
 * that system down (our choice: a badge must turn within a few seconds, not after SIP timer F).
 */
export const HEALTH_TIMEOUT_MS = 2500;

/** The console's icon (served for /favicon.ico and /favicon.svg; browsers ask for it on every page). */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f4e79"/>' +
  '<path d="M7 23V9l5 7 4-7 4 7 5-7v14" fill="none" stroke="#fff" stroke-width="2.5" stroke-linejoin="round"/></svg>';

export interface ConsoleOptions {
  host?: string;
  port?: number;
  ueHostUrl: string;
  /**
   * The lab control secret: the console's login secret (login.ts) and the UE host API's bearer
   * token the proxy adds. Required: the console never runs without a login.
   */
  controlToken: string;
  systems: ConsoleSystem[];
  health(systemId: string): Promise<ServerHealth[]>;
  /** Every instance of the system's CMS, GMS and MCS with its health, and the fronts (`GET /api/instances`); absent: an empty list. */
  instances?(systemId: string): Promise<SystemInstances>;
  admin: AdminDocumentAccess;
  /** The ecosystem's users (the UE start form's picker). */
  users?: ConsoleUser[];
  /** Group membership (GMS admin API); absent: the console shows no groups. */
  groups?: GroupAdminAccess;
  /** Directory of the built UI (default: this package's dist/ui). */
  uiDir?: string;
}

export interface ConsoleHandle {
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui', import.meta.url));

/** An error from an upstream server, passed on with its status (e.g. 412 from a stale ETag). */
export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startConsole(options: ConsoleOptions): Promise<ConsoleHandle> {
  const app = express();
  app.disable('x-powered-by');
  const uiDir = options.uiDir ?? DEFAULT_UI_DIR;
  const login = new ConsoleLogin(options.controlToken);
  // No CORS anywhere; no framing (clickjacking); no Referer to another origin (the login link carries the token).
  app.use((_req, res, next) => {
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });

  app.get('/healthz', (_req, res) => res.json({ ok: true, app: 'console' }));
  for (const path of ['/favicon.ico', '/favicon.svg'])
    app.get(path, (_req, res) => res.type('image/svg+xml').setHeader('cache-control', 'max-age=86400').send(FAVICON_SVG));
  // Every /api route needs a session (same-origin) or the bearer secret.
  app.use('/api', login.api());
  app.use(login.routes());
  // A system whose health checks do not answer in time is reported down, server by server (the
  // names last seen), so a badge never stays green for a system that stopped answering.
  const lastServers = new Map<string, ServerHealth[]>();
  /** The checks' answer, or undefined when they fail or do not answer within HEALTH_TIMEOUT_MS. */
  const withinDeadline = async <T>(checks: () => Promise<T>): Promise<T | undefined> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), HEALTH_TIMEOUT_MS);
    });
    try {
      return await Promise.race([checks().catch(() => undefined), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  const noAnswer = `no health answer within ${HEALTH_TIMEOUT_MS} ms`;
  const healthOf = async (systemId: string): Promise<ServerHealth[]> => {
    const servers = await withinDeadline(() => options.health(systemId));
    if (servers) {
      lastServers.set(systemId, servers);
      return servers;
    }
    return (lastServers.get(systemId) ?? []).map((s) => ({ ...s, up: false, detail: noAnswer }));
  };
  // The same for the instances: unanswered, every instance last seen is reported down (and the fronts' view dropped).
  const lastInstances = new Map<string, SystemInstances>();
  const instancesOf = async (systemId: string): Promise<SystemInstances> => {
    if (!options.instances) return { instances: [], fronts: [] };
    const answer = await withinDeadline(() => options.instances!(systemId));
    if (answer) {
      lastInstances.set(systemId, answer);
      return answer;
    }
    const last = lastInstances.get(systemId) ?? { instances: [], fronts: [] };
    return {
      instances: last.instances.map(({ seenByFront: _seen, ...i }) => ({ ...i, up: false, checks: i.checks.map((c) => ({ ...c, up: false, detail: noAnswer })) })),
      fronts: last.fronts.map(({ backends: _backends, ...f }) => ({ ...f, detail: noAnswer })),
    };
  };
  app.get('/api/systems', async (_req, res) => {
    const systems = await Promise.all(options.systems.map(async (s) => ({ ...s, servers: await healthOf(s.id) })));
    res.setHeader('cache-control', 'no-store');
    res.json(systems);
  });
  // Issue #17: each instance of each system's CMS, GMS and MCS, probed directly, and the fronts' view.
  app.get('/api/instances', async (_req, res) => {
    const systems = await Promise.all(options.systems.map(async (s) => ({ id: s.id, name: s.name, ...(await instancesOf(s.id)) })));
    res.setHeader('cache-control', 'no-store');
    res.json(systems);
  });
  app.get('/api/users', (_req, res) => {
    res.json(options.users ?? []);
  });

  const selectorOf = (req: Request) => (typeof req.query.selector === 'string' ? req.query.selector : '');
  const fail = (res: Response, err: unknown) => {
    const status = err instanceof UpstreamError ? err.status : 502;
    res
      .status(status)
      .type('text/plain')
      .send(err instanceof Error ? err.message : String(err));
  };
  app.get('/api/admin/:system/document', async (req, res) => {
    try {
      res.json(await options.admin.get(String(req.params.system), selectorOf(req)));
    } catch (err) {
      fail(res, err);
    }
  });
  app.get('/api/admin/:system/document/version', async (req, res) => {
    const version = Number(req.query.version);
    if (!Number.isInteger(version) || version < 1)
      return res.status(400).json({ error: 'invalid_request', error_description: 'version is a positive integer' });
    if (!options.admin.getVersion)
      return res.status(404).json({ error: 'not_found', error_description: 'no version access' });
    try {
      res.json(await options.admin.getVersion(String(req.params.system), selectorOf(req), version));
    } catch (err) {
      fail(res, err);
    }
  });
  app.get('/api/admin/:system/groups', async (req, res) => {
    try {
      res.json(options.groups ? await options.groups.list(String(req.params.system)) : []);
    } catch (err) {
      fail(res, err);
    }
  });
  for (const method of ['put', 'delete'] as const)
    app[method]('/api/admin/:system/groups/:groupId/members/:mcpttId', async (req, res) => {
      if (!options.groups) return res.status(404).json({ error: 'not_found', error_description: 'no group access' });
      const { system, groupId, mcpttId } = req.params as Record<string, string>;
      try {
        if (method === 'put') await options.groups.addMember(system!, groupId!, mcpttId!);
        else await options.groups.removeMember(system!, groupId!, mcpttId!);
        res.status(204).end();
      } catch (err) {
        fail(res, err);
      }
    });
  app.put('/api/admin/:system/document', express.json({ limit: '1mb' }), async (req, res) => {
    const { body, etag } = (req.body ?? {}) as { body?: unknown; etag?: unknown };
    if (typeof body !== 'string' || typeof etag !== 'string')
      return res.status(400).type('text/plain').send('body and etag (strings) are required');
    try {
      res.json(await options.admin.put(String(req.params.system), selectorOf(req), body, etag));
    } catch (err) {
      fail(res, err);
    }
  });

  // The UE host's control API, proxied so the page needs one origin (server-sent events stream through).
  app.use('/api/ue', async (req, res) => {
    const target = new URL(req.originalUrl.replace(/^\/api\/ue/, ''), options.ueHostUrl);
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    try {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const chunks: Buffer[] = [];
      if (hasBody) for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(target, {
        method: req.method,
        headers: {
          'content-type': req.get('content-type') ?? 'application/json',
          accept: req.get('accept') ?? '*/*',
          authorization: `Bearer ${options.controlToken}`,
        },
        ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
        signal: controller.signal,
      });
      res.status(upstream.status);
      for (const h of ['content-type', 'cache-control']) {
        const v = upstream.headers.get(h);
        if (v) res.setHeader(h, v);
      }
      if (!upstream.body) return res.end();
      res.flushHeaders();
      for await (const chunk of upstream.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      res.end();
    } catch (err) {
      if (!res.headersSent)
        res
          .status(502)
          .type('text/plain')
          .send(`UE host unreachable: ${(err as Error).message}`);
      else res.end();
    }
  });

  app.use(login.page());
  if (existsSync(uiDir)) app.use(express.static(uiDir));
  else
    app.get('/', (_req, res) =>
      res
        .status(503)
        .type('text/plain')
        .send(`console UI not built (${uiDir}); run: npm run build -w @mcx/console`),
    );

  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// From src/server/ and from dist/server/ (scripts/build-dist.mjs) alike.
const UI_SOURCES = fileURLToPath(new URL('../../src/ui', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the UI with Vite when it is missing or older than its sources (first `mcx up` after `npm install`). */
export async function ensureUiBuilt(uiDir = DEFAULT_UI_DIR): Promise<void> {
  const index = join(uiDir, 'index.html');
  if (existsSync(index) && (!existsSync(UI_SOURCES) || statSync(index).mtimeMs >= newestMtime(UI_SOURCES)))
    return;
  const { build } = await import('vite');
  await build({
    configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
}
