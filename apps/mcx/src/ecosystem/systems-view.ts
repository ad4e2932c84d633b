/**
 * What the UE host, the console and the runtime file need of a running MC system: its addresses,
 * audiences and admin credential, and the MCS-to-MCS leg messages (TS 23.280 10.6.3) it reports.
 * The MC systems run in this process (`McSystems` of @mcx/mc-system satisfies this view) or in a
 * child process each (system-processes.ts: the view is sent over IPC), so nothing here is a server
 * object: everything else goes over the servers' own HTTP and SIP sockets.
 */
import type { Ecosystem, SystemConfig, SystemEndpoints } from '@mcx/ecosystem';
import type { Audiences } from '@mcx/mc-system';
import type { LegEvent } from '@mcx/mcs';

interface XcapServerView {
  httpUrl: string;
  xcapRoot: string;
  sipUri: string;
  sipTcpUri: string;
  psi: string;
}

/** The plain data of a running system (what a system process sends its parent). */
export interface SystemData {
  config: SystemConfig;
  endpoints: SystemEndpoints;
  audiences: Audiences;
  admin: { token: string };
  idms: { url: string; issuer: string };
  cms: XcapServerView;
  gms: XcapServerView;
  mcs: { sipUri: string; sipTcpUri: string; psi: string };
}

export interface SystemView extends Omit<SystemData, 'mcs'> {
  mcs: SystemData['mcs'] & { onLegMessage(listener: (e: LegEvent) => void): () => void };
}

export interface SystemsView {
  ecosystem: Ecosystem;
  systems: readonly SystemView[];
  system(id: string): SystemView;
}

/** The plain data of a system running in this process (sent over IPC by a system process). */
export function systemDataOf(s: SystemView): SystemData {
  const xcap = (x: XcapServerView): XcapServerView => ({ httpUrl: x.httpUrl, xcapRoot: x.xcapRoot, sipUri: x.sipUri, sipTcpUri: x.sipTcpUri, psi: x.psi });
  return {
    config: s.config,
    endpoints: s.endpoints,
    audiences: s.audiences,
    admin: { token: s.admin.token },
    idms: { url: s.idms.url, issuer: s.idms.issuer },
    cms: xcap(s.cms),
    gms: xcap(s.gms),
    mcs: { sipUri: s.mcs.sipUri, sipTcpUri: s.mcs.sipTcpUri, psi: s.mcs.psi },
  };
}
