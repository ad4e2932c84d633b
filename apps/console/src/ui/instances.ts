/**
 * The instances of each system's CMS, GMS and MCS (issue #17) as the page shows them: polled from
 * the console server's `/api/instances` with the health poll (health.ts), one badge per instance
 * (up/down, its own address, the process it runs in) and a line per front.
 */
import type { FrontHealth, InstanceHealth, SystemInstancesView } from './api.ts';
import type { Badge } from './health.ts';
import { HEALTH_POLL_TIMEOUT_MS } from './health.ts';

export const ROLES = ['cms', 'gms', 'mcs'] as const;

/** One poll of `/api/instances`; undefined when it fails (the health poll says why). */
export async function pollInstances(url = 'api/instances', timeoutMs = HEALTH_POLL_TIMEOUT_MS): Promise<SystemInstancesView[] | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), cache: 'no-store' });
    if (!res.ok) return undefined;
    return (await res.json()) as SystemInstancesView[];
  } catch {
    return undefined;
  }
}

/** `host:port` of a URL or SIP URI (`https://127.0.0.1:7102`, `sip:cms@127.0.0.1:7105;transport=udp`). */
export function hostPortOf(uri: string): string {
  const m = /^(?:[a-z]+:\/\/|sips?:(?:[^@]*@)?)(\[[^\]]+\]|[^:/;]+)(?::(\d+))?/.exec(uri);
  return m ? `${m[1]}${m[2] ? `:${m[2]}` : ''}` : uri;
}

/** The badge text's address: HTTP host:port and SIP port (CMS, GMS), or the SIP host:port (MCS). */
export function instanceAddress(i: InstanceHealth): string {
  if (i.http && i.sip) return `${hostPortOf(i.http)}, SIP ${hostPortOf(i.sip).split(':').pop()}`;
  return hostPortOf(i.http ?? i.sip ?? '');
}

export function instanceProcess(i: InstanceHealth): string {
  return i.pid !== undefined ? `${i.process} (pid ${i.pid})` : i.process;
}

export function instanceBadge(i: InstanceHealth, reachable: boolean): Badge {
  if (!reachable) return 'unknown';
  return i.up ? 'up' : 'down';
}

/** The badge's tooltip: every check with its answer, and the fronts' view. */
export function instanceTitle(i: InstanceHealth): string {
  const lines = [`${i.role.toUpperCase()} instance ${i.replica} in ${instanceProcess(i)}`, ...i.checks.map((c) => `${c.kind.toUpperCase()} ${c.target}: ${c.up ? 'up' : 'down'}${c.detail ? ` (${c.detail})` : ''}`)];
  for (const [kind, up] of Object.entries(i.seenByFront ?? {})) lines.push(`as ${kind === 'haproxy' ? 'HAProxy' : 'Kamailio'} sees it: ${up ? 'up' : 'down'}`);
  return lines.join('\n');
}

/** A front's line: kind, role, address and each instance as it sees it. */
export function frontText(f: FrontHealth): string {
  const kind = f.kind === 'haproxy' ? 'HAProxy' : 'Kamailio';
  const view = f.backends ? f.backends.map((b) => `${b.replica} ${b.up ? 'up' : 'down'}`).join(', ') : (f.detail ?? 'view not available here');
  return `${kind} ${f.role.toUpperCase()} ${f.address}: ${view}`;
}
