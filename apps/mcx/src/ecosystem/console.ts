/** Wires the console to the running systems: health checks and admin document access (CMS admin API). */
import { mcpttIdOf } from '@mcx/ecosystem';
import { SipEndpoint } from '@mcx/sip';
import { startConsole, UpstreamError, type ConsoleHandle, type ServerHealth } from '@mcx/console';
import type { SystemsView } from './systems-view.ts';

async function httpHealth(name: ServerHealth['name'], url: string): Promise<ServerHealth> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    return { name, url, up: res.ok, detail: `${url}/healthz → ${res.status}` };
  } catch (err) {
    return { name, url, up: false, detail: (err as Error).message };
  }
}

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
  options: { host: string; port: number; ueHostUrl: string; controlToken: string },
): Promise<ConsoleHandle> {
  // SIP OPTIONS to the MC service servers (RFC 3261 clause 11) from one small endpoint.
  const probe = await SipEndpoint.create({
    udp: { host: '127.0.0.1', port: 0 },
    tcp: false,
    timers: { t1: 100, t2: 400, t4: 500 },
  });
  const mcsHealth = async (sys: SystemsView['systems'][number]): Promise<ServerHealth> => {
    const url = sys.mcs.sipUri;
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await Promise.race([
        probe.request({
          method: 'OPTIONS',
          uri: url,
          from: `<sip:console@127.0.0.1>`,
          target: { protocol: 'udp', host: sys.config.host, port: sys.config.ports.mcsSip },
        }),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer to OPTIONS within ${MCS_PROBE_TIMEOUT_MS} ms`)), MCS_PROBE_TIMEOUT_MS);
        }),
      ]);
      return { name: 'MCS', url, up: res.status === 200, detail: `OPTIONS → ${res.status}` };
    } catch (err) {
      return { name: 'MCS', url, up: false, detail: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
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
