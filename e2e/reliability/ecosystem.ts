/**
 * The one ecosystem the reliability suite runs against: both lab MC systems (IdMS, CMS, GMS, MCS
 * each) composed by `startMcSystems` exactly as `mcx up` composes them, on throw-away databases,
 * plus a UE host with one UE, and the tokens the surfaces start from (obtained the way a UE does:
 * authorization code flow with PKCE, then a refresh per resource server, RFC 8707).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginWithPkce, refreshForResource } from '@mcx/auth';
import { startCms } from '@mcx/cms';
import { startGms } from '@mcx/gms';
import { startIdms } from '@mcx/idms';
import { labEcosystem, startMcSystems, testDatabaseSetting, transportViewOf, UE_CLIENT, type McSystems, type RunningMcSystem } from '@mcx/mc-system';
import { startMcs } from '@mcx/mcs';
import { startUeHost, type UeHostHandle } from '@mcx/ue';
import { rawRequest } from '@mcx/xcap/testing';
import type { RawSend } from './http.ts';

const SERVERS = { idms: startIdms, cms: startCms, gms: startGms, mcs: startMcs };
export type System = RunningMcSystem<typeof SERVERS>;
/** Short SIP timers: a refused request is answered at once, retransmissions end quickly. */
export const SIP_TIMERS = { t1: 40, t2: 320, t4: 200 };

/** The lab users' passwords (libs/mc-system lab-ecosystem.ts). */
export const PASSWORDS: Record<string, string> = { alice: 'alice-secret', bob: 'bob-secret', carol: 'carol-secret', dave: 'dave-secret' };

export interface UserTokens {
  /** Access token for the CMS (the default audience of a login), GMS and MCS of the user's home system. */
  cms: string;
  gms: string;
  mcs: string;
  refresh: string;
}

export interface ReliabilityLab {
  systems: McSystems<typeof SERVERS>;
  a: System;
  b: System;
  host: UeHostHandle;
  /** alice (home mcx-a) and dave (home mcx-b). */
  alice: UserTokens;
  dave: UserTokens;
  /** One request as written, trusting the lab CA when the endpoints are https. */
  raw: RawSend;
  close(): Promise<void>;
}

export async function login(system: System, username: string): Promise<UserTokens> {
  const issuer = system.idms.issuer;
  const l = await loginWithPkce({ issuer, clientId: UE_CLIENT.clientId, redirectUri: UE_CLIENT.redirectUri, username, password: PASSWORDS[username]! });
  const forResource = async (resource: string) =>
    (await refreshForResource({ issuer, clientId: UE_CLIENT.clientId, refreshToken: l.refreshToken!, resource })).accessToken;
  return { cms: await forResource(system.audiences.cms), gms: await forResource(system.audiences.gms), mcs: await forResource(system.audiences.mcs), refresh: l.refreshToken! };
}

export async function startReliabilityLab(): Promise<ReliabilityLab> {
  const systems = await startMcSystems({
    ecosystem: labEcosystem(),
    servers: SERVERS,
    database: testDatabaseSetting(),
    throwAwayDatabases: true,
    ephemeralPorts: true,
    scryptCost: 1024,
    sipTimers: SIP_TIMERS,
    overrides: { cms: () => ({ shareRetryMs: 0 }) },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'mcx-reliability-'));
  let host: UeHostHandle | undefined;
  try {
    const a = systems.system('mcx-a');
    const b = systems.system('mcx-b');
    host = await startUeHost({
      dataDir,
      systems: systems.systems.map(transportViewOf),
      users: systems.ecosystem.users.map((u) => ({ username: u.username, password: u.password, home: u.home })),
      ueClient: { ...UE_CLIENT },
      sipTimers: SIP_TIMERS,
    });
    const [alice, dave] = await Promise.all([login(a, 'alice'), login(b, 'dave')]);
    const running = host;
    // The lab CA the https endpoints chain to (a system may serve plain HTTP: `tls: false`).
    const ca = systems.labCa.caPem;
    return {
      systems,
      a,
      b,
      host: running,
      alice,
      dave,
      raw: (method, url, headers = {}, body) => rawRequest(method, url, headers, body, { ca }),
      async close() {
        await running.close().catch(() => undefined);
        await systems.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await host?.close().catch(() => undefined);
    await systems.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
