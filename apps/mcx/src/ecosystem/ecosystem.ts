/** The whole ecosystem: both MC systems, the UE host (with the file's UEs) and the console. */
import type { Ecosystem } from '@mcx/ecosystem';
import { startConsoleFor } from './console.ts';
import {
  runtimeEndpointsOf,
  startSystems,
  type RunningSystems,
  type StartEcosystemOptions,
} from './start.ts';
import { startUeHostFor, type RunningUeHost } from './ue-host.ts';
import type { RuntimeEndpoints } from './runtime-file.ts';

export interface RunningEcosystem {
  ecosystem: Ecosystem;
  systems: RunningSystems;
  ueHost: RunningUeHost;
  console?: { url: string; close(): Promise<void> };
  endpoints: RuntimeEndpoints;
  close(): Promise<void>;
}

export async function startEcosystem(
  options: StartEcosystemOptions & { configFile?: string; startUes?: boolean; console?: boolean },
): Promise<RunningEcosystem> {
  const systems = await startSystems(options);
  const eco = systems.ecosystem;
  let ueHost: RunningUeHost | undefined;
  let consoleHandle: { url: string; close(): Promise<void> } | undefined;
  try {
    ueHost = await startUeHostFor(systems, {
      dataDir: options.dataDir,
      startUes: options.startUes ?? true,
      ...(options.sipTimers ? { sipTimers: options.sipTimers } : {}),
    });
    if (options.console ?? true)
      consoleHandle = await startConsoleFor(systems, {
        host: eco.console.host,
        port: eco.console.port,
        ueHostUrl: ueHost.url,
      });
  } catch (err) {
    await ueHost?.close().catch(() => undefined);
    await systems.close();
    throw err;
  }
  const endpoints = runtimeEndpointsOf(systems, {
    configFile: options.configFile ?? '',
    console: consoleHandle?.url ?? '',
    ueHost: ueHost.url,
  });
  let closed: Promise<void> | undefined;
  const host = ueHost;
  return {
    ecosystem: eco,
    systems,
    ueHost: host,
    ...(consoleHandle ? { console: consoleHandle } : {}),
    endpoints,
    close() {
      closed ??= (async () => {
        await consoleHandle?.close().catch(() => undefined);
        await host.close().catch(() => undefined);
        await systems.close();
      })();
      return closed;
    },
  };
}
