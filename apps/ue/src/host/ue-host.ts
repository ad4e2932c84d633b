/**
 * startUeHost: one process hosting 1 to thousands of simulated MCS UEs. One SIP endpoint (UDP +
 * TCP on one port) carries every UE's dialogs, one timer heap (the endpoint's scheduler) every
 * UE's timers; each UE has its own HTTP client, the host's (host/http-client.ts, or UeHostDeps.fetch)
 * wrapped by the tap, so nothing global is replaced; the control API (control-api/) drives them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { discoverIdms } from '@mcx/auth';
import { listenUdpAndTcp, parseUri, SipEndpoint, targetFromUri, type Target } from '@mcx/sip';
import { loadHostSecret } from '../at-rest/protected-store.ts';
import { CopyLog } from '../at-rest/copy-log.ts';
import { ueHostConfigSchema, type UeHostConfig, type UeHostConfigInput, type UeHostSystem } from '../config/config.ts';
import { createControlApi } from '../control-api/control-api.ts';
import { dispatcherFetch } from './http-client.ts';
import { loadControlToken } from '../control-api/control-token.ts';
import type { PartnerSelectionPolicy, ProfileSelectionPolicy } from '../migration/policies.ts';
import { plmnMatchPartnerPolicy } from '../migration/select-partner.ts';
import { preSelectedFirstProfilePolicy } from '../migration/select-profile.ts';
import { Lanes } from '../tap/lanes.ts';
import { MessageLog } from '../tap/message-log.ts';
import { SipTap, type SipFault } from '../tap/sip-tap.ts';
import type { HostServices, IdmsConfiguration } from '../ue/host-services.ts';
import type { UeSnapshot } from '@mcx/ue-host-api';
import { Ue } from '../ue/ue.ts';

export interface CreateUeInput {
  id?: string;
  user: string;
  password?: string;
  plmn?: string;
  /** Start the online configuration now (default true). */
  start?: boolean;
}

export interface UeHostEvents {
  ue: (snapshot: UeSnapshot) => void;
  removed: (id: string) => void;
}

export interface UeHostHandle {
  /** Control API base URL. */
  url: string;
  /** The control API's bearer secret (config `controlToken`, or `<dataDir>/control-token`). */
  controlToken: string;
  config: UeHostConfig;
  endpoint: SipEndpoint;
  log: MessageLog;
  /** Creates (and by default starts) a UE; throws on an unknown user or a duplicate id. */
  createUe(input: CreateUeInput): Ue;
  ue(id: string): Ue | undefined;
  ues(): Ue[];
  removeUe(id: string): Promise<boolean>;
  /** Drops or delays a UE's SIP messages from/to one peer for a time (scenario fault injection; tap/sip-tap.ts). */
  addSipFault(fault: SipFault): void;
  /** Snapshot change listener (the SSE stream uses it). */
  onChange(listener: (snapshot: UeSnapshot) => void): () => void;
  onRemoved(listener: (id: string) => void): () => void;
  close(): Promise<void>;
}

export interface UeHostDeps {
  partnerPolicy?: PartnerSelectionPolicy;
  profilePolicy?: ProfileSelectionPolicy;
  /** The HTTP client every UE's (tapped) client wraps and OIDC discovery uses; default host/http-client.ts over undici's global dispatcher. */
  fetch?: typeof fetch;
}


/** PSI → transport address (the lab's IMS routing), from the systems' endpoints. */
function sipRoutes(systems: readonly UeHostSystem[]): Map<string, Target> {
  const routes = new Map<string, Target>();
  for (const s of systems) {
    for (const e of [s.endpoints.cms, s.endpoints.gms, s.endpoints.mcs]) {
      if (e?.psi && e.sip) routes.set(parseUri(e.psi).host.toLowerCase() + '|' + (parseUri(e.psi).user ?? ''), targetFromUri(e.sip));
    }
  }
  return routes;
}

export async function startUeHost(input: UeHostConfigInput, deps: UeHostDeps = {}): Promise<UeHostHandle> {
  const config = ueHostConfigSchema.parse(input);
  const level = config.logger.level ?? (process.env['MCX_LOG'] ? (process.env['MCX_LOG'] as pino.Level) : 'silent');
  const logger = pino({ level }).child({ app: 'ue-host' });
  const log = new MessageLog(config.messageLog.perUe, config.messageLog.maxBody);
  const lanes = Lanes.of(config.systems);
  const ues = new Map<string, Ue>();
  const sipTap = new SipTap(log, lanes, (id) => ues.has(id));
  const transports = (await listenUdpAndTcp(config.host, config.sipPort)).map((t) => sipTap.wrap(t));
  const endpoint = await SipEndpoint.create({ transports, userAgent: 'mcx-ue', timers: config.sipTimers, logger });
  const routes = sipRoutes(config.systems);
  const httpClient = deps.fetch ?? dispatcherFetch();
  const discovery = new Map<string, Promise<IdmsConfiguration>>();
  const changeListeners = new Set<(s: UeSnapshot) => void>();
  const removedListeners = new Set<(id: string) => void>();
  const pendingChange = new Set<string>();
  let flushScheduled = false;
  let running = 0;
  const waiting: (() => void)[] = [];

  const services: HostServices = {
    config,
    endpoint,
    log,
    lanes,
    secret: loadHostSecret(config.dataDir, config.secret),
    copies: new CopyLog(config.dataDir),
    logger,
    fetch: httpClient,
    route(uri) {
      const u = parseUri(uri);
      const hit = routes.get(`${u.host.toLowerCase()}|${u.user ?? ''}`);
      if (hit) return hit;
      if (u.port !== undefined || /^\d+\.\d+\.\d+\.\d+$|^\[|^localhost$/i.test(u.host)) return targetFromUri(uri);
      throw new Error(`no route to ${uri} (not a known PSI and no transport address)`);
    },
    idmsConfiguration(issuer) {
      let p = discovery.get(issuer);
      if (!p) {
        p = discoverIdms(issuer, config.ueClient.clientId, undefined, httpClient);
        discovery.set(issuer, p);
        p.catch(() => discovery.delete(issuer));
      }
      return p;
    },
    system: (id) => config.systems.find((s) => s.id === id),
    async limit(fn) {
      if (running >= config.concurrency) await new Promise<void>((r) => waiting.push(r));
      running += 1;
      try {
        return await fn();
      } finally {
        running -= 1;
        waiting.shift()?.();
      }
    },
    partnerPolicy: deps.partnerPolicy ?? plmnMatchPartnerPolicy,
    profilePolicy: deps.profilePolicy ?? preSelectedFirstProfilePolicy,
    // Snapshots are coalesced per tick: a burst of transitions costs one event per UE.
    changed(id) {
      if (changeListeners.size === 0) return;
      pendingChange.add(id);
      if (flushScheduled) return;
      flushScheduled = true;
      setImmediate(() => {
        flushScheduled = false;
        const ids = [...pendingChange];
        pendingChange.clear();
        for (const ueId of ids) {
          const ue = ues.get(ueId);
          if (!ue) continue;
          const snap = ue.snapshot();
          for (const l of changeListeners) l(snap);
        }
      });
    },
  };

  let counter = 0;
  const handle: UeHostHandle = {
    url: '',
    controlToken: loadControlToken(config.dataDir, config.controlToken),
    config,
    endpoint,
    log,
    createUe(i) {
      const id = i.id ?? `ue-${i.user}-${++counter}`;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) throw new Error(`bad UE id "${id}" (letters, digits, ".", "_", "-")`);
      if (ues.has(id)) throw new Error(`a UE with id "${id}" exists`);
      const user = config.users.find((u) => u.username === i.user);
      if (!user && !i.password) throw new Error(`unknown user "${i.user}"`);
      const home = user?.home ?? config.systems[0]!.id;
      const ue = new Ue(services, id, { username: i.user, password: i.password ?? user!.password, home }, i.plmn);
      ues.set(id, ue);
      services.changed(id);
      if (i.start !== false) void ue.start();
      return ue;
    },
    ue: (id) => ues.get(id),
    ues: () => [...ues.values()],
    addSipFault: (fault) => sipTap.addFault(fault),
    async removeUe(id) {
      const ue = ues.get(id);
      if (!ue) return false;
      // Best effort (ue.ts stop): the UE leaves the list even when a step of its stop failed.
      await ue.stop().catch((err: unknown) => logger.warn({ err, ue: id }, 'stopping the UE failed; removed anyway'));
      if (ues.get(id) !== ue) return true; // a concurrent DELETE removed it
      ues.delete(id);
      sipTap.forget(id);
      log.forget(id);
      for (const l of removedListeners) {
        try {
          l(id);
        } catch (err) {
          logger.warn({ err, ue: id }, 'a removal listener failed');
        }
      }
      return true;
    },
    onChange(l) {
      changeListeners.add(l);
      return () => changeListeners.delete(l);
    },
    onRemoved(l) {
      removedListeners.add(l);
      return () => removedListeners.delete(l);
    },
    close: async () => undefined,
  };

  const app = createControlApi(handle);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.port, config.host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  handle.url = `http://${config.host}:${addr.port}`;
  let closing: Promise<void> | undefined;
  handle.close = () => {
    closing ??= (async () => {
      await Promise.all([...ues.values()].map((ue) => ue.stop({ keepCopies: true }).catch(() => undefined)));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await endpoint.close();
      await services.copies.close();
    })();
    return closing;
  };
  logger.info({ url: handle.url, sip: endpoint.uri('udp') }, 'ue host listening');
  return handle;
}
