/**
 * The fronts of replicated MC systems (issue #17): what a real MC system puts between its UEs and
 * several instances of a server, so that UEs see one address per server role. Per system with
 * `replicas` > 1 (libs/ecosystem): HAProxy on the `cms` and `gms` HTTP ports and Kamailio's
 * dispatcher on the `cmsSip`, `gmsSip` and `mcsSip` ports, each in front of the instances listening
 * on `replicaPorts` (@mcx/front). Started before the instances: a front whose instances are not
 * up yet marks them down and takes them in as their health checks pass.
 *
 * The fronts' files (configurations, sockets, logs) live in a short temporary directory (Unix
 * socket paths are limited to 107 bytes), removed when they stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instanceHost, type SystemConfig } from '@mcx/ecosystem';
import { startHttpFront, startSipFront, type FrontHandle } from '@mcx/front';

/** The server roles behind a front: HTTP (CMS, GMS) and SIP (CMS, GMS, MCS). */
export type FrontRole = 'cms' | 'gms' | 'cmsSip' | 'gmsSip' | 'mcsSip';

export interface RunningFront {
  systemId: string;
  role: FrontRole;
  handle: FrontHandle;
}

const HTTP_ROLES = ['cms', 'gms'] as const;
const SIP_ROLES = ['cmsSip', 'gmsSip', 'mcsSip'] as const;

export async function startFronts(systems: readonly SystemConfig[], log: (line: string) => void): Promise<{ fronts: RunningFront[]; close(): Promise<void> }> {
  const fronts: RunningFront[] = [];
  const dir = systems.length > 0 ? mkdtempSync(join(tmpdir(), 'mcx-front-')) : undefined;
  const close = async () => {
    for (const f of fronts.splice(0).reverse()) await f.handle.close().catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const s of systems) {
      const ports = s.replicaPorts ?? [];
      for (const role of HTTP_ROLES) {
        const handle = await startHttpFront({
          name: `${s.id}-${role}`,
          bind: { host: s.host, port: s.ports[role] },
          backends: ports.map((p, k) => ({ name: `${role}-${k + 1}`, host: instanceHost(s, k + 1), port: p[role] })),
          dir: dir!,
        });
        fronts.push({ systemId: s.id, role, handle });
      }
      for (const role of SIP_ROLES) {
        const handle = await startSipFront({
          name: `${s.id}-${role}`,
          bind: { host: s.host, port: s.ports[role] },
          transports: ['udp', 'tcp'],
          backends: ports.map((p, k) => ({ name: `${role}-${k + 1}`, host: instanceHost(s, k + 1), port: p[role] })),
          dir: dir!,
        });
        fronts.push({ systemId: s.id, role, handle });
      }
      log(`${s.id}: ${ports.length} replicas of the CMS, GMS and MCS behind HAProxy (HTTP ${s.ports.cms}, ${s.ports.gms}) and Kamailio (SIP ${s.ports.cmsSip}, ${s.ports.gmsSip}, ${s.ports.mcsSip})`);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { fronts, close };
}
