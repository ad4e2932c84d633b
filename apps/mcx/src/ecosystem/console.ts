/**
 * Wires the console to the running systems: health checks (each server, and each instance of a
 * replicated one: issue #17) and admin document access (CMS admin API).
 */
import { mcpttIdOf } from '@mcx/ecosystem';
import type { RunningFront } from '@mcx/mc-system';
import { SipEndpoint } from '@mcx/sip';
import {
  startConsole,
  UpstreamError,
  type ConsoleHandle,
  type FrontHealth,
  type InstanceCheck,
  type InstanceHealth,
  type ServerHealth,
  type SystemInstances,
} from '@mcx/console';
import { frontsOf, instancesOf, type InstanceProcesses } from './runtime-endpoints.ts';
import type { SystemsView } from './systems-view.ts';

async function httpCheck(url: string): Promise<InstanceCheck> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    return { kind: 'http', target: url, up: res.ok, detail: `${url}/healthz → ${res.status}` };
  } catch (err) {
    return { kind: 'http', target: url, up: false, detail: (err as Error).message };
  }
}

async function httpHealth(name: ServerHealth['name'], url: string): Promise<ServerHealth> {
  const { up, detail } = await httpCheck(url);
  return { name, url, up, ...(detail ? { detail } : {}) };
}

/** The fronts' roles (fronts.ts of @mcx/mc-system) as the console names them: server role and front kind. */
const FRONT_ROLES: Record<RunningFront['role'], { role: InstanceHealth['role']; kind: FrontHealth['kind'] }> = {
  cms: { role: 'cms', kind: 'haproxy' },
  gms: { role: 'gms', kind: 'haproxy' },
  cmsSip: { role: 'cms', kind: 'kamailio' },
  gmsSip: { role: 'gms', kind: 'kamailio' },
  mcsSip: { role: 'mcs', kind: 'kamailio' },
};

/** The SIP OPTIONS probe's own deadline (our choice: a badge turns within seconds, not after timer F). */
const MCS_PROBE_TIMEOUT_MS = 2000;

/** An admin API's JSON error (`{ error, detail }`) passed on with its status. */
async function upstreamError(res: Response): Promise<UpstreamError> {
  return new UpstreamError(res.status, await res.text());
}

/** Encodes a document selector as a path below /admin/documents/ (each segment percent-encoded). */
export function adminDocumentUrl(cmsUrl: string, selector: string): string {
  return `${cmsUrl}/admin/documents/${selector.split('/').map(encodeURIComponent).join('/')}`;
}

export async function startConsoleFor(
  systems: SystemsView,
  options: {
    host: string;
    port: number;
    ueHostUrl: string;
    controlToken: string;
    /** Which process runs which instance (runtime-endpoints.ts). */
    processes?: InstanceProcesses;
  },
): Promise<ConsoleHandle> {
  // SIP OPTIONS to the MC service servers (RFC 3261 clause 11) from one small endpoint.
  const probe = await SipEndpoint.create({
    udp: { host: '127.0.0.1', port: 0 },
    tcp: false,
    timers: { t1: 100, t2: 400, t4: 500 },
  });
  const sipCheck = async (uri: string, host: string, port: number): Promise<InstanceCheck> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await Promise.race([
        probe.request({
          method: 'OPTIONS',
          uri,
          from: `<sip:console@127.0.0.1>`,
          target: { protocol: 'udp', host, port },
        }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to OPTIONS within ${MCS_PROBE_TIMEOUT_MS} ms`)), MCS_PROBE_TIMEOUT_MS);
        }),
      ]);
      return { kind: 'sip', target: uri, up: res.status === 200, detail: `OPTIONS → ${res.status}` };
    } catch (err) {
      return { kind: 'sip', target: uri, up: false, detail: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  };
  const mcsHealth = async (sys: SystemsView['systems'][number]): Promise<ServerHealth> => {
    const url = sys.mcs.sipUri;
    const { up, detail } = await sipCheck(url, sys.config.host, sys.config.ports.mcsSip);
    return { name: 'MCS', url, up, ...(detail ? { detail } : {}) };
  };
  // The fronts, where they run in this process (`processes: single`: McSystems.fronts); a system
  // process's fronts are out of reach, and the instances are then only probed directly.
  const runningFronts = (systems as Partial<{ fronts: readonly RunningFront[] }>).fronts ?? [];
  type FrontView = { role: InstanceHealth['role']; kind: FrontHealth['kind']; backends?: { backend: string; up: boolean }[]; error?: string };
  const frontView = async (systemId: string): Promise<FrontView[]> =>
    Promise.all(
      runningFronts
        .filter((f) => f.systemId === systemId)
        .map(async (f): Promise<FrontView> => {
          try {
            return { ...FRONT_ROLES[f.role], backends: await f.handle.health() };
          } catch (err) {
            return { ...FRONT_ROLES[f.role], error: (err as Error).message };
          }
        }),
    );
  const instances = async (systemId: string): Promise<SystemInstances> => {
    // The prepared ecosystem's system: every port fixed, replicaPorts included.
    const config = systems.ecosystem.systems.find((x) => x.id === systemId) ?? systems.system(systemId).config;
    const views = await frontView(systemId);
    const probed = await Promise.all(
      instancesOf(config, options.processes).map(async (i): Promise<InstanceHealth> => {
        const sip = /@([^;]+):(\d+);transport=/.exec(i.sip ?? '');
        const checks = await Promise.all([
          ...(i.http ? [httpCheck(i.http)] : []),
          ...(i.sip && sip ? [sipCheck(i.sip, sip[1]!.replace(/^\[(.*)\]$/, '$1'), Number(sip[2]))] : []),
        ]);
        // Backend names of fronts.ts: `<front role>-<k>` (cms-2, cmsSip-2, ...).
        const seen: InstanceHealth['seenByFront'] = {};
        for (const v of views.filter((x) => x.role === i.role && x.backends)) {
          const name = v.kind === 'haproxy' ? `${i.role}-${i.replica}` : `${i.role}Sip-${i.replica}`;
          const b = v.backends!.find((x) => x.backend === name);
          if (b) seen[v.kind] = b.up;
        }
        return { ...i, up: checks.every((c) => c.up), checks, ...(Object.keys(seen).length ? { seenByFront: seen } : {}) };
      }),
    );
    const fronts = frontsOf(config).map((f): FrontHealth => {
      const v = views.find((x) => x.role === f.role && x.kind === f.kind);
      if (!v) return f;
      if (!v.backends) return { ...f, detail: `the front did not answer: ${v.error ?? ''}` };
      return { ...f, backends: v.backends.map((b) => ({ replica: Number(/-(\d+)$/.exec(b.backend)?.[1]), up: b.up })) };
    });
    return { instances: probed, fronts };
  };
  const gmsAdmin = (systemId: string, path: string, method = 'GET') => {
    const sys = systems.system(systemId);
    return fetch(`${sys.gms.httpUrl}/admin${path}`, { method, headers: { authorization: `Bearer ${sys.admin.token}`, 'content-type': 'application/json' }, ...(method === 'PUT' ? { body: '{}' } : {}) });
  };
  const eco = systems.ecosystem;
  const handle = await startConsole({
    host: options.host,
    port: options.port,
    ueHostUrl: options.ueHostUrl,
    controlToken: options.controlToken,
    systems: systems.systems.map((s) => ({
      id: s.config.id,
      name: s.config.name,
      role: s.config.role,
      plmns: s.config.plmns,
      domain: s.config.domain,
    })),
    users: eco.users.map((u) => ({ username: u.username, home: u.home, mcpttId: mcpttIdOf(eco, u), ...(u.displayName ? { displayName: u.displayName } : {}) })),
    groups: {
      async list(systemId) {
        const res = await gmsAdmin(systemId, '/groups');
        if (!res.ok) throw await upstreamError(res);
        const { groups } = (await res.json()) as { groups: { groupId: string; displayName?: string; members: string[] }[] };
        return groups.map((g) => ({ groupId: g.groupId, ...(g.displayName ? { displayName: g.displayName } : {}), members: g.members }));
      },
      async addMember(systemId, groupId, mcpttId) {
        const res = await gmsAdmin(systemId, `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(mcpttId)}`, 'PUT');
        if (!res.ok) throw await upstreamError(res);
      },
      async removeMember(systemId, groupId, mcpttId) {
        const res = await gmsAdmin(systemId, `/groups/${encodeURIComponent(groupId)}/members/${encodeURIComponent(mcpttId)}`, 'DELETE');
        if (!res.ok) throw await upstreamError(res);
      },
    },
    async health(systemId) {
      const sys = systems.system(systemId);
      return Promise.all([
        httpHealth('IdMS', sys.idms.url),
        httpHealth('CMS', sys.cms.httpUrl),
        httpHealth('GMS', sys.gms.httpUrl),
        mcsHealth(sys),
      ]);
    },
    instances,
    admin: {
      async get(systemId, selector) {
        const sys = systems.system(systemId);
        const res = await fetch(adminDocumentUrl(sys.cms.httpUrl, selector), {
          headers: { authorization: `Bearer ${sys.admin.token}` },
        });
        if (!res.ok) throw new UpstreamError(res.status, await res.text());
        const doc = (await res.json()) as { selector: string; etag: string; version: number; body: string; history?: { version: number; etag: string; createdAt: string }[] };
        return { selector: doc.selector, etag: doc.etag, version: doc.version, body: doc.body, history: doc.history ?? [] };
      },
      async getVersion(systemId, selector, version) {
        const sys = systems.system(systemId);
        const res = await fetch(`${adminDocumentUrl(sys.cms.httpUrl, selector)}?version=${version}`, {
          headers: { authorization: `Bearer ${sys.admin.token}` },
        });
        if (!res.ok) throw await upstreamError(res);
        const doc = (await res.json()) as { selector: string; etag: string; version: number; body: string };
        return { selector: doc.selector, etag: doc.etag, version: doc.version, body: doc.body };
      },
      async put(systemId, selector, body, etag) {
        const sys = systems.system(systemId);
        const res = await fetch(adminDocumentUrl(sys.cms.httpUrl, selector), {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${sys.admin.token}`,
            'content-type': 'application/vnd.3gpp.mcptt-user-profile+xml',
            'if-match': `"${etag}"`,
          },
          body,
        });
        if (!res.ok) throw new UpstreamError(res.status, await res.text());
        const doc = (await res.json()) as { selector: string; etag: string; version: number; unchanged?: boolean };
        return { selector: doc.selector, etag: doc.etag, version: doc.version, body, ...(doc.unchanged ? { unchanged: true } : {}) };
      },
    },
  });
  return {
    url: handle.url,
    async close() {
      await handle.close();
      await probe.close();
    },
  };
}
