/** Starts the UE host for the running systems and creates the UEs of the ecosystem file. */
import { join } from 'node:path';
import { startUeHost, type UeHostHandle } from '@mcx/ue';
import { transportViewOf, UE_CLIENT } from '@mcx/mc-system';
import type { RunningSystems } from './start.ts';

export interface RunningUeHost {
  url: string;
  host: UeHostHandle;
  close(): Promise<void>;
}

export async function startUeHostFor(
  systems: RunningSystems,
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
  if (options.startUes) {
    for (const ue of eco.ues)
      host.createUe({ id: ue.id, user: ue.user, ...(ue.plmn ? { plmn: ue.plmn } : {}) });
  }
  return { url: host.url, host, close: () => host.close() };
}
