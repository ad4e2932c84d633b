/** Starts the UE host for the running systems and creates the UEs of the ecosystem file. */
import { join } from 'node:path';
import { laneOf, startUeHost, type UeHostHandle } from '@mcx/ue';
import { transportViewOf, UE_CLIENT } from '@mcx/mc-system';
import type { SystemsView } from './systems-view.ts';

export interface RunningUeHost {
  url: string;
  host: UeHostHandle;
  close(): Promise<void>;
}

export async function startUeHostFor(
  systems: SystemsView,
  options: { dataDir: string; startUes: boolean; controlToken: string; sipTimers?: { t1?: number; t2?: number; t4?: number } },
): Promise<RunningUeHost> {
  const eco = systems.ecosystem;
  const host = await startUeHost({
    host: eco.ueHost.host,
    port: eco.ueHost.port,
    dataDir: join(options.dataDir, 'ue-host'),
    controlToken: options.controlToken,
    systems: systems.systems.map(transportViewOf),
    users: eco.users.map((u) => ({ username: u.username, password: u.password, home: u.home })),
    ueClient: { ...UE_CLIENT },
    ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
  });
  const stopTaps = tapServerLegs(systems, host);
  if (options.startUes) {
    for (const ue of eco.ues)
      host.createUe({ id: ue.id, user: ue.user, ...(ue.plmn ? { plmn: ue.plmn } : {}) });
  }
  return {
    url: host.url,
    host,
    close: () => {
      for (const stop of stopTaps) stop();
      return host.close();
    },
  };
}

/**
 * The MCS-to-MCS leg of migration service authorization (TS 23.280 clause 10.6.3) never passes
 * the UE, so its SIP tap cannot see it: each MCS reports the leg messages it SENT (McsHandle
 * onLegMessage), and they are recorded in the message log of the UEs of the user they are about,
 * with `from` = the sending MCS's lane (the console draws them between the two MCS lanes).
 */
function tapServerLegs(systems: SystemsView, host: UeHostHandle): (() => void)[] {
  const lane = (id: string) => `MCS-${laneOf(host.config.systems.find((s) => s.id === id) ?? { id })}`;
  return systems.systems.flatMap((sys) => {
    if (!sys.mcs) return [];
    return [
      sys.mcs.onLegMessage((e) => {
        if (e.direction !== 'out') return;
        for (const ue of host.ues()) {
          if (ue.home?.mcpttId !== e.user) continue;
          host.log.record({ ue: ue.id, direction: 'out', protocol: 'SIP', from: lane(sys.config.id), peer: lane(e.peer), summary: e.summary, startLine: e.startLine, headers: {}, body: e.body });
        }
      }),
    ];
  });
}
