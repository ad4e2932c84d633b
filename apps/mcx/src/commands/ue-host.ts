/**
 * `mcx ue-host`: a UE host of its own, in this process, pointing at a running ecosystem (on this
 * machine or another): it owns the UEs created through its control API (docs/ue-host-api.md), as
 * the UE host of `mcx up` does, and prints its URL when it listens. Stops on SIGINT, SIGTERM or
 * SIGHUP (its UEs un-subscribe and de-register).
 *
 * What it takes (apps/mcx/README.md "A UE host on another machine"):
 * - the ecosystem file (`--config`): the users the UEs log in as (username, password, home);
 * - the ecosystem's addresses (`--endpoints FILE`): the runtime file `<dataDir>/run/endpoints.json`
 *   or `mcx endpoints --json` output; default: the runtime file of the file's data directory;
 * - the lab CA (`--ca FILE`): default `<dataDir>/tls/ca.pem` when present;
 * - the control secret (`--control-token T` or `--control-token-file F`): default the lab control
 *   secret `<dataDir>/secrets/control-token`;
 * - `--host` (bound, and the address in the UEs' SIP Contact: one the MC systems reach, not
 *   0.0.0.0), `--port` (control API, default 0 = ephemeral), `--sip-port` (default 0), `--data-dir`
 *   (the UEs' protected copies; default a temporary directory removed at stop).
 *
 * The MCS-to-MCS leg of migration service authorization (TS 23.280 10.6.3) is not in this host's
 * message log: the MCS reports it to the process that runs it (ue-host.ts tapServerLegs), not here.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { trustLabCa } from '@mcx/lab-ca';
import { controlTokenOf } from '@mcx/mc-system';
import { startUeHost } from '@mcx/ue';
import { readRuntime, runtimeFile } from '../ecosystem/runtime-file.ts';
import { readEndpointsFile, ueClientOf, ueHostSystemsOf, type PublishedEndpoints } from '../ecosystem/ue-host-remote.ts';
import { load } from './options.ts';
import { stopRequests } from './stop-requests.ts';

export interface UeHostArgs {
  config?: string | undefined;
  endpoints?: string | undefined;
  ca?: string | undefined;
  'control-token'?: string | undefined;
  'control-token-file'?: string | undefined;
  host?: string | undefined;
  port?: string | undefined;
  'sip-port'?: string | undefined;
  'data-dir'?: string | undefined;
}

function portOption(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new Error(`--${name} takes a port number (0-65535)`);
  return Number(value);
}

export async function ueHostCommand(args: UeHostArgs): Promise<number> {
  const loaded = load(args.config);
  const port = portOption('port', args.port);
  const sipPort = portOption('sip-port', args['sip-port']);
  let endpoints: PublishedEndpoints;
  if (args.endpoints) endpoints = readEndpointsFile(resolve(args.endpoints));
  else {
    const runtime = readRuntime(loaded.dataDir);
    if (!runtime) throw new Error(`no running ecosystem for ${loaded.file} (${runtimeFile(loaded.dataDir)}): start one with mcx up, or pass --endpoints FILE (mcx endpoints --json output)`);
    endpoints = runtime;
  }
  const caFile = args.ca ? resolve(args.ca) : join(loaded.dataDir, 'tls', 'ca.pem');
  if (args.ca && !existsSync(caFile)) throw new Error(`--ca ${args.ca}: no such file`);
  if (existsSync(caFile)) trustLabCa(readFileSync(caFile, 'utf8'));
  if (args['control-token'] && args['control-token-file']) throw new Error('give --control-token or --control-token-file, not both');
  const token = args['control-token'] ?? (args['control-token-file'] ? readFileSync(resolve(args['control-token-file']), 'utf8').trim() : undefined);
  if (token !== undefined && token.length < 16) throw new Error('the control token must have at least 16 characters');
  const lab = token === undefined ? controlTokenOf(loaded.dataDir) : undefined;
  const control = lab ? { token: lab.token, from: lab.file } : { token: token!, from: args['control-token-file'] ? resolve(args['control-token-file']) : '--control-token' };
  const ownDir = args['data-dir'] ? undefined : mkdtempSync(join(tmpdir(), 'mcx-ue-host-'));
  const dataDir = args['data-dir'] ? resolve(args['data-dir']) : ownDir!;

  const stop = stopRequests((line) => process.stderr.write(line));
  const host = await startUeHost({
    host: args.host ?? '127.0.0.1',
    port,
    sipPort,
    dataDir,
    controlToken: control.token,
    systems: ueHostSystemsOf(endpoints),
    users: loaded.ecosystem.users.map((u) => ({ username: u.username, password: u.password, home: u.home })),
    ueClient: ueClientOf(endpoints),
  }).catch((err: unknown) => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw err;
  });
  process.stdout.write(`UE host listening: ${host.url}\n`);
  process.stderr.write(
    `  SIP ${host.endpoint.uri('udp')}, ${loaded.ecosystem.users.length} users of ${loaded.file}, MC systems ${endpoints.systems.map((s) => s.id).join(', ')}\n` +
      `  control secret: ${control.from}; data in ${dataDir}${ownDir ? ' (removed at stop)' : ''}\n  Ctrl-C stops it.\n`,
  );
  await stop.requested;
  await host.close();
  if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  process.stderr.write('stopped.\n');
  stop.done(0);
  return 0;
}
