/** The runtime file's content (runtime-file.ts) for the running systems, UE host and console. */
import { UE_CLIENT } from '@mcx/mc-system';
import type { RuntimeEndpoints } from './runtime-file.ts';
import type { SystemsView } from './systems-view.ts';

/** What `mcx up` writes: the endpoints of the systems it runs (in this process or in system processes). */
export function runtimeEndpointsOf(
  systems: SystemsView,
  extra: { configFile: string; console: string; ueHost: string },
): RuntimeEndpoints {
  return {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile: extra.configFile,
    console: extra.console,
    ueHost: extra.ueHost,
    ueClient: { ...UE_CLIENT },
    systems: systems.systems.map((s) => ({
      ...s.endpoints,
      idms: { issuer: s.idms.issuer },
      audiences: s.audiences,
    })),
  };
}

